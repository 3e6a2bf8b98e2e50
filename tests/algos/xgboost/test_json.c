/* XGBoost model files (algos/xgboost/xgb_json.c, xgb_binary.c): a real
 * xgboost 1.7.4 model in its three formats (JSON, legacy binary, UBJSON)
 * loads to the same model, predicts what xgboost predicted, and is written
 * back byte for byte as xgboost wrote it; floats are printed as xgboost's
 * to_chars prints them and read back bit for bit; save -> load -> save is
 * the identity for every objective; corrupt files (every truncation,
 * flipped bytes, wrong types, cycles, out-of-range children and features,
 * categorical splits, unknown objectives) are DataErrors naming the file
 * and the key, never a crash (run under valgrind and ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/xgboost/xgb.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xgboost 1.7.4: three depth-2 binary:logistic trees on 4 features with
 * missing values, as Booster.save_model wrote them (x.json, an
 * extension-less name, x.ubj). */
static const char golden_json[] =
    "{\"learner\":{\"attributes\":{\"best_iteration\":\"2\",\"best_ntree_limi"
    "t\":\"3\"},\"feature_names\":[],\"feature_types\":[],\"gradient_booster"
    "\":{\"model\":{\"gbtree_model_param\":{\"num_parallel_tree\":\"1\",\"num"
    "_trees\":\"3\",\"size_leaf_vector\":\"0\"},\"tree_info\":[0,0,0],\"trees"
    "\":[{\"base_weights\":[-1.3157895E-2,1.1612903E0,-8.043478E-1,-8.5714287"
    "E-1,1.3684211E0,-1.4074074E0,7.924528E-1],\"categories\":[],\"categories"
    "_nodes\":[],\"categories_segments\":[],\"categories_sizes\":[],\"default"
    "_left\":[0,0,1,0,0,0,0],\"id\":0,\"left_children\":[1,3,5,-1,-1,-1,-1],"
    "\"loss_changes\":[7.155416E1,1.41334E1,4.5411736E1,0E0,0E0,0E0,0E0],\"pa"
    "rents\":[2147483647,0,0,1,1,2,2],\"right_children\":[2,4,6,-1,-1,-1,-1],"
    "\"split_conditions\":[-1.3337573E-1,-1.1124098E0,6.514743E-1,-4.2857143E"
    "-1,6.8421054E-1,-7.037037E-1,3.962264E-1],\"split_indices\":[3,0,0,0,0,0"
    ",0],\"split_type\":[0,0,0,0,0,0,0],\"sum_hessian\":[7.5E1,3E1,4.5E1,2.5E"
    "0,2.75E1,3.275E1,1.225E1],\"tree_param\":{\"num_deleted\":\"0\",\"num_fe"
    "ature\":\"4\",\"num_nodes\":\"7\",\"size_leaf_vector\":\"0\"}},{\"base_w"
    "eights\":[-1.0341036E-2,5.7852185E-1,-7.013297E-1,-2.6804084E-1,1.198618"
    "2E0,-1.211211E0,7.225842E-2],\"categories\":[],\"categories_nodes\":[],"
    "\"categories_segments\":[],\"categories_sizes\":[],\"default_left\":[0,1"
    ",0,0,0,0,0],\"id\":1,\"left_children\":[1,3,5,-1,-1,-1,-1],\"loss_change"
    "s\":[2.8357649E1,2.0078495E1,1.2732754E1,0E0,0E0,0E0,0E0],\"parents\":[2"
    "147483647,0,0,1,1,2,2],\"right_children\":[2,4,6,-1,-1,-1,-1],\"split_co"
    "nditions\":[2.7801698E-1,-5.074828E-1,6.514743E-1,-1.3402042E-1,5.993091"
    "E-1,-6.056055E-1,3.612921E-2],\"split_indices\":[3,0,0,0,0,0,0],\"split_"
    "type\":[0,0,0,0,0,0,0],\"sum_hessian\":[6.7695206E1,3.663635E1,3.1058857"
    "E1,1.5729711E1,2.090664E1,1.83792E1,1.2679658E1],\"tree_param\":{\"num_d"
    "eleted\":\"0\",\"num_feature\":\"4\",\"num_nodes\":\"7\",\"size_leaf_vec"
    "tor\":\"0\"}},{\"base_weights\":[-1.06059285E-2,-6.275415E-1,5.3644925E-"
    "1,-3.2382795E-1,-1.3871527E0,-1.7528994E-1,1.0553025E0],\"categories\":["
    "],\"categories_nodes\":[],\"categories_segments\":[],\"categories_sizes"
    "\":[],\"default_left\":[1,1,0,0,0,0,0],\"id\":2,\"left_children\":[1,3,5"
    ",-1,-1,-1,-1],\"loss_changes\":[2.0656393E1,6.18519E0,1.2168358E1,0E0,0E"
    "0,0E0,0E0],\"parents\":[2147483647,0,0,1,1,2,2],\"right_children\":[2,4,"
    "6,-1,-1,-1,-1],\"split_conditions\":[-3.7087178E-1,5.6220317E-1,8.537368"
    "5E-2,-1.6191398E-1,-6.9357634E-1,-8.764497E-2,5.2765125E-1],\"split_indi"
    "ces\":[1,3,0,0,0,0,0],\"split_type\":[0,0,0,0,0,0,0],\"sum_hessian\":[5."
    "920706E1,2.7757132E1,3.144993E1,2.084788E1,6.9092507E0,1.3539381E1,1.791"
    "055E1],\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":\"4\",\"num"
    "_nodes\":\"7\",\"size_leaf_vector\":\"0\"}}]},\"name\":\"gbtree\"},\"lea"
    "rner_model_param\":{\"base_score\":\"5E-1\",\"boost_from_average\":\"1\""
    ",\"num_class\":\"0\",\"num_feature\":\"4\",\"num_target\":\"1\"},\"objec"
    "tive\":{\"name\":\"binary:logistic\",\"reg_loss_param\":{\"scale_pos_wei"
    "ght\":\"1\"}}},\"version\":[1,7,4]}";

static const char golden_binary[] =
    "\x62\x69\x6e\x66\x00\x00\x00\x3f\x04\x00\x00\x00\x00\x00\x00\x00\x01\x00"
    "\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00"
    "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0f\x00\x00\x00"
    "\x00\x00\x00\x00\x62\x69\x6e\x61\x72\x79\x3a\x6c\x6f\x67\x69\x73\x74\x69"
    "\x63\x06\x00\x00\x00\x00\x00\x00\x00\x67\x62\x74\x72\x65\x65\x03\x00\x00"
    "\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x07"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff"
    "\xff\xff\xff\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\xa6\x93\x08"
    "\xbe\x00\x00\x00\x80\x03\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x72"
    "\x63\x8e\xbf\x00\x00\x00\x00\x05\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00"
    "\x80\x05\xc7\x26\x3f\x01\x00\x00\x80\xff\xff\xff\xff\xff\xff\xff\xff\x00"
    "\x00\x00\x00\xb7\x6d\xdb\xbe\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff"
    "\xff\x00\x00\x00\x00\x6c\x28\x2f\x3f\x02\x00\x00\x80\xff\xff\xff\xff\xff"
    "\xff\xff\xff\x00\x00\x00\x00\xed\x25\x34\xbf\x02\x00\x00\x00\xff\xff\xff"
    "\xff\xff\xff\xff\xff\x00\x00\x00\x00\x30\xde\xca\x3e\xbb\x1b\x8f\x42\x00"
    "\x00\x96\x42\x36\x94\x57\xbc\x00\x00\x00\x00\x68\x22\x62\x41\x00\x00\xf0"
    "\x41\x29\xa5\x94\x3f\x00\x00\x00\x00\x9e\xa5\x35\x42\x00\x00\x34\x42\xbd"
    "\xe9\x4d\xbf\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20\x40\xb7\x6d\x5b"
    "\xbf\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xdc\x41\x6c\x28\xaf\x3f\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x42\xed\x25\xb4\xbf\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x44\x41\x30\xde\x4a\x3f\x00\x00\x00\x00\x01"
    "\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00"
    "\x00\x3e\x58\x8e\x3e\x00\x00\x00\x80\x03\x00\x00\x00\x04\x00\x00\x00\x00"
    "\x00\x00\x80\x65\xea\x01\xbf\x00\x00\x00\x00\x05\x00\x00\x00\x06\x00\x00"
    "\x00\x00\x00\x00\x00\x05\xc7\x26\x3f\x01\x00\x00\x80\xff\xff\xff\xff\xff"
    "\xff\xff\xff\x00\x00\x00\x00\xa6\x3c\x09\xbe\x01\x00\x00\x00\xff\xff\xff"
    "\xff\xff\xff\xff\xff\x00\x00\x00\x00\x52\x6c\x19\x3f\x02\x00\x00\x80\xff"
    "\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\xf6\x08\x1b\xbf\x02\x00\x00"
    "\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x39\xfc\x13\x3d\x77"
    "\xdc\xe2\x41\xf2\x63\x87\x42\x73\x6d\x29\xbc\x00\x00\x00\x00\xc2\xa0\xa0"
    "\x41\x9f\x8b\x12\x42\x02\x1a\x14\x3f\x00\x00\x00\x00\x5c\xb9\x4b\x41\x8a"
    "\x78\xf8\x41\x58\x8a\x33\xbf\x00\x00\x00\x00\x00\x00\x00\x00\xe5\xac\x7b"
    "\x41\xa6\x3c\x89\xbe\x00\x00\x00\x00\x00\x00\x00\x00\xcc\x40\xa7\x41\x52"
    "\x6c\x99\x3f\x00\x00\x00\x00\x00\x00\x00\x00\x9a\x08\x93\x41\xf6\x08\x9b"
    "\xbf\x00\x00\x00\x00\x00\x00\x00\x00\xe1\xdf\x4a\x41\x39\xfc\x93\x3d\x00"
    "\x00\x00\x00\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x02\x00\x00"
    "\x00\x01\x00\x00\x80\xe8\xe2\xbd\xbe\x00\x00\x00\x80\x03\x00\x00\x00\x04"
    "\x00\x00\x00\x03\x00\x00\x80\x8c\xec\x0f\x3f\x00\x00\x00\x00\x05\x00\x00"
    "\x00\x06\x00\x00\x00\x00\x00\x00\x00\x66\xd8\xae\x3d\x01\x00\x00\x80\xff"
    "\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\xc7\xcc\x25\xbe\x01\x00\x00"
    "\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x38\x8e\x31\xbf\x02"
    "\x00\x00\x80\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x35\x7f\xb3"
    "\xbd\x02\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x27"
    "\x14\x07\x3f\x4b\x40\xa5\x41\x08\xd4\x6c\x42\x7d\xc4\x2d\xbc\x00\x00\x00"
    "\x00\x14\xed\xc5\x40\x9b\x0e\xde\x41\x8f\xa6\x20\xbf\x00\x00\x00\x00\x98"
    "\xb1\x42\x41\x75\x99\xfb\x41\xbd\x54\x09\x3f\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x75\xc8\xa6\x41\xc7\xcc\xa5\xbe\x00\x00\x00\x00\x00\x00\x00\x00\x95"
    "\x18\xdd\x40\x38\x8e\xb1\xbf\x00\x00\x00\x00\x00\x00\x00\x00\x4e\xa1\x58"
    "\x41\x35\x7f\x33\xbe\x00\x00\x00\x00\x00\x00\x00\x00\xce\x48\x8f\x41\x27"
    "\x14\x87\x3f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x03\x00\x00\x00\x00\x00\x00\x00\x0e\x00\x00\x00\x00\x00\x00\x00\x62"
    "\x65\x73\x74\x5f\x69\x74\x65\x72\x61\x74\x69\x6f\x6e\x01\x00\x00\x00\x00"
    "\x00\x00\x00\x32\x10\x00\x00\x00\x00\x00\x00\x00\x62\x65\x73\x74\x5f\x6e"
    "\x74\x72\x65\x65\x5f\x6c\x69\x6d\x69\x74\x01\x00\x00\x00\x00\x00\x00\x00"
    "\x33\x09\x00\x00\x00\x00\x00\x00\x00\x6f\x62\x6a\x65\x63\x74\x69\x76\x65"
    "\x44\x00\x00\x00\x00\x00\x00\x00\x7b\x22\x6e\x61\x6d\x65\x22\x3a\x22\x62"
    "\x69\x6e\x61\x72\x79\x3a\x6c\x6f\x67\x69\x73\x74\x69\x63\x22\x2c\x22\x72"
    "\x65\x67\x5f\x6c\x6f\x73\x73\x5f\x70\x61\x72\x61\x6d\x22\x3a\x7b\x22\x73"
    "\x63\x61\x6c\x65\x5f\x70\x6f\x73\x5f\x77\x65\x69\x67\x68\x74\x22\x3a\x22"
    "\x31\x22\x7d\x7d";

static const char golden_ubj[] =
    "\x7b\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x6c\x65\x61\x72\x6e\x65\x72\x7b"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x0a\x61\x74\x74\x72\x69\x62\x75\x74\x65"
    "\x73\x7b\x4c\x00\x00\x00\x00\x00\x00\x00\x0e\x62\x65\x73\x74\x5f\x69\x74"
    "\x65\x72\x61\x74\x69\x6f\x6e\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x32"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x10\x62\x65\x73\x74\x5f\x6e\x74\x72\x65"
    "\x65\x5f\x6c\x69\x6d\x69\x74\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x33"
    "\x7d\x4c\x00\x00\x00\x00\x00\x00\x00\x0d\x66\x65\x61\x74\x75\x72\x65\x5f"
    "\x6e\x61\x6d\x65\x73\x5b\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x0d\x66\x65\x61\x74\x75\x72\x65\x5f\x74\x79\x70"
    "\x65\x73\x5b\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00"
    "\x00\x00\x00\x10\x67\x72\x61\x64\x69\x65\x6e\x74\x5f\x62\x6f\x6f\x73\x74"
    "\x65\x72\x7b\x4c\x00\x00\x00\x00\x00\x00\x00\x05\x6d\x6f\x64\x65\x6c\x7b"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x12\x67\x62\x74\x72\x65\x65\x5f\x6d\x6f"
    "\x64\x65\x6c\x5f\x70\x61\x72\x61\x6d\x7b\x4c\x00\x00\x00\x00\x00\x00\x00"
    "\x11\x6e\x75\x6d\x5f\x70\x61\x72\x61\x6c\x6c\x65\x6c\x5f\x74\x72\x65\x65"
    "\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x31\x4c\x00\x00\x00\x00\x00\x00"
    "\x00\x09\x6e\x75\x6d\x5f\x74\x72\x65\x65\x73\x53\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x01\x33\x4c\x00\x00\x00\x00\x00\x00\x00\x10\x73\x69\x7a\x65\x5f"
    "\x6c\x65\x61\x66\x5f\x76\x65\x63\x74\x6f\x72\x53\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x01\x30\x7d\x4c\x00\x00\x00\x00\x00\x00\x00\x09\x74\x72\x65\x65"
    "\x5f\x69\x6e\x66\x6f\x5b\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x03\x69\x00"
    "\x69\x00\x69\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x05\x74\x72\x65\x65\x73"
    "\x5b\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x03\x7b\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x0c\x62\x61\x73\x65\x5f\x77\x65\x69\x67\x68\x74\x73\x5b\x24\x64"
    "\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\xbc\x57\x94\x36\x3f\x94\xa5\x29"
    "\xbf\x4d\xe9\xbd\xbf\x5b\x6d\xb7\x3f\xaf\x28\x6c\xbf\xb4\x25\xed\x3f\x4a"
    "\xde\x30\x4c\x00\x00\x00\x00\x00\x00\x00\x0a\x63\x61\x74\x65\x67\x6f\x72"
    "\x69\x65\x73\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x10\x63\x61\x74\x65\x67\x6f\x72\x69\x65\x73\x5f"
    "\x6e\x6f\x64\x65\x73\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x13\x63\x61\x74\x65\x67\x6f\x72\x69\x65"
    "\x73\x5f\x73\x65\x67\x6d\x65\x6e\x74\x73\x5b\x24\x4c\x23\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x10\x63\x61\x74\x65"
    "\x67\x6f\x72\x69\x65\x73\x5f\x73\x69\x7a\x65\x73\x5b\x24\x4c\x23\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x0c\x64\x65"
    "\x66\x61\x75\x6c\x74\x5f\x6c\x65\x66\x74\x5b\x24\x55\x23\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x07\x00\x00\x01\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x02\x69\x64\x69\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x0d\x6c\x65"
    "\x66\x74\x5f\x63\x68\x69\x6c\x64\x72\x65\x6e\x5b\x24\x6c\x23\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00\x03\x00\x00\x00\x05"
    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x0c\x6c\x6f\x73\x73\x5f\x63\x68\x61\x6e\x67\x65"
    "\x73\x5b\x24\x64\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x42\x8f\x1b\xbb"
    "\x41\x62\x22\x68\x42\x35\xa5\x9e\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x70\x61\x72"
    "\x65\x6e\x74\x73\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x7f"
    "\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00"
    "\x01\x00\x00\x00\x02\x00\x00\x00\x02\x4c\x00\x00\x00\x00\x00\x00\x00\x0e"
    "\x72\x69\x67\x68\x74\x5f\x63\x68\x69\x6c\x64\x72\x65\x6e\x5b\x24\x6c\x23"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x02\x00\x00\x00\x04\x00"
    "\x00\x00\x06\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
    "\xff\x4c\x00\x00\x00\x00\x00\x00\x00\x10\x73\x70\x6c\x69\x74\x5f\x63\x6f"
    "\x6e\x64\x69\x74\x69\x6f\x6e\x73\x5b\x24\x64\x23\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x07\xbe\x08\x93\xa6\xbf\x8e\x63\x72\x3f\x26\xc7\x05\xbe\xdb\x6d"
    "\xb7\x3f\x2f\x28\x6c\xbf\x34\x25\xed\x3e\xca\xde\x30\x4c\x00\x00\x00\x00"
    "\x00\x00\x00\x0d\x73\x70\x6c\x69\x74\x5f\x69\x6e\x64\x69\x63\x65\x73\x5b"
    "\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x03\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x0a\x73\x70\x6c\x69\x74"
    "\x5f\x74\x79\x70\x65\x5b\x24\x55\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07"
    "\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x0b\x73\x75"
    "\x6d\x5f\x68\x65\x73\x73\x69\x61\x6e\x5b\x24\x64\x23\x4c\x00\x00\x00\x00"
    "\x00\x00\x00\x07\x42\x96\x00\x00\x41\xf0\x00\x00\x42\x34\x00\x00\x40\x20"
    "\x00\x00\x41\xdc\x00\x00\x42\x03\x00\x00\x41\x44\x00\x00\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x0a\x74\x72\x65\x65\x5f\x70\x61\x72\x61\x6d\x7b\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x0b\x6e\x75\x6d\x5f\x64\x65\x6c\x65\x74\x65\x64"
    "\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x30\x4c\x00\x00\x00\x00\x00\x00"
    "\x00\x0b\x6e\x75\x6d\x5f\x66\x65\x61\x74\x75\x72\x65\x53\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x01\x34\x4c\x00\x00\x00\x00\x00\x00\x00\x09\x6e\x75\x6d"
    "\x5f\x6e\x6f\x64\x65\x73\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x37\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x10\x73\x69\x7a\x65\x5f\x6c\x65\x61\x66\x5f"
    "\x76\x65\x63\x74\x6f\x72\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x30\x7d"
    "\x7d\x7b\x4c\x00\x00\x00\x00\x00\x00\x00\x0c\x62\x61\x73\x65\x5f\x77\x65"
    "\x69\x67\x68\x74\x73\x5b\x24\x64\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07"
    "\xbc\x29\x6d\x73\x3f\x14\x1a\x02\xbf\x33\x8a\x58\xbe\x89\x3c\xa6\x3f\x99"
    "\x6c\x52\xbf\x9b\x08\xf6\x3d\x93\xfc\x39\x4c\x00\x00\x00\x00\x00\x00\x00"
    "\x0a\x63\x61\x74\x65\x67\x6f\x72\x69\x65\x73\x5b\x24\x6c\x23\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x10\x63\x61\x74"
    "\x65\x67\x6f\x72\x69\x65\x73\x5f\x6e\x6f\x64\x65\x73\x5b\x24\x6c\x23\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x13\x63"
    "\x61\x74\x65\x67\x6f\x72\x69\x65\x73\x5f\x73\x65\x67\x6d\x65\x6e\x74\x73"
    "\x5b\x24\x4c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00"
    "\x00\x00\x00\x10\x63\x61\x74\x65\x67\x6f\x72\x69\x65\x73\x5f\x73\x69\x7a"
    "\x65\x73\x5b\x24\x4c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x0c\x64\x65\x66\x61\x75\x6c\x74\x5f\x6c\x65\x66\x74"
    "\x5b\x24\x55\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x00\x01\x00\x00\x00"
    "\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x02\x69\x64\x69\x01\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x0d\x6c\x65\x66\x74\x5f\x63\x68\x69\x6c\x64\x72\x65"
    "\x6e\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x01"
    "\x00\x00\x00\x03\x00\x00\x00\x05\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
    "\xff\xff\xff\xff\xff\xff\x4c\x00\x00\x00\x00\x00\x00\x00\x0c\x6c\x6f\x73"
    "\x73\x5f\x63\x68\x61\x6e\x67\x65\x73\x5b\x24\x64\x23\x4c\x00\x00\x00\x00"
    "\x00\x00\x00\x07\x41\xe2\xdc\x77\x41\xa0\xa0\xc2\x41\x4b\xb9\x5c\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x07\x70\x61\x72\x65\x6e\x74\x73\x5b\x24\x6c\x23\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x07\x7f\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x02\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x0e\x72\x69\x67\x68\x74\x5f\x63\x68\x69\x6c"
    "\x64\x72\x65\x6e\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x00"
    "\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x06\xff\xff\xff\xff\xff\xff\xff"
    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x4c\x00\x00\x00\x00\x00\x00\x00\x10"
    "\x73\x70\x6c\x69\x74\x5f\x63\x6f\x6e\x64\x69\x74\x69\x6f\x6e\x73\x5b\x24"
    "\x64\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x3e\x8e\x58\x3e\xbf\x01\xea"
    "\x65\x3f\x26\xc7\x05\xbe\x09\x3c\xa6\x3f\x19\x6c\x52\xbf\x1b\x08\xf6\x3d"
    "\x13\xfc\x39\x4c\x00\x00\x00\x00\x00\x00\x00\x0d\x73\x70\x6c\x69\x74\x5f"
    "\x69\x6e\x64\x69\x63\x65\x73\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00"
    "\x00\x07\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x0a\x73\x70\x6c\x69\x74\x5f\x74\x79\x70\x65\x5b\x24\x55\x23\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x0b\x73\x75\x6d\x5f\x68\x65\x73\x73\x69\x61\x6e\x5b"
    "\x24\x64\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x42\x87\x63\xf2\x42\x12"
    "\x8b\x9f\x41\xf8\x78\x8a\x41\x7b\xac\xe5\x41\xa7\x40\xcc\x41\x93\x08\x9a"
    "\x41\x4a\xdf\xe1\x4c\x00\x00\x00\x00\x00\x00\x00\x0a\x74\x72\x65\x65\x5f"
    "\x70\x61\x72\x61\x6d\x7b\x4c\x00\x00\x00\x00\x00\x00\x00\x0b\x6e\x75\x6d"
    "\x5f\x64\x65\x6c\x65\x74\x65\x64\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01"
    "\x30\x4c\x00\x00\x00\x00\x00\x00\x00\x0b\x6e\x75\x6d\x5f\x66\x65\x61\x74"
    "\x75\x72\x65\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x34\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x09\x6e\x75\x6d\x5f\x6e\x6f\x64\x65\x73\x53\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x01\x37\x4c\x00\x00\x00\x00\x00\x00\x00\x10\x73\x69"
    "\x7a\x65\x5f\x6c\x65\x61\x66\x5f\x76\x65\x63\x74\x6f\x72\x53\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x01\x30\x7d\x7d\x7b\x4c\x00\x00\x00\x00\x00\x00\x00"
    "\x0c\x62\x61\x73\x65\x5f\x77\x65\x69\x67\x68\x74\x73\x5b\x24\x64\x23\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x07\xbc\x2d\xc4\x7d\xbf\x20\xa6\x8f\x3f\x09"
    "\x54\xbd\xbe\xa5\xcc\xc7\xbf\xb1\x8e\x38\xbe\x33\x7f\x35\x3f\x87\x14\x27"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x0a\x63\x61\x74\x65\x67\x6f\x72\x69\x65"
    "\x73\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x10\x63\x61\x74\x65\x67\x6f\x72\x69\x65\x73\x5f\x6e\x6f"
    "\x64\x65\x73\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x00\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x13\x63\x61\x74\x65\x67\x6f\x72\x69\x65\x73\x5f"
    "\x73\x65\x67\x6d\x65\x6e\x74\x73\x5b\x24\x4c\x23\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x10\x63\x61\x74\x65\x67\x6f"
    "\x72\x69\x65\x73\x5f\x73\x69\x7a\x65\x73\x5b\x24\x4c\x23\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x0c\x64\x65\x66\x61"
    "\x75\x6c\x74\x5f\x6c\x65\x66\x74\x5b\x24\x55\x23\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x07\x01\x01\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00"
    "\x02\x69\x64\x69\x02\x4c\x00\x00\x00\x00\x00\x00\x00\x0d\x6c\x65\x66\x74"
    "\x5f\x63\x68\x69\x6c\x64\x72\x65\x6e\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00"
    "\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00\x03\x00\x00\x00\x05\xff\xff"
    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x0c\x6c\x6f\x73\x73\x5f\x63\x68\x61\x6e\x67\x65\x73\x5b"
    "\x24\x64\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x41\xa5\x40\x4b\x40\xc5"
    "\xed\x14\x41\x42\xb1\x98\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x70\x61\x72\x65\x6e"
    "\x74\x73\x5b\x24\x6c\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x7f\xff\xff"
    "\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00"
    "\x00\x00\x02\x00\x00\x00\x02\x4c\x00\x00\x00\x00\x00\x00\x00\x0e\x72\x69"
    "\x67\x68\x74\x5f\x63\x68\x69\x6c\x64\x72\x65\x6e\x5b\x24\x6c\x23\x4c\x00"
    "\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00"
    "\x06\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x10\x73\x70\x6c\x69\x74\x5f\x63\x6f\x6e\x64"
    "\x69\x74\x69\x6f\x6e\x73\x5b\x24\x64\x23\x4c\x00\x00\x00\x00\x00\x00\x00"
    "\x07\xbe\xbd\xe2\xe8\x3f\x0f\xec\x8c\x3d\xae\xd8\x66\xbe\x25\xcc\xc7\xbf"
    "\x31\x8e\x38\xbd\xb3\x7f\x35\x3f\x07\x14\x27\x4c\x00\x00\x00\x00\x00\x00"
    "\x00\x0d\x73\x70\x6c\x69\x74\x5f\x69\x6e\x64\x69\x63\x65\x73\x5b\x24\x6c"
    "\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00\x03"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x0a\x73\x70\x6c\x69\x74\x5f\x74"
    "\x79\x70\x65\x5b\x24\x55\x23\x4c\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00"
    "\x00\x00\x00\x00\x00\x4c\x00\x00\x00\x00\x00\x00\x00\x0b\x73\x75\x6d\x5f"
    "\x68\x65\x73\x73\x69\x61\x6e\x5b\x24\x64\x23\x4c\x00\x00\x00\x00\x00\x00"
    "\x00\x07\x42\x6c\xd4\x08\x41\xde\x0e\x9b\x41\xfb\x99\x75\x41\xa6\xc8\x75"
    "\x40\xdd\x18\x95\x41\x58\xa1\x4e\x41\x8f\x48\xce\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x0a\x74\x72\x65\x65\x5f\x70\x61\x72\x61\x6d\x7b\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x0b\x6e\x75\x6d\x5f\x64\x65\x6c\x65\x74\x65\x64\x53\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x01\x30\x4c\x00\x00\x00\x00\x00\x00\x00\x0b"
    "\x6e\x75\x6d\x5f\x66\x65\x61\x74\x75\x72\x65\x53\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x01\x34\x4c\x00\x00\x00\x00\x00\x00\x00\x09\x6e\x75\x6d\x5f\x6e"
    "\x6f\x64\x65\x73\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x37\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x10\x73\x69\x7a\x65\x5f\x6c\x65\x61\x66\x5f\x76\x65"
    "\x63\x74\x6f\x72\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x30\x7d\x7d\x7d"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x04\x6e\x61\x6d\x65\x53\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x06\x67\x62\x74\x72\x65\x65\x7d\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x13\x6c\x65\x61\x72\x6e\x65\x72\x5f\x6d\x6f\x64\x65\x6c\x5f\x70"
    "\x61\x72\x61\x6d\x7b\x4c\x00\x00\x00\x00\x00\x00\x00\x0a\x62\x61\x73\x65"
    "\x5f\x73\x63\x6f\x72\x65\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x04\x35\x45"
    "\x2d\x31\x4c\x00\x00\x00\x00\x00\x00\x00\x12\x62\x6f\x6f\x73\x74\x5f\x66"
    "\x72\x6f\x6d\x5f\x61\x76\x65\x72\x61\x67\x65\x53\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x01\x31\x4c\x00\x00\x00\x00\x00\x00\x00\x09\x6e\x75\x6d\x5f\x63"
    "\x6c\x61\x73\x73\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x30\x4c\x00\x00"
    "\x00\x00\x00\x00\x00\x0b\x6e\x75\x6d\x5f\x66\x65\x61\x74\x75\x72\x65\x53"
    "\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x34\x4c\x00\x00\x00\x00\x00\x00\x00"
    "\x0a\x6e\x75\x6d\x5f\x74\x61\x72\x67\x65\x74\x53\x4c\x00\x00\x00\x00\x00"
    "\x00\x00\x01\x31\x7d\x4c\x00\x00\x00\x00\x00\x00\x00\x09\x6f\x62\x6a\x65"
    "\x63\x74\x69\x76\x65\x7b\x4c\x00\x00\x00\x00\x00\x00\x00\x04\x6e\x61\x6d"
    "\x65\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x0f\x62\x69\x6e\x61\x72\x79\x3a"
    "\x6c\x6f\x67\x69\x73\x74\x69\x63\x4c\x00\x00\x00\x00\x00\x00\x00\x0e\x72"
    "\x65\x67\x5f\x6c\x6f\x73\x73\x5f\x70\x61\x72\x61\x6d\x7b\x4c\x00\x00\x00"
    "\x00\x00\x00\x00\x10\x73\x63\x61\x6c\x65\x5f\x70\x6f\x73\x5f\x77\x65\x69"
    "\x67\x68\x74\x53\x4c\x00\x00\x00\x00\x00\x00\x00\x01\x31\x7d\x7d\x7d\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x07\x76\x65\x72\x73\x69\x6f\x6e\x5b\x23\x4c"
    "\x00\x00\x00\x00\x00\x00\x00\x03\x69\x01\x69\x07\x69\x04\x7d";

/* xgboost's margins and probabilities of five rows (bits from
 * Booster.predict, printed with float.hex()). */
static const float golden_rows[5][4] = {
    {0.1f, -0.2f, 0.3f, 0.4f},
    {NAN, 1.0f, NAN, -1.0f},
    {-2.0f, NAN, 0.0f, NAN},
    {NAN, NAN, NAN, NAN},
    {3.0f, 3.0f, 3.0f, 3.0f},
};
static const float golden_margin[5] = {
    -0x1.90357ap-1f, 0x1.13ed68p+0f, -0x1.78a216p+0f, -0x1.a8b2b6p-1f,
    0x1.eb8604p-1f,
};
static const float golden_prob[5] = {
    0x1.417f6cp-2f, 0x1.7dfee2p-1f, 0x1.7e7a54p-3f, 0x1.370b16p-2f,
    0x1.723d34p-1f,
};

/* ---- helpers ------------------------------------------------------------ */

static kiln__xgb_model *load_ok(const void *bytes, size_t len)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_model *m = NULL;
    int rc = kiln__xgb_load(bytes, len, "model.bin", &m, &err);
    if (rc != KILN_OK)
        fail_msg("load: %s", err.message);
    assert_non_null(m);
    return m;
}

/* Load that must fail with KILN_DATA; the message names the file and
 * holds want (when given). */
static void load_bad(const void *bytes, size_t len, const char *want)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_model *m = NULL;
    int rc = kiln__xgb_load(bytes, len, "bad-model", &m, &err);
    if (rc != KILN_DATA)
        fail_msg("expected a DataError%s%s, got %d (%s)", want ? " with " : "",
                 want ? want : "", rc, err.message);
    assert_null(m);
    assert_int_equal(err.code, KILN_DATA);
    assert_non_null(strstr(err.message, "bad-model"));
    if (want != NULL && strstr(err.message, want) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
}

/* Load that may succeed or fail with KILN_DATA, never anything else. */
static void load_any(const void *bytes, size_t len)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_model *m = NULL;
    int rc = kiln__xgb_load(bytes, len, "fuzzed", &m, &err);
    if (rc != KILN_OK && rc != KILN_DATA)
        fail_msg("load gave %d: %s", rc, err.message);
    kiln__xgb_model_free(m);
}

static char *save_ok(const kiln__xgb_model *m, size_t *len)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln__xgb_save_json(m, &b, &err), KILN_OK);
    *len = b.len;
    return kiln_buf_steal(&b);
}

static void assert_trees_equal(const kiln__xgb_tree *a, const kiln__xgb_tree *b)
{
    assert_int_equal(a->n, b->n);
    size_t n = (size_t)a->n;
    assert_memory_equal(a->left, b->left, n * sizeof *a->left);
    assert_memory_equal(a->right, b->right, n * sizeof *a->right);
    assert_memory_equal(a->parent, b->parent, n * sizeof *a->parent);
    assert_memory_equal(a->split_index, b->split_index, n * 4);
    assert_memory_equal(a->split_cond, b->split_cond, n * 4);
    assert_memory_equal(a->default_left, b->default_left, n);
    assert_memory_equal(a->base_weight, b->base_weight, n * 4);
    assert_memory_equal(a->loss_change, b->loss_change, n * 4);
    assert_memory_equal(a->sum_hess, b->sum_hess, n * 4);
}

static void assert_models_equal(const kiln__xgb_model *a,
                                const kiln__xgb_model *b)
{
    assert_ptr_equal(a->objective, b->objective);
    assert_int_equal(a->num_feature, b->num_feature);
    assert_int_equal(a->num_class, b->num_class);
    assert_int_equal(a->num_group, b->num_group);
    assert_true(a->base_score == b->base_score);
    assert_memory_equal(&a->base_margin, &b->base_margin, sizeof(float));
    assert_true(a->params.scale_pos_weight == b->params.scale_pos_weight);
    assert_true(a->params.tweedie_variance_power ==
                b->params.tweedie_variance_power);
    assert_true(a->params.huber_slope == b->params.huber_slope);
    assert_true(a->params.poisson_max_delta_step ==
                b->params.poisson_max_delta_step);
    assert_int_equal(a->params.num_class, b->params.num_class);
    assert_int_equal(a->best_iteration, b->best_iteration);
    assert_int_equal(a->best_ntree_limit, b->best_ntree_limit);
    assert_int_equal(a->ntrees, b->ntrees);
    for (size_t i = 0; i < a->ntrees; i++) {
        assert_int_equal(a->tree_info[i], b->tree_info[i]);
        assert_trees_equal(&a->trees[i], &b->trees[i]);
    }
}

/* The golden JSON with the first occurrence of from replaced by to. */
static char *golden_with(const char *from, const char *to)
{
    const char *at = strstr(golden_json, from);
    if (at == NULL)
        fail_msg("\"%s\" is not in the golden model", from);
    size_t head = (size_t)(at - golden_json), n = strlen(golden_json);
    char *s = malloc(n - strlen(from) + strlen(to) + 1);
    assert_non_null(s);
    memcpy(s, golden_json, head);
    strcpy(s + head, to);
    strcat(s, at + strlen(from));
    return s;
}

static void bad_json_edit(const char *from, const char *to, const char *want)
{
    char *s = golden_with(from, to);
    load_bad(s, strlen(s), want);
    free(s);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* ---- the golden model --------------------------------------------------- */

static void test_golden_formats_agree(void **state)
{
    (void)state;
    kiln__xgb_model *j = load_ok(golden_json, sizeof golden_json - 1);
    kiln__xgb_model *b = load_ok(golden_binary, sizeof golden_binary - 1);
    kiln__xgb_model *u = load_ok(golden_ubj, sizeof golden_ubj - 1);
    assert_string_equal(j->objective->name, "binary:logistic");
    assert_int_equal(j->num_feature, 4);
    assert_int_equal(j->ntrees, 3);
    assert_int_equal(j->best_iteration, 2);
    assert_int_equal(j->best_ntree_limit, 3);
    assert_true(j->base_score == 0.5);
    assert_models_equal(j, b);
    assert_models_equal(j, u);
    kiln__xgb_model_free(j);
    kiln__xgb_model_free(b);
    kiln__xgb_model_free(u);
}

static void test_golden_predictions(void **state)
{
    (void)state;
    const char *blobs[3] = {golden_json, golden_binary, golden_ubj};
    size_t lens[3] = {sizeof golden_json - 1, sizeof golden_binary - 1,
                      sizeof golden_ubj - 1};
    kiln_error err;
    kiln_error_init(&err);
    for (int f = 0; f < 3; f++) {
        kiln__xgb_model *m = load_ok(blobs[f], lens[f]);
        kiln_dataset *x = kiln_dataset_new(0, 4);
        kiln_dataset *sp = kiln_dataset_new(KILN_DATASET_SPARSE, 4);
        for (int i = 0; i < 5; i++) {
            float *row = kiln_dataset_push_dense(x, 0, 1, &err);
            memcpy(row, golden_rows[i], sizeof golden_rows[i]);
            uint32_t idx[4];
            float val[4];
            size_t nnz = 0;
            for (uint32_t c = 0; c < 4; c++)
                if (!isnan(golden_rows[i][c])) {
                    idx[nnz] = c;
                    val[nnz++] = golden_rows[i][c];
                }
            assert_int_equal(kiln_dataset_push_sparse(sp, idx, val, nnz, 0, 1,
                                                      &err),
                             KILN_OK);
        }
        float margin[5], smargin[5];
        kiln__xgb_predict_margin(m, x, 0, 1, margin);
        kiln__xgb_predict_margin(m, sp, 0, 1, smargin);
        assert_memory_equal(margin, golden_margin, sizeof margin);
        assert_memory_equal(smargin, golden_margin, sizeof smargin);
        m->objective->transform(&m->params, margin, 5, 1, false);
        for (int i = 0; i < 5; i++)
            assert_float_equal(margin[i], golden_prob[i], 1e-7);
        kiln_dataset_free(x);
        kiln_dataset_free(sp);
        kiln__xgb_model_free(m);
    }
}

/* kiln's JSON of the golden model is xgboost's, from every format. */
static void test_golden_written_back(void **state)
{
    (void)state;
    const char *blobs[3] = {golden_json, golden_binary, golden_ubj};
    size_t lens[3] = {sizeof golden_json - 1, sizeof golden_binary - 1,
                      sizeof golden_ubj - 1};
    for (int f = 0; f < 3; f++) {
        kiln__xgb_model *m = load_ok(blobs[f], lens[f]);
        size_t len;
        char *text = save_ok(m, &len);
        assert_int_equal(len, strlen(golden_json));
        assert_string_equal(text, golden_json);
        free(text);
        kiln__xgb_model_free(m);
    }
}

/* save appends to the buffer it is given. */
static void test_save_appends(void **state)
{
    (void)state;
    kiln__xgb_model *m = load_ok(golden_json, sizeof golden_json - 1);
    kiln_error err;
    kiln_error_init(&err);
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln_buf_puts(&b, "prefix:"), KILN_OK);
    assert_int_equal(kiln__xgb_save_json(m, &b, &err), KILN_OK);
    assert_int_equal(strncmp(b.data, "prefix:{\"learner\"", 17), 0);
    assert_string_equal(b.data + 7, golden_json);
    kiln_buf_fini(&b);
    kiln__xgb_model_free(m);
}

/* ---- numbers ------------------------------------------------------------ */

/* A one-tree model whose leaf values are vals (a chain of splits). */
static kiln__xgb_model *leaf_model(const float *vals, int n)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_obj_params p = {0};
    p.scale_pos_weight = 1;
    p.tweedie_variance_power = 1.5;
    p.huber_slope = 1;
    p.poisson_max_delta_step = 0.7;
    kiln__xgb_model *m = kiln__xgb_model_new(
        kiln__xgb_objective_find("reg:squarederror"), &p, 1, 0.5);
    assert_non_null(m);
    kiln__xgb_tree t;
    assert_int_equal(kiln__xgb_tree_init(&t, 4), KILN_OK);
    int32_t node = kiln__xgb_tree_add_node(&t, -1);
    for (int i = 0; i < n; i++) {
        int32_t l = kiln__xgb_tree_add_node(&t, node);
        int32_t r = kiln__xgb_tree_add_node(&t, node);
        t.split_cond[node] = (float)i;
        t.split_cond[l] = vals[i];
        t.base_weight[l] = vals[n - 1 - i];
        t.loss_change[node] = vals[i];
        t.sum_hess[r] = vals[i];
        node = r;
    }
    assert_int_equal(kiln__xgb_model_add_tree(m, &t, 0, &err), KILN_OK);
    return m;
}

static void test_float_format(void **state)
{
    (void)state;
    /* xgboost 1.7.4's JSON text of each float (Ryu's shortest form). */
    static const struct {
        float v;
        const char *text;
    } cases[] = {
        {0.5f, "5E-1"},
        {50.0f, "5E1"},
        {0.0f, "0E0"},
        {-0.0f, "-0E0"},
        {0.1f, "1E-1"},
        {-0.2000000179f, "-2.0000002E-1"},
        {1.3725491E-1f, "1.3725491E-1"},
        {1.0f, "1E0"},
        {16777216.0f, "1.6777216E7"},
        {FLT_MAX, "3.4028235E38"},
        {FLT_MIN, "1.1754944E-38"},
        {1e-45f, "1E-45"},
        {-123456.79f, "-1.2345679E5"},
        {2.1474836E9f, "2.1474836E9"},
        {7.038531e-26f, "7.038531E-26"},
    };
    size_t n = sizeof cases / sizeof cases[0];
    float vals[32];
    for (size_t i = 0; i < n; i++)
        vals[i] = cases[i].v;
    kiln__xgb_model *m = leaf_model(vals, (int)n);
    size_t len;
    char *text = save_ok(m, &len);
    for (size_t i = 0; i < n; i++) {
        char want[64];
        snprintf(want, sizeof want, ",%s,", cases[i].text);
        if (strstr(text, want) == NULL)
            fail_msg("%a is not written as %s", (double)cases[i].v,
                     cases[i].text);
    }
    kiln__xgb_model *back = load_ok(text, len);
    assert_models_equal(m, back);
    free(text);
    kiln__xgb_model_free(back);
    kiln__xgb_model_free(m);
}

/* Random float bits, and floats next to powers of two (where the
 * rounding interval is lopsided), all come back bit for bit. */
static void test_float_round_trip(void **state)
{
    (void)state;
    enum { N = 3000 };
    float *vals = malloc(N * sizeof *vals);
    assert_non_null(vals);
    for (int i = 0; i < N; i++) {
        uint32_t bits;
        float f;
        do {
            bits = (uint32_t)rng_next();
            if (i % 3 == 0) /* a power of two or its neighbours */
                bits = (bits & 0xff800000u) + (uint32_t)(i % 5) - 2u;
            memcpy(&f, &bits, sizeof f);
        } while (!isfinite(f));
        vals[i] = f;
    }
    kiln__xgb_model *m = leaf_model(vals, N);
    size_t len;
    char *text = save_ok(m, &len);
    kiln__xgb_model *back = load_ok(text, len);
    assert_models_equal(m, back);
    free(text);
    free(vals);
    kiln__xgb_model_free(back);
    kiln__xgb_model_free(m);
}

/* ---- every objective ---------------------------------------------------- */

static kiln__xgb_model *objective_model(const char *name)
{
    kiln_error err;
    kiln_error_init(&err);
    const kiln__xgb_objective *obj = kiln__xgb_objective_find(name);
    assert_non_null(obj);
    kiln__xgb_obj_params p = {0};
    p.scale_pos_weight = 0.3;
    p.tweedie_variance_power = 1.3;
    p.huber_slope = 0.7;
    p.poisson_max_delta_step = 0.45;
    p.num_class = obj->kind == KILN__XGB_OBJ_MULTI ? 3 : 0;
    double base = obj->kind == KILN__XGB_OBJ_BINARY ? 0.25 : 1.75;
    kiln__xgb_model *m = kiln__xgb_model_new(obj, &p, 5, base);
    assert_non_null(m);
    for (int round = 0; round < 2; round++)
        for (int g = 0; g < m->num_group; g++) {
            kiln__xgb_tree t;
            assert_int_equal(kiln__xgb_tree_init(&t, 1), KILN_OK);
            int32_t root = kiln__xgb_tree_add_node(&t, -1);
            kiln__xgb_tree_add_node(&t, root);
            kiln__xgb_tree_add_node(&t, root);
            t.split_index[root] = (g + round) % 5;
            t.split_cond[root] = 0.25f * (float)g;
            t.default_left[root] = (uint8_t)(round & 1);
            t.split_cond[1] = -0.125f * (float)(g + 1);
            t.split_cond[2] = 0.5f;
            t.sum_hess[0] = 10;
            t.loss_change[0] = 3.5f;
            assert_int_equal(kiln__xgb_model_add_tree(m, &t, g, &err),
                             KILN_OK);
        }
    m->best_iteration = 1;
    m->best_ntree_limit = 2 * m->num_group;
    return m;
}

static void test_every_objective_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; kiln__xgb_objective_names[i] != NULL; i++) {
        const char *name = kiln__xgb_objective_names[i];
        kiln__xgb_model *m = objective_model(name);
        size_t len;
        char *text = save_ok(m, &len);
        kiln__xgb_model *back = load_ok(text, len);
        /* Parameters are written as floats ("%.9g" of the float). */
        m->params.scale_pos_weight = (float)m->params.scale_pos_weight;
        m->params.tweedie_variance_power =
            (float)m->params.tweedie_variance_power;
        m->params.huber_slope = (float)m->params.huber_slope;
        m->params.poisson_max_delta_step =
            (float)m->params.poisson_max_delta_step;
        const char *fam = strstr(text, "\"objective\":");
        assert_non_null(fam);
        /* Only the objective's own parameters are in the file. */
        if (strstr(fam, "reg_loss_param") == NULL)
            back->params.scale_pos_weight = m->params.scale_pos_weight;
        if (strstr(fam, "tweedie_regression_param") == NULL)
            back->params.tweedie_variance_power =
                m->params.tweedie_variance_power;
        if (strstr(fam, "pseudo_huber_param") == NULL)
            back->params.huber_slope = m->params.huber_slope;
        if (strstr(fam, "poisson_regression_param") == NULL)
            back->params.poisson_max_delta_step =
                m->params.poisson_max_delta_step;
        assert_models_equal(m, back);
        size_t len2;
        char *again = save_ok(back, &len2);
        assert_string_equal(text, again);
        free(again);
        free(text);
        kiln__xgb_model_free(back);
        kiln__xgb_model_free(m);
    }
}

static void test_objective_params_text(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text;
    } cases[] = {
        {"binary:logistic",
         "\"objective\":{\"name\":\"binary:logistic\",\"reg_loss_param\":{"
         "\"scale_pos_weight\":\"0.300000012\"}}"},
        {"reg:tweedie",
         "{\"name\":\"reg:tweedie\",\"tweedie_regression_param\":{"
         "\"tweedie_variance_power\":\"1.29999995\"}}"},
        {"count:poisson",
         "{\"name\":\"count:poisson\",\"poisson_regression_param\":{"
         "\"max_delta_step\":\"0.449999988\"}}"},
        {"reg:pseudohubererror",
         "{\"name\":\"reg:pseudohubererror\",\"pseudo_huber_param\":{"
         "\"huber_slope\":\"0.699999988\"}}"},
        {"multi:softprob",
         "{\"name\":\"multi:softprob\",\"softmax_multiclass_param\":{"
         "\"num_class\":\"3\"}}"},
        {"reg:gamma", "\"objective\":{\"name\":\"reg:gamma\"}}"},
        {"reg:linear", "{\"name\":\"reg:squarederror\",\"reg_loss_param\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln__xgb_model *m = objective_model(cases[i].name);
        size_t len;
        char *text = save_ok(m, &len);
        if (strstr(text, cases[i].text) == NULL)
            fail_msg("%s: no %s in %s", cases[i].name, cases[i].text,
                     strstr(text, "\"objective\""));
        if (strcmp(cases[i].name, "multi:softprob") == 0)
            assert_non_null(strstr(text, "\"num_class\":\"3\",\"num_feature"));
        free(text);
        kiln__xgb_model_free(m);
    }
}

/* ---- corrupt JSON ------------------------------------------------------- */

static void test_json_truncated(void **state)
{
    (void)state;
    size_t n = strlen(golden_json);
    for (size_t len = 0; len < n; len++)
        load_bad(golden_json, len, NULL);
}

static void test_json_edits(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to, *want;
    } cases[] = {
        {"\"left_children\":[1,", "\"left_children\":[0,", "reached twice"},
        {"\"right_children\":[2,", "\"right_children\":[99,",
         "tree 0: node 0: right child 99 is not a node"},
        {"\"right_children\":[2,", "\"right_children\":[-2,",
         "right_children[0] = -2 is out of range"},
        {"\"left_children\":[1,3,", "\"left_children\":[1,2,",
         "reached twice"},
        {"\"split_indices\":[3,", "\"split_indices\":[4,",
         "node 0: splits on feature 4, but the model has 4 features"},
        {"\"split_indices\":[3,", "\"split_indices\":[-1,",
         "split_indices[0] = -1"},
        {"\"num_nodes\":\"7\"", "\"num_nodes\":\"8\"",
         "tree 0: left_children has 7 values, expected 8 (num_nodes)"},
        {"\"num_nodes\":\"7\"", "\"num_nodes\":\"2147483647\"",
         "expected 2147483647"},
        {"\"num_nodes\":\"7\"", "\"num_nodes\":\"-1\"", "num_nodes"},
        {"\"num_nodes\":\"7\"", "\"num_nodes\":\"0\"", "num_nodes"},
        {"\"split_conditions\":[", "\"split_conditions\":\"x\",\"y\":[",
         "tree 0: split_conditions is a string, expected an array"},
        {"\"sum_hessian\":[7.5E1", "\"sum_hessian\":[\"7.5E1\"",
         "sum_hessian[0] is a string, expected a number"},
        {"\"default_left\":[0", "\"default_left\":[2",
         "default_left[0] is an integer, expected 0 or 1"},
        {"\"parents\":[2147483647,0,0,1,1,2,2]",
         "\"parents\":[2147483647,0,0,1,1,2,1]",
         "right child 6 names node 1 as its parent"},
        {"\"split_type\":[0,", "\"split_type\":[1,",
         "categorical splits are not supported"},
        {"\"categories_nodes\":[]", "\"categories_nodes\":[0]",
         "categorical splits are not supported"},
        {"\"feature_types\":[]", "\"feature_types\":[\"q\",\"c\"]",
         "feature 1 is categorical"},
        {"binary:logistic", "rank:pairwise",
         "objective \"rank:pairwise\" is not supported"},
        {"\"name\":\"gbtree\"", "\"name\":\"gblinear\"",
         "booster \"gblinear\" is not supported"},
        {"\"num_class\":\"0\"", "\"num_class\":\"3\"",
         "num_class 3 with objective binary:logistic"},
        {"\"num_target\":\"1\"", "\"num_target\":\"2\"", "multi-target"},
        {"\"base_score\":\"5E-1\"", "\"base_score\":\"half\"",
         "learner.learner_model_param.base_score is not a number"},
        {"\"num_feature\":\"4\",\"num_target\"",
         "\"num_feature\":\"-4\",\"num_target\"", "num_feature = -4"},
        {"\"tree_info\":[0,0,0]", "\"tree_info\":[0,0,1]",
         "tree_info[2] is not an output group 0..0"},
        {"\"tree_info\":[0,0,0]", "\"tree_info\":[0,0]",
         "num_trees is 3, but there are 3 trees and 2 tree_info entries"},
        {"\"id\":1,", "\"id\":0,", "two trees have id 0"},
        {"\"id\":1,", "\"id\":7,", "trees[1].id = 7"},
        {"\"size_leaf_vector\":\"0\"}}", "\"size_leaf_vector\":\"3\"}}",
         "vector leaves"},
        {"\"learner\":{", "\"learner_\":{", "has no \"learner\""},
        {"\"tree_param\":{", "\"tree_parameters\":{",
         "tree 0 has no \"tree_param\""},
        {"\"best_iteration\":\"2\"", "\"best_iteration\":\"two\"",
         "best_iteration is not a number"},
        {"{\"learner\"", "[{\"learner\"", "not an xgboost model"},
        {"\"version\":[1,7,4]}", "\"version\":[1,7,4]", "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad_json_edit(cases[i].from, cases[i].to, cases[i].want);
}

/* Older xgboost wrote default_left as booleans, and no categories. */
static void test_json_lenient(void **state)
{
    (void)state;
    char *s = golden_with("\"default_left\":[0,0,1,0,0,0,0]",
                          "\"default_left\":[false,false,true,false,false,"
                          "false,false]");
    kiln__xgb_model *a = load_ok(s, strlen(s));
    kiln__xgb_model *b = load_ok(golden_json, strlen(golden_json));
    assert_models_equal(a, b);
    free(s);
    s = golden_with("\"categories\":[],\"categories_nodes\":[],"
                    "\"categories_segments\":[],\"categories_sizes\":[],",
                    "");
    kiln__xgb_model *c = load_ok(s, strlen(s));
    assert_models_equal(c, b);
    free(s);
    /* Leading white space is still JSON. */
    size_t n = strlen(golden_json);
    char *ws = malloc(n + 3);
    assert_non_null(ws);
    memcpy(ws, " \n", 2);
    memcpy(ws + 2, golden_json, n + 1);
    kiln__xgb_model *d = load_ok(ws, n + 2);
    assert_models_equal(d, b);
    free(ws);
    kiln__xgb_model_free(a);
    kiln__xgb_model_free(b);
    kiln__xgb_model_free(c);
    kiln__xgb_model_free(d);
}

/* ---- corrupt binary and UBJSON ------------------------------------------ */

static void test_binary_truncated(void **state)
{
    (void)state;
    size_t n = sizeof golden_binary - 1;
    /* The last bytes are the attributes' tail: every cut before the end of
     * the trees must fail; later cuts may not be noticed (xgboost does
     * not either) but must not crash. */
    for (size_t len = 0; len < n; len++) {
        if (len < 1200)
            load_bad(golden_binary, len, NULL);
        else
            load_any(golden_binary, len);
    }
    load_bad(golden_binary, 100, "the file ends inside the learner's "
                                 "parameters");
}

static void test_ubjson_truncated(void **state)
{
    (void)state;
    size_t n = sizeof golden_ubj - 1;
    for (size_t len = 1; len < n; len++)
        load_bad(golden_ubj, len, NULL);
}

/* Every byte flipped, one at a time: a DataError or a model that still
 * checks out, never a crash or a read out of bounds. */
static void test_flipped_bytes(void **state)
{
    (void)state;
    const char *blobs[3] = {golden_binary, golden_ubj, golden_json};
    size_t lens[3] = {sizeof golden_binary - 1, sizeof golden_ubj - 1,
                      sizeof golden_json - 1};
    for (int f = 0; f < 3; f++) {
        unsigned char *copy = malloc(lens[f]);
        assert_non_null(copy);
        for (size_t i = 0; i < lens[f]; i++) {
            memcpy(copy, blobs[f], lens[f]);
            copy[i] ^= (unsigned char)(1u << (i % 8)) | 0x80u;
            load_any(copy, lens[f]);
        }
        free(copy);
    }
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Offsets in the golden binary: "binf", learner params (136), objective
 * name (8 + 15), booster name (8 + 6), gbtree params (160), tree 0. */
enum {
    OFF_LEARNER = 4,
    OFF_OBJ_LEN = 4 + 136,
    OFF_GBTREE = 4 + 136 + 8 + 15 + 8 + 6,
    OFF_TREE0 = OFF_GBTREE + 160,
    OFF_NODES0 = OFF_TREE0 + 148,
};

static void bad_binary_edit(size_t offset, uint32_t value, const char *want)
{
    size_t n = sizeof golden_binary - 1;
    unsigned char *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, golden_binary, n);
    put_le32(copy + offset, value);
    load_bad(copy, n, want);
    free(copy);
}

static void test_binary_edits(void **state)
{
    (void)state;
    assert_memory_equal(golden_binary + OFF_OBJ_LEN + 8, "binary:logistic",
                        15);
    assert_memory_equal(golden_binary + OFF_GBTREE - 6, "gbtree", 6);
    bad_binary_edit(OFF_GBTREE, 100000, "num_trees 100000 does not fit");
    bad_binary_edit(OFF_GBTREE, 0x80000000u, "num_trees -2147483648");
    bad_binary_edit(OFF_TREE0, 2, "tree 0 has 2 roots, expected 1");
    bad_binary_edit(OFF_TREE0 + 4, 1000000, "num_nodes 1000000 does not fit");
    bad_binary_edit(OFF_TREE0 + 4, 0, "num_nodes 0");
    bad_binary_edit(OFF_TREE0 + 20, 2, "vector leaves");
    bad_binary_edit(OFF_OBJ_LEN, 1000000, "length 1000000");
    bad_binary_edit(OFF_LEARNER + 28, 3, "multi-target");
    bad_binary_edit(OFF_LEARNER + 8, 5, "num_class 5 with objective "
                                        "binary:logistic");
    /* Node 0's left child (bytes 4..7 of its 20) made a cycle, its split
     * feature (low 31 bits at 12..15) out of range. */
    bad_binary_edit(OFF_NODES0 + 4, 0, "reached twice");
    bad_binary_edit(OFF_NODES0 + 4, 7, "left child 7 is not a node");
    bad_binary_edit(OFF_NODES0 + 4, (uint32_t)-9, "child -9 is not a node");
    bad_binary_edit(OFF_NODES0 + 12, 0x80000009u, "splits on feature 9");
    /* The booster's name: "gbtree" -> "gblin\0"-like garbage. */
    size_t n = sizeof golden_binary - 1;
    unsigned char *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, golden_binary, n);
    memcpy(copy + OFF_GBTREE - 6, "gbline", 6);
    load_bad(copy, n, "booster \"gbline\" is not supported");
    /* Bytes from the file reach the message as printable ASCII only. */
    memcpy(copy + OFF_GBTREE - 6, "gb\xff\x01" "ee", 6);
    load_bad(copy, n, "booster \"gb??ee\" is not supported");
    free(copy);
}

/* The binary format without the "binf" header (before xgboost 1.6). */
static void test_binary_without_header(void **state)
{
    (void)state;
    kiln__xgb_model *a = load_ok(golden_binary + 4, sizeof golden_binary - 5);
    kiln__xgb_model *b = load_ok(golden_json, strlen(golden_json));
    assert_models_equal(a, b);
    kiln__xgb_model_free(a);
    kiln__xgb_model_free(b);
}

static void test_ubjson_edits(void **state)
{
    (void)state;
    /* Deeply nested arrays. */
    size_t n = 100000;
    char *deep = malloc(n);
    assert_non_null(deep);
    deep[0] = '{';
    deep[1] = 'i';
    deep[2] = 1;
    deep[3] = 'x';
    memset(deep + 4, '[', n - 4);
    load_bad(deep, n, "nested deeper than");
    /* A count larger than the file. */
    static const char huge[] = "{#L\x7f\xff\xff\xff\xff\xff\xff\xff";
    load_bad(huge, sizeof huge - 1, "more than the bytes left");
    static const char typed[] = "{i\x01x[$d#L\x00\x00\x00\x00\x40\x00\x00\x00";
    load_bad(typed, sizeof typed - 1, "more than the bytes left");
    static const char marker[] = "{i\x01xq}";
    load_bad(marker, sizeof marker - 1, "unknown marker");
    static const char empty[] = "{}";
    load_bad(empty, 2, "has no \"learner\"");
    free(deep);
}

static void test_not_a_model(void **state)
{
    (void)state;
    load_bad("", 0, "the model file is empty");
    load_bad("\x80\x04\x95\x10\x00\x00\x00", 7, "a Python pickle");
    load_bad("bs64AAAA", 8, "base64");
    load_bad("hello world", 11, "the file ends inside the learner's");
    load_bad("{\"learner\": 3}", 14, "learner is an integer, expected an "
                                     "object");
    load_bad("{ nope", 6, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_formats_agree),
        cmocka_unit_test(test_golden_predictions),
        cmocka_unit_test(test_golden_written_back),
        cmocka_unit_test(test_save_appends),
        cmocka_unit_test(test_float_format),
        cmocka_unit_test(test_float_round_trip),
        cmocka_unit_test(test_every_objective_round_trips),
        cmocka_unit_test(test_objective_params_text),
        cmocka_unit_test(test_json_truncated),
        cmocka_unit_test(test_json_edits),
        cmocka_unit_test(test_json_lenient),
        cmocka_unit_test(test_binary_truncated),
        cmocka_unit_test(test_ubjson_truncated),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_binary_edits),
        cmocka_unit_test(test_binary_without_header),
        cmocka_unit_test(test_ubjson_edits),
        cmocka_unit_test(test_not_a_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

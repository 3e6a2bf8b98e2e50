/* kiln — XGBoost model files, internal to xgb_model.c, xgb_json.c and
 * xgb_binary.c (everything else uses xgb.h: kiln__xgb_load and
 * kiln__xgb_save_json).
 *
 * kiln__xgb_load (xgb_binary.c) looks at the bytes as xgboost's
 * learner.cc does: '{' then '"' is JSON (read by xgb_json.c), '{' then a
 * letter UBJSON (decoded to a json_t by xgb_binary.c, then read by
 * xgb_json.c), anything else the legacy binary format (xgb_binary.c).  Every loader
 * checks each tree with kiln__xgb_tree_check before the model takes it,
 * so prediction can neither loop nor read out of bounds.
 */
#ifndef KILN_ALGOS_XGBOOST_XGB_IO_H
#define KILN_ALGOS_XGBOOST_XGB_IO_H

#include "xgb.h"

#include <jansson.h>
#include <stdarg.h>

/* xgboost marks a pruned ("deleted") node with split index 2^31 - 1 and
 * default_left set (RegTree::MarkDelete); such nodes stay in the arrays,
 * unreachable, and count in tree_param's num_deleted. */
#define KILN__XGB_DELETED_INDEX INT32_MAX

/* Whether tree t is one prediction can walk: at least one node; every
 * node reached from the root is reached once (no cycle, no shared child);
 * a split node's children are in range and name it as their parent, and
 * its feature is below num_feature.  Unreached nodes (pruned ones) are
 * allowed.  KILN_OK, KILN_DATA "<what>: tree <tree>: node <i>: ...", or
 * KILN_NOMEM. */
int kiln__xgb_tree_check(const kiln__xgb_tree *t, size_t num_feature,
                         const char *what, size_t tree, kiln_error *err);

/* KILN_DATA "<what>: <message>" in err, the message made printable ASCII
 * (names from a model file may hold any bytes, and errors end up in
 * UTF-8 Jupyter messages).  Returns KILN_DATA.  (xgb_json.c) */
int kiln__xgb_vfail(kiln_error *err, const char *what, const char *fmt,
                    va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/* A JSON model (xgb_json.c): the text, or a document already parsed (or
 * decoded from UBJSON; root stays the caller's).  *out is set only on
 * KILN_OK. */
int kiln__xgb_load_json(const void *bytes, size_t len, const char *what,
                        kiln__xgb_model **out, kiln_error *err);
int kiln__xgb_load_document(json_t *root, const char *what,
                            kiln__xgb_model **out, kiln_error *err);

/* The objective called name, configured as xgboost's objective object in
 * JSON text config (the binary format's "objective" attribute; NULL: the
 * defaults) says: *obj and *p are set on KILN_OK.  num_class comes from
 * the learner.  Unknown objectives and malformed configs are KILN_DATA
 * naming what. */
int kiln__xgb_objective_config(const char *name, const char *config,
                               int num_class, const char *what,
                               const kiln__xgb_objective **obj,
                               kiln__xgb_obj_params *p, kiln_error *err);

#endif

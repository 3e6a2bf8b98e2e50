/* libFuzzer target: the message decoder (kernel/wire.c) on arbitrary
 * frame lists.
 *
 * Input layout: byte 0 picks the key (even: empty key, so the JSON parsing
 * behind the signature check is reached; odd: the key "k"); the rest is
 * split into frames at each "\x00|\x00" separator.  A decoded message is
 * re-encoded, and the re-encoding must decode again to the same msg_type.
 */
#include "kernel/wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static kiln_wire_key *keys[2];
    if (keys[0] == NULL) {
        kiln_wire_key_new("hmac-sha256", "", 0, &keys[0], NULL);
        kiln_wire_key_new("hmac-sha256", "k", 1, &keys[1], NULL);
    }
    const kiln_wire_key *key = keys[data[0] & 1];
    data++;
    size--;

    kiln_frame frames[64];
    size_t n = 0, start = 0;
    for (size_t i = 0; i + 3 <= size && n < 63; i++) {
        if (memcmp(data + i, "\0|\0", 3) == 0) {
            frames[n++] = (kiln_frame){(void *)(data + start), i - start};
            start = i + 3;
            i += 2;
        }
    }
    frames[n++] = (kiln_frame){(void *)(data + start), size - start};

    kiln_msg *m = NULL;
    if (kiln_wire_decode(frames, n, key, &m, NULL) != KILN_OK)
        return 0;
    kiln_frames out;
    if (kiln_wire_encode(key, &m->identities, m->header, m->parent_header,
                         m->metadata, m->content, &m->buffers, &out,
                         NULL) == KILN_OK) {
        kiln_msg *again = NULL;
        if (kiln_wire_decode(out.items, out.count, key, &again, NULL) !=
                KILN_OK ||
            strcmp(again->msg_type, m->msg_type) != 0)
            abort(); /* a round trip must not lose the message */
        kiln_msg_free(again);
        kiln_frames_fini(&out);
    }
    kiln_msg_free(m);
    return 0;
}

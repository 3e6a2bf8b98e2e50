/* libFuzzer target: the connection file parser (kernel/conn.c). */
#include "kernel/conn.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_conn conn;
    if (kiln_conn_parse(&conn, (const char *)data, size, "fuzz.json", NULL) ==
        KILN_OK) {
        char endpoint[512];
        for (int ch = 0; ch < KILN__CHANNEL_COUNT; ch++)
            kiln_conn_endpoint(&conn, (kiln_channel)ch, endpoint,
                               sizeof endpoint);
        kiln_conn_fini(&conn);
    }
    return 0;
}

/* kiln — calling an endpoint over HTTP, as a client does (libcurl):
 * %predict against a running endpoint goes through the network path a
 * boto3 client takes, not a shortcut into the model.
 *
 * Threads: reentrant (curl_global_init is done once, thread-safely).
 */
#ifndef KILN_PLATFORM_CLIENT_H
#define KILN_PLATFORM_CLIENT_H

#include "core/buf.h"
#include "core/error.h"

#include <stddef.h>

typedef struct kiln_http_reply {
    long status;        /* the HTTP status */
    char type[128];     /* its Content-Type, "" when none */
    kiln_buf body;      /* appended to; the caller's to fini */
} kiln_http_reply;

/* POST body to url with Content-Type ct and Accept accept (either may be
 * NULL: not sent), waiting at most timeout seconds.  KILN_OK whenever an
 * answer came (whatever its status); KILN_IO naming the url when none did
 * (refused, timed out). */
int kiln_http_post(const char *url, const char *ct, const char *accept,
                   const void *body, size_t len, double timeout,
                   kiln_http_reply *reply, kiln_error *err);

#endif

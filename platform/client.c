/* kiln — calling an endpoint over HTTP (client.h). */
#include "client.h"

#include <curl/curl.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void init_curl(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    kiln_http_reply *r = arg;
    return kiln_buf_append(&r->body, data, size * n) == KILN_OK ? size * n
                                                                : 0;
}

int kiln_http_post(const char *url, const char *ct, const char *accept,
                   const void *body, size_t len, double timeout,
                   kiln_http_reply *reply, kiln_error *err)
{
    pthread_once(&once, init_curl);
    if (global_rc != CURLE_OK)
        return kiln_error_set(err, KILN_IO, "libcurl cannot start: %s",
                              curl_easy_strerror(global_rc));
    CURL *c = curl_easy_init();
    if (c == NULL)
        return kiln_error_nomem(err);
    char h1[300], h2[300];
    struct curl_slist *headers = NULL, *t;
    snprintf(h1, sizeof h1, "Content-Type: %s", ct ? ct : "");
    snprintf(h2, sizeof h2, "Accept: %s", accept ? accept : "");
    /* "Expect: 100-continue" would cost a round trip on large bodies */
    t = curl_slist_append(headers, "Expect:");
    headers = t ? t : headers;
    if (ct != NULL && (t = curl_slist_append(headers, h1)) != NULL)
        headers = t;
    if (accept != NULL && (t = curl_slist_append(headers, h2)) != NULL)
        headers = t;
    char why[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    CURLcode rc = curl_easy_perform(c);
    int status = KILN_OK;
    if (rc != CURLE_OK) {
        status = kiln_error_set(err, KILN_IO, "cannot call %s: %s", url,
                                why[0] ? why : curl_easy_strerror(rc));
    } else {
        char *type = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
        snprintf(reply->type, sizeof reply->type, "%s", type ? type : "");
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return status;
}

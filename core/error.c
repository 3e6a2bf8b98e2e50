/* kiln — error codes and the caller-owned error object (see error.h). */
#include "error.h"

#include <stdio.h>
#include <string.h>

static const char *const status_enames[] = {
#define KILN__STATUS_NAME(sym, ename, doc) ename,
    KILN_STATUS_MAP(KILN__STATUS_NAME)
#undef KILN__STATUS_NAME
};

const char *kiln_status_ename(int status)
{
    if (status < 0 || status >= KILN__STATUS_COUNT)
        return "InternalError";
    return status_enames[status];
}

void kiln_error_init(kiln_error *err)
{
    if (err == NULL)
        return;
    err->code = KILN_OK;
    err->message[0] = '\0';
    err->context[0] = '\0';
}

int kiln_error_setv(kiln_error *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL || err->code != KILN_OK)
        return code;
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return code;
}

int kiln_error_set(kiln_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kiln_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int kiln_error_nomem(kiln_error *err)
{
    return kiln_error_set(err, KILN_NOMEM, "out of memory");
}

void kiln_error_set_context(kiln_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->context, sizeof err->context, fmt, ap);
    va_end(ap);
}

void kiln_error_prefix(kiln_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    char prefix[512];
    char old[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    /* Truncation keeps the message a valid C string; nothing else to do. */
    if (snprintf(err->message, sizeof err->message, "%s: %s", prefix, old) >=
        (int)sizeof err->message)
        return;
}

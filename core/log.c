/* kiln — diagnostics on stderr (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

static kiln_log_level threshold = KILN_LOG_WARN;
static once_flag threshold_once = ONCE_FLAG_INIT;

static void read_threshold(void)
{
    const char *env = getenv("KILN_LOG");
    if (env == NULL)
        return;
    if (strcmp(env, "error") == 0)
        threshold = KILN_LOG_ERROR;
    else if (strcmp(env, "info") == 0)
        threshold = KILN_LOG_INFO;
    else if (strcmp(env, "debug") == 0)
        threshold = KILN_LOG_DEBUG;
}

void kiln_log(kiln_log_level level, const char *fmt, ...)
{
    call_once(&threshold_once, read_threshold);
    if (level > threshold)
        return;
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char line[1200];
    int n = snprintf(line, sizeof line, "[kiln] %s: ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len] = '\n';
    line[len + 1] = '\0';
    fputs(line, stderr);
}

/* err.c - names and messages of enum hito_err. */
#include "hito/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *hito_strerror(int code)
{
    switch (code) {
    case HITO_OK:
        return "ok";
    case HITO_ERR_NOMEM:
        return "out of memory";
    case HITO_ERR_INVALID:
        return "invalid input";
    case HITO_ERR_IO:
        return "input/output error";
    case HITO_ERR_TIMEOUT:
        return "timed out";
    case HITO_ERR_NOT_FOUND:
        return "not found";
    case HITO_ERR_CONFLICT:
        return "conflict";
    case HITO_ERR_AUTH:
        return "authentication failed";
    case HITO_ERR_PROTOCOL:
        return "protocol error";
    case HITO_ERR_LIMIT:
        return "limit exceeded";
    case HITO_ERR_UNAVAILABLE:
        return "unavailable";
    case HITO_ERR_FORBIDDEN:
        return "forbidden";
    default:
        return "unknown error";
    }
}

int hito_error_set(struct hito_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

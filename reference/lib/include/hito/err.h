/*
 * err.h - the one error convention of hito's C code.
 *
 * Functions that can fail return HITO_OK (0) or a negative enum hito_err
 * value. Where the caller needs detail (a parse position, a server message,
 * an HTTP status), the function also takes a struct hito_error out-parameter
 * that may be NULL.
 */
#ifndef HITO_ERR_H
#define HITO_ERR_H

#include <stddef.h>

enum hito_err {
    HITO_OK = 0,
    HITO_ERR_NOMEM = -1,       /* an allocation failed */
    HITO_ERR_INVALID = -2,     /* bad input or configuration */
    HITO_ERR_IO = -3,          /* a system call or connection failed */
    HITO_ERR_TIMEOUT = -4,     /* a deadline passed */
    HITO_ERR_NOT_FOUND = -5,   /* the object does not exist */
    HITO_ERR_CONFLICT = -6,    /* the object already exists or changed */
    HITO_ERR_AUTH = -7,        /* missing or rejected credentials */
    HITO_ERR_PROTOCOL = -8,    /* the peer sent something unexpected */
    HITO_ERR_LIMIT = -9,       /* a size, count or rate limit was hit */
    HITO_ERR_UNAVAILABLE = -10, /* a dependency is down or not ready */
    HITO_ERR_FORBIDDEN = -11   /* valid credentials without the needed role */
};

#define HITO_ERROR_MESSAGE_MAX 512

/* Detail of a failure: the enum code and a message for people. */
struct hito_error {
    int code;
    char message[HITO_ERROR_MESSAGE_MAX];
};

/* Returns a static, human-readable name for an enum hito_err value. */
const char *hito_strerror(int code);

/*
 * Fills err (when not NULL) with code and a printf-style message, truncated
 * to HITO_ERROR_MESSAGE_MAX - 1 bytes, and returns code so a caller can write
 * `return hito_error_set(err, HITO_ERR_IO, "...")`.
 */
int hito_error_set(struct hito_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

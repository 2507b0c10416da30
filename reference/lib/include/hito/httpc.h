/*
 * httpc.h - a blocking HTTP client on libcurl for services, tools and the
 * checkpoint runner. Each thread keeps one curl handle, so consecutive
 * requests of a thread to the same server reuse the connection.
 */
#ifndef HITO_HTTPC_H
#define HITO_HTTPC_H

#include <stddef.h>

#include "hito/err.h"

/* Response bodies larger than this are cut off with HITO_ERR_LIMIT. */
#define HTTPC_MAX_BODY (16 * 1024 * 1024)
#define HTTPC_DEFAULT_TIMEOUT_MS 10000

struct httpc_request {
    const char *method;            /* NULL means GET */
    const char *url;
    const char *const *headers;    /* "Name: value" strings, NULL-terminated, or NULL */
    const char *body;              /* sent as is; NULL for none */
    size_t body_len;
    long timeout_ms;               /* 0 means HTTPC_DEFAULT_TIMEOUT_MS */
    const char *basic_user;        /* HTTP Basic auth when not NULL */
    const char *basic_password;
    int follow_redirects;          /* 0: a 3xx is returned as is */
};

struct httpc_header {
    char *name;
    char *value;
};

struct httpc_response {
    long status;
    char *body;                    /* NUL-terminated, body_len bytes before it */
    size_t body_len;
    struct httpc_header *headers;  /* headers of the final response */
    size_t header_count;
    double elapsed_ms;
};

/*
 * Sends one request. Returns HITO_OK once any HTTP response arrived, whatever
 * its status. Connection failures, time-outs and oversize bodies return a
 * negative code with the URL and curl's reason in err. res must be freed
 * with httpc_response_free whatever the result. When the calling thread has
 * a request id (log_set_request_id) and the headers carry no X-Request-Id,
 * the id is sent as X-Request-Id, so one id follows a request across services.
 */
int httpc_do(const struct httpc_request *req, struct httpc_response *res,
             struct hito_error *err);

/* Returns the first header named name (case-insensitive), or NULL. */
const char *httpc_response_header(const struct httpc_response *res, const char *name);

void httpc_response_free(struct httpc_response *res);

/* Percent-encodes s for a form or query value; the caller frees the result. */
char *httpc_escape(const char *s);

#endif

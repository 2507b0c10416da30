/*
 * orch_http.h - the operator API over httpd.h (openapi.yaml):
 *   GET  /v1/handovers                      conversations handed to a human
 *   POST /v1/handovers/{customer}/take      take one over
 *   POST /v1/handovers/{customer}/release   hand it back to the bot
 * Every route needs a bearer token that authenticate accepts; the token's
 * subject is the operator id.
 */
#ifndef ORCH_HTTP_H
#define ORCH_HTTP_H

#include <stddef.h>

#include "hito/httpd.h"
#include "orch_service.h"

/* Conversations one GET /v1/handovers returns at most. */
#define ORCH_HTTP_LIST_MAX 100

/*
 * Checks an Authorization header value and copies the caller's subject.
 * Returns HITO_ERR_AUTH (401), HITO_ERR_LIMIT for a valid token without
 * the role (403) or HITO_ERR_UNAVAILABLE (503).
 */
typedef int (*orch_http_authenticate_fn)(void *auth, const char *authorization,
                                         char *subject, size_t size,
                                         struct hito_error *err);

struct orch_http_deps {
    struct orch_service *service;
    orch_http_authenticate_fn authenticate;
    void *auth;
};

struct orch_http;

/* Adds the routes to srv, copying deps. NULL with err on failure. */
struct orch_http *orch_http_new(struct httpd *srv,
                                const struct orch_http_deps *deps,
                                struct hito_error *err);

/* Frees the routes' state; call it after httpd_free(srv). */
void orch_http_free(struct orch_http *http);

#endif

/*
 * orch_http.h - the operator API over httpd.h (openapi.yaml):
 *   GET  /v1/handovers                      conversations handed to a human
 *   POST /v1/handovers/{customer}/take      take one over
 *   POST /v1/handovers/{customer}/release   hand it back to the bot
 * Every route needs a bearer token that service_auth accepts with one of
 * the operator roles; the token's subject is the operator id.
 */
#ifndef ORCH_HTTP_H
#define ORCH_HTTP_H

#include <stddef.h>

#include "hito/httpd.h"
#include "hito/service_auth.h"
#include "orch_service.h"

/* Conversations one GET /v1/handovers returns at most. */
#define ORCH_HTTP_LIST_MAX 100

struct orch_http_deps {
    struct orch_service *service;
    struct service_auth *auth;         /* checks operator tokens */
    const struct service_roles *roles; /* an operator needs one */
};

struct orch_http;

/*
 * Checks a {customer} path parameter: valid UTF-8 of fewer than
 * ORCH_PHONE_SIZE bytes, so that it can reach the store and a JSON reply.
 * Returns HITO_OK, or HITO_ERR_INVALID with the reason in err (the message
 * never contains the value).
 */
int orch_http_check_customer(const char *customer, struct hito_error *err);

/* Adds the routes to srv, copying deps. NULL with err on failure. */
struct orch_http *orch_http_new(struct httpd *srv,
                                const struct orch_http_deps *deps,
                                struct hito_error *err);

/* Frees the routes' state; call it after httpd_free(srv). */
void orch_http_free(struct orch_http *http);

#endif

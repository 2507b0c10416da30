/*
 * wa_http.h - the WhatsApp service's HTTP API (see openapi.yaml):
 *   POST /v1/messages and /v1/whatsapp/messages    send a message (service
 *        token; Idempotency-Key header optional)
 *   GET  /v1/whatsapp/webhook                      Meta's verification
 *   POST /v1/whatsapp/webhook                      Meta's notifications
 *   GET  /v1/whatsapp/conversations/{customer}/messages  history, newest
 *        first (?before=<id>&limit=<1..100>)
 *   GET  /v1/whatsapp/messages/{wamid}             one message and its
 *        status events
 * /healthz, /readyz and /metrics come from hito/httpd.h.
 */
#ifndef WA_HTTP_H
#define WA_HTTP_H

#include <stddef.h>

#include "hito/err.h"
#include "hito/httpd.h"
#include "hito/service_auth.h"
#include "wa_service.h"

#define WA_HTTP_HISTORY_DEFAULT 20
#define WA_HTTP_HISTORY_MAX 100

struct wa_http_deps {
    struct wa_service *service;
    struct wa_store store;             /* for the two queries */
    struct service_auth *auth;         /* checks the callers' tokens */
    const struct service_roles *roles; /* callers need one of them */
    void (*on_stored)(void *user);     /* after a webhook stored messages */
    void *on_stored_user;
};

struct wa_http;

/* Adds the routes to srv. deps is copied; what it points to must outlive
 * the server. Free the result after httpd_free(srv). */
struct wa_http *wa_http_new(struct httpd *srv, const struct wa_http_deps *deps,
                            struct hito_error *err);
void wa_http_free(struct wa_http *http);

#endif

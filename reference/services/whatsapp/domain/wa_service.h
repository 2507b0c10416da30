/*
 * wa_service.h - the WhatsApp service's use cases: send a message through
 * the Cloud API (idempotency, the 24-hour window, retries), receive Meta's
 * webhook notifications (signature, parsing, storage) and the webhook
 * verification handshake. Every outcome is an HTTP status and a JSON body
 * (struct wa_reply) that the HTTP adapter sends as is.
 */
#ifndef WA_SERVICE_H
#define WA_SERVICE_H

#include <stddef.h>

#include <jansson.h>

#include "hito/err.h"
#include "wa_ports.h"

#define WA_SECRET_MAX 512

struct wa_service_options {
    unsigned char app_secret[WA_SECRET_MAX]; /* HMAC key of the webhooks */
    size_t app_secret_len;
    char verify_token[WA_SECRET_MAX]; /* the handshake's token */
    int max_attempts;                 /* Cloud API calls per send */
    long backoff_base_ms;             /* first retry delay */
    long backoff_max_ms;              /* cap of the doubling delay */
};

struct wa_service_deps {
    struct wa_store store;
    struct wa_cloud cloud;
    struct wa_clock clock;
};

/* A reply: status and body (owned; NULL for a plain-text challenge). */
struct wa_reply {
    int status;
    json_t *body;
    char text[WA_ID_SIZE]; /* the handshake's challenge */
};

struct wa_service;

/* Copies opts and deps; NULL with err on failure. */
struct wa_service *wa_service_new(const struct wa_service_options *opts,
                                  const struct wa_service_deps *deps,
                                  struct hito_error *err);
void wa_service_free(struct wa_service *svc);

/* Defines the service's Prometheus families (once per process). */
void wa_service_define_metrics(void);

/*
 * Sends the message of body for client_id. key is the Idempotency-Key
 * header (NULL when absent): the same key with the same body returns the
 * first reply, with another body 409. Replies 200 {"message_id","messages"}
 * on success, 400 for an invalid request, 422 for the 24-hour rule or a
 * permanent Cloud API error, 503 when retries ran out or the Cloud API is
 * unreachable. Returns HITO_ERR_NOMEM only; *out is always set.
 */
int wa_service_send(struct wa_service *svc, const char *client_id,
                    const char *key, const char *body, size_t len,
                    struct wa_reply *out);

/*
 * Handles a webhook POST: checks signature (the X-Hub-Signature-256 value)
 * over the raw body, parses and stores it. Replies 200 {"stored","applied"},
 * 401 for a missing or wrong signature, 400 for a malformed payload, 503
 * when the store failed (Meta then delivers again).
 */
int wa_service_receive(struct wa_service *svc, const char *body, size_t len,
                       const char *signature, const char *correlation_id,
                       struct wa_reply *out);

/* Checks the verification GET: replies 200 with challenge as text when mode
 * is "subscribe" and token matches the verify token, else 403. */
void wa_service_verify(struct wa_service *svc, const char *mode,
                       const char *token, const char *challenge,
                       struct wa_reply *out);

void wa_reply_clear(struct wa_reply *reply);

#endif

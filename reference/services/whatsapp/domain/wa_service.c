#include "wa_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hito/log.h"
#include "hito/metrics.h"
#include "wa_policy.h"
#include "wa_signature.h"

#define METRIC_MESSAGES "whatsapp_messages_total"
#define METRIC_SIGNATURE "whatsapp_webhook_verification_failures_total"
#define METRIC_LABELS_SIZE 160

struct wa_service {
    struct wa_service_options opts;
    struct wa_service_deps deps;
};

void wa_service_define_metrics(void)
{
    metrics_define(METRIC_MESSAGES,
                   "Messages sent (direction out) and received (in) by type "
                   "and result",
                   METRICS_COUNTER);
    metrics_define(METRIC_SIGNATURE,
                   "Webhook requests rejected for a missing or wrong "
                   "X-Hub-Signature-256, or a wrong verify token",
                   METRICS_COUNTER);
}

static void count_message(const char *direction, const char *type,
                          const char *result, double n)
{
    char labels[METRIC_LABELS_SIZE];

    snprintf(labels, sizeof(labels),
             "direction=\"%s\",type=\"%s\",result=\"%s\"", direction, type,
             result);
    metrics_add(METRIC_MESSAGES, labels, n);
}

struct wa_service *wa_service_new(const struct wa_service_options *opts,
                                  const struct wa_service_deps *deps,
                                  struct hito_error *err)
{
    struct wa_service *svc;

    if (opts->app_secret_len == 0 || opts->verify_token[0] == '\0' ||
        opts->max_attempts < 1) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "the app secret, the verify token and at least one "
                       "attempt are required");
        return NULL;
    }
    svc = calloc(1, sizeof(*svc));
    if (svc == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    svc->opts = *opts;
    svc->deps = *deps;
    return svc;
}

void wa_service_free(struct wa_service *svc)
{
    if (svc == NULL)
        return;
    OPENSSL_cleanse(&svc->opts, sizeof(svc->opts));
    free(svc);
}

void wa_reply_clear(struct wa_reply *reply)
{
    json_decref(reply->body);
    memset(reply, 0, sizeof(*reply));
}

/* Fills out with {"error":{"code","message"}} and status. */
static void reply_error(struct wa_reply *out, int status, const char *code,
                        const char *message)
{
    out->status = status;
    out->body =
        json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
}

/* Calls the Cloud API up to max_attempts times, waiting between retries of
 * the retryable error codes. Returns the last call's code. */
static int send_with_retries(struct wa_service *svc, const char *body,
                             struct wa_cloud_result *res, int *attempts,
                             struct hito_error *err)
{
    char code[24];
    int rc = HITO_OK;

    for (*attempts = 1; *attempts <= svc->opts.max_attempts; (*attempts)++) {
        long delay;

        memset(res, 0, sizeof(*res));
        rc = svc->deps.cloud.ops->send(svc->deps.cloud.self, body, res, err);
        if (rc == HITO_OK && res->http_status >= 200 && res->http_status < 300)
            return HITO_OK;
        /* A refused connection sent nothing; a time-out may have sent the
         * message, so only the former is tried again. */
        if (rc == HITO_ERR_TIMEOUT ||
            (rc == HITO_OK && !wa_error_is_retryable(res->error_code)))
            return rc;
        if (*attempts == svc->opts.max_attempts)
            break;
        delay = wa_retry_delay_ms(*attempts, svc->opts.backoff_base_ms,
                                  svc->opts.backoff_max_ms);
        snprintf(code, sizeof(code), "%ld", res->error_code);
        LOG_WARN("retrying a Cloud API send", "error_code", code, "error",
                 rc == HITO_OK ? res->error_message : err->message);
        svc->deps.clock.sleep_ms(delay);
    }
    return rc;
}

static void reply_sent(struct wa_reply *out, const char *wamid)
{
    out->status = 200;
    out->body = json_pack("{s:s, s:s, s:[{s:s}]}", "message_id", wamid,
                          "status", "accepted", "messages", "id", wamid);
}

/* Turns a failed Cloud API call into a 422 (permanent) or 503 reply. */
static void reply_cloud_failure(struct wa_reply *out, int rc,
                                const struct wa_cloud_result *res,
                                const struct hito_error *err)
{
    char message[WA_CLOUD_MESSAGE_SIZE + 64];

    if (rc != HITO_OK) {
        reply_error(out, rc == HITO_ERR_TIMEOUT ? 504 : 503,
                    "cloud_api_unavailable", err->message);
        return;
    }
    snprintf(message, sizeof(message),
             "the Cloud API rejected the message "
             "with code %ld: %s",
             res->error_code, res->error_message);
    reply_error(out, wa_error_is_retryable(res->error_code) ? 503 : 422,
                "cloud_api_error", message);
    if (out->body != NULL)
        json_object_set_new(json_object_get(out->body, "error"), "cloud_code",
                            json_integer(res->error_code));
}

static void deliver(struct wa_service *svc, const char *client_id,
                    const struct wa_send_request *req, struct wa_reply *out)
{
    struct wa_cloud_result res;
    struct hito_error err = { 0 };
    struct wa_outbound_record rec = { req, client_id, NULL, 0, NULL, 0 };
    char *body = json_dumps(req->cloud_body, JSON_COMPACT);
    int rc;

    if (body == NULL) {
        reply_error(out, 500, "internal", "out of memory");
        return;
    }
    rc = send_with_retries(svc, body, &res, &rec.attempts, &err);
    free(body);
    if (rc == HITO_OK && res.http_status >= 200 && res.http_status < 300) {
        rec.wamid = res.wamid;
        reply_sent(out, res.wamid);
    } else {
        rec.error_code = rc == HITO_OK ? res.error_code : 0;
        rec.error_message = rc == HITO_OK ? res.error_message : err.message;
        reply_cloud_failure(out, rc, &res, &err);
    }
    count_message("out", req->type, out->status == 200 ? "accepted" : "failed",
                  1);
    if (svc->deps.store.ops->record_outbound(svc->deps.store.self, &rec,
                                             &err) != HITO_OK)
        LOG_ERROR("recording an outbound message failed", "error", err.message,
                  "wamid", rec.wamid ? rec.wamid : "");
}

/* Applies the 24-hour rule; fills out and returns nonzero when it blocks. */
static int window_blocks(struct wa_service *svc,
                         const struct wa_send_request *req,
                         struct wa_reply *out)
{
    struct hito_error err = { 0 };
    long long last = 0;

    if (req->kind == WA_KIND_TEMPLATE)
        return 0;
    if (svc->deps.store.ops->last_inbound(svc->deps.store.self, req->to, &last,
                                          &err) != HITO_OK) {
        reply_error(out, 503, "store_unavailable", err.message);
        return 1;
    }
    if (wa_window_allows(0, last, svc->deps.clock.now()))
        return 0;
    count_message("out", req->type, "outside_window", 1);
    reply_error(out, 422, "outside_service_window",
                "free-form messages may be sent only within 24 hours of the "
                "customer's last message; send an approved template instead");
    return 1;
}

/* Replays or rejects a request whose idempotency key is taken. */
static void reply_existing(const struct wa_idempotency_record *rec,
                           const char *digest, struct wa_reply *out)
{
    if (strcmp(rec->digest, digest) != 0) {
        reply_error(out, 409, "idempotency_key_reused",
                    "this Idempotency-Key was used with another body");
        return;
    }
    if (rec->response_status == 0 || rec->response_body == NULL) {
        reply_error(out, 409, "request_in_progress",
                    "a request with this Idempotency-Key is still running");
        return;
    }
    out->status = rec->response_status;
    out->body = json_loads(rec->response_body, 0, NULL);
}

/* Reserves key. Returns nonzero when out already contains the reply. */
static int claim_key(struct wa_service *svc, const char *client_id,
                     const char *key, const struct wa_send_request *req,
                     struct wa_reply *out)
{
    struct wa_idempotency_record existing = { 0 };
    struct hito_error err = { 0 };
    int rc;

    rc = svc->deps.store.ops->idempotency_begin(
        svc->deps.store.self, client_id, key, req->digest, &existing, &err);
    if (rc == HITO_ERR_CONFLICT)
        reply_existing(&existing, req->digest, out);
    else if (rc != HITO_OK)
        reply_error(out, 503, "store_unavailable", err.message);
    free(existing.response_body);
    return rc != HITO_OK;
}

/* Stores a final reply under key, or frees the key for a retry. */
static void settle_key(struct wa_service *svc, const char *client_id,
                       const char *key, const struct wa_reply *out)
{
    struct hito_error err = { 0 };
    char *body = out->body ? json_dumps(out->body, JSON_COMPACT) : NULL;
    int rc;

    if (out->status < 500 && body != NULL)
        rc = svc->deps.store.ops->idempotency_finish(
            svc->deps.store.self, client_id, key, out->status, body, &err);
    else
        rc = svc->deps.store.ops->idempotency_abort(svc->deps.store.self,
                                                    client_id, key, &err);
    if (rc != HITO_OK)
        LOG_ERROR("storing an idempotent reply failed", "error", err.message);
    free(body);
}

int wa_service_send(struct wa_service *svc, const char *client_id,
                    const char *key, const char *body, size_t len,
                    struct wa_reply *out)
{
    struct wa_send_request req;
    struct hito_error err = { 0 };

    memset(out, 0, sizeof(*out));
    if (key != NULL &&
        (key[0] == '\0' || strlen(key) > WA_IDEMPOTENCY_KEY_MAX)) {
        reply_error(out, 400, "invalid_request",
                    "Idempotency-Key must be 1 to 255 characters");
        return out->body ? HITO_OK : HITO_ERR_NOMEM;
    }
    if (wa_message_parse(body, len, &req, &err) != HITO_OK) {
        count_message("out", "unknown", "invalid", 1);
        reply_error(out, err.code == HITO_ERR_NOMEM ? 500 : 400,
                    "invalid_request", err.message);
    } else if (key == NULL || !claim_key(svc, client_id, key, &req, out)) {
        if (!window_blocks(svc, &req, out))
            deliver(svc, client_id, &req, out);
        if (key != NULL)
            settle_key(svc, client_id, key, out);
    }
    wa_send_request_clear(&req);
    return out->body ? HITO_OK : HITO_ERR_NOMEM;
}

static void count_received(const struct wa_notification *n, size_t stored)
{
    for (size_t i = 0; i < n->message_count; i++)
        count_message("in", n->messages[i].type, "received", 1);
    if (n->message_count > stored)
        count_message("in", "any", "duplicate",
                      (double)(n->message_count - stored));
}

int wa_service_receive(struct wa_service *svc, const char *body, size_t len,
                       const char *signature, const char *correlation_id,
                       struct wa_reply *out)
{
    struct wa_notification n;
    struct hito_error err = { 0 };
    size_t stored = 0, applied = 0;

    memset(out, 0, sizeof(*out));
    if (wa_signature_verify(svc->opts.app_secret, svc->opts.app_secret_len,
                            body, len, signature, &err) != HITO_OK) {
        metrics_add(METRIC_SIGNATURE, "reason=\"signature\"", 1);
        LOG_WARN("webhook signature rejected", "reason", err.message);
        reply_error(out, 401, "invalid_signature", err.message);
        return out->body ? HITO_OK : HITO_ERR_NOMEM;
    }
    if (wa_webhook_parse(body, len, &n, &err) != HITO_OK) {
        LOG_WARN("malformed webhook payload", "reason", err.message);
        reply_error(out, 400, "invalid_payload", err.message);
    } else if (svc->deps.store.ops->store_notification(
                   svc->deps.store.self, &n, correlation_id, &stored, &applied,
                   &err) != HITO_OK) {
        LOG_ERROR("storing a webhook notification failed", "error",
                  err.message);
        reply_error(out, 503, "store_unavailable",
                    "the notification was not stored; deliver it again");
    } else {
        count_received(&n, stored);
        out->status = 200;
        out->body = json_pack(
            "{s:I, s:I, s:I, s:I}", "messages", (json_int_t)n.message_count,
            "stored", (json_int_t)stored, "statuses",
            (json_int_t)n.status_count, "applied", (json_int_t)applied);
    }
    wa_notification_clear(&n);
    return out->body ? HITO_OK : HITO_ERR_NOMEM;
}

void wa_service_verify(struct wa_service *svc, const char *mode,
                       const char *token, const char *challenge,
                       struct wa_reply *out)
{
    size_t expected = strlen(svc->opts.verify_token);

    memset(out, 0, sizeof(*out));
    if (mode != NULL && strcmp(mode, "subscribe") == 0 && token != NULL &&
        challenge != NULL && challenge[0] != '\0' &&
        strlen(challenge) < sizeof(out->text) && strlen(token) == expected &&
        CRYPTO_memcmp(token, svc->opts.verify_token, expected) == 0) {
        out->status = 200;
        snprintf(out->text, sizeof(out->text), "%s", challenge);
        return;
    }
    metrics_add(METRIC_SIGNATURE, "reason=\"verify_token\"", 1);
    LOG_WARN("webhook verification rejected", "mode", mode ? mode : "");
    reply_error(out, 403, "forbidden",
                "hub.mode must be subscribe and hub.verify_token must match");
}

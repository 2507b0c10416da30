#include "otp_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hito/log.h"
#include "hito/metrics.h"
#include "hito/service_auth.h"

#define OTP_LABELS_SIZE 160
#define OTP_NUMBER_SIZE 24

#define METRIC_ISSUED "otp_codes_issued_total"
#define METRIC_SEND_FAILED "otp_send_failures_total"
#define METRIC_SEND_SECONDS "otp_send_duration_seconds"
#define METRIC_RATE_LIMITED "otp_rate_limited_total"
#define METRIC_VERIFIED "otp_verifications_total"
#define METRIC_LOCKED "otp_codes_locked_total"
#define METRIC_TOTP "otp_totp_verifications_total"

/* One message for every rejected code, whatever the cause, so the reply
 * does not reveal whether a code is pending for the number. */
#define REJECTED_MESSAGE "the code is wrong, expired or was never issued"

struct otp_http {
    struct otp_http_deps deps;
};

void otp_http_define_metrics(void)
{
    metrics_define(METRIC_ISSUED, "Codes issued, by purpose.", METRICS_COUNTER);
    metrics_define(METRIC_SEND_FAILED,
                   "Codes the WhatsApp service failed to send, by purpose.",
                   METRICS_COUNTER);
    metrics_define(METRIC_SEND_SECONDS,
                   "Time to hand a code to the WhatsApp service.",
                   METRICS_HISTOGRAM);
    metrics_define(METRIC_RATE_LIMITED,
                   "Requests rejected by a sending or attempt limit.",
                   METRICS_COUNTER);
    metrics_define(METRIC_VERIFIED,
                   "Code verifications, by purpose and result.",
                   METRICS_COUNTER);
    metrics_define(METRIC_LOCKED,
                   "Codes invalidated after too many wrong attempts.",
                   METRICS_COUNTER);
    metrics_define(METRIC_TOTP, "Staff TOTP verifications, by result.",
                   METRICS_COUNTER);
}

static void count(const char *name, const char *purpose, const char *result)
{
    char labels[OTP_LABELS_SIZE];

    /* Purposes are checked against the policy before they are counted, so
     * they need no escaping and cannot grow the label set. */
    if (result != NULL)
        snprintf(labels, sizeof(labels), "purpose=\"%s\",result=\"%s\"",
                 purpose, result);
    else
        snprintf(labels, sizeof(labels), "purpose=\"%s\"", purpose);
    metrics_add(name, labels, 1);
}

/* Sends 401, 403 or 503 and returns nonzero when the caller may not go on. */
static int authenticate(struct otp_http *http, otp_http_authenticate_fn check,
                        struct httpd_req *req, char *client_id)
{
    struct hito_error err = { 0 };
    int rc;

    rc = check(http->deps.authenticate_user, httpd_header(req, "Authorization"),
               client_id, OTP_HTTP_CLIENT_ID_SIZE, &err);
    if (rc == HITO_OK)
        return 0;
    service_auth_reply(req, rc, &err);
    return 1;
}

/* Returns the string member name of body, or NULL. */
static const char *member(json_t *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

/*
 * Authenticates the caller and parses the JSON body. Returns the body (the
 * caller releases it), or NULL once an error reply has been sent.
 */
static json_t *authenticated_body(struct otp_http *http,
                                  otp_http_authenticate_fn check,
                                  struct httpd_req *req, char *client_id)
{
    if (authenticate(http, check, req, client_id) != 0)
        return NULL;
    return httpd_body_json(req);
}

/*
 * Authenticates the caller, parses the body and fills request from it.
 * Returns the body, which the caller releases and which the strings of
 * request point into, or NULL once an error reply has been sent.
 */
static json_t *read_request(struct otp_http *http, struct httpd_req *req,
                            char *client_id, struct otp_request *request)
{
    json_t *body;

    body = authenticated_body(http, http->deps.authenticate, req, client_id);
    if (body == NULL)
        return NULL;
    request->subject = member(body, "phone_number");
    request->purpose = member(body, "purpose");
    request->code = member(body, "code");
    request->client_id = client_id;
    request->request_id = httpd_request_id(req);
    return body;
}

/*
 * Replies to a domain error: 400 for bad input, else logs the error under
 * failure and sends 503 naming the unavailable store.
 */
static void reply_failure(struct httpd_req *req, int rc,
                          const struct hito_error *err, const char *failure,
                          const char *store)
{
    if (rc == HITO_ERR_INVALID) {
        httpd_reply_error(req, 400, "invalid_request", "%s", err->message);
        return;
    }
    LOG_ERROR(failure, "error", err->message);
    httpd_reply_error(req, 503, "unavailable",
                      "the %s is unavailable; retry later", store);
}

/* Sends 200 with a signed proof, which no cache may keep. */
static void reply_proof(struct httpd_req *req, const char *proof,
                        long proof_expires_in_seconds)
{
    httpd_set_header(req, "Cache-Control", "no-store");
    httpd_reply_json(req, 200,
                     json_pack("{s:b, s:s, s:i}", "verified", 1, "proof",
                               proof, "proof_expires_in",
                               (json_int_t)proof_expires_in_seconds));
}

static void reply_rate_limited(struct httpd_req *req, long retry_after_seconds)
{
    char value[OTP_NUMBER_SIZE];

    snprintf(value, sizeof(value), "%ld", retry_after_seconds);
    httpd_set_header(req, "Retry-After", value);
    httpd_reply_error(req, 429, "rate_limited",
                      "too many requests; retry after %ld s",
                      retry_after_seconds);
}

static void reply_issue(struct httpd_req *req,
                        const struct otp_request *request,
                        const struct otp_issue_result *result)
{
    switch (result->status) {
    case OTP_ISSUE_SENT:
        count(METRIC_ISSUED, request->purpose, NULL);
        metrics_observe(METRIC_SEND_SECONDS, "", result->send_seconds);
        httpd_reply_json(req, 202,
                         json_pack("{s:s, s:i, s:s}", "status", "sent",
                                   "expires_in",
                                   (json_int_t)result->expires_in_seconds,
                                   "message_id", result->message_id));
        break;
    case OTP_ISSUE_RATE_LIMITED:
        count(METRIC_RATE_LIMITED, request->purpose, NULL);
        reply_rate_limited(req, result->retry_after_seconds);
        break;
    case OTP_ISSUE_SEND_FAILED:
        count(METRIC_SEND_FAILED, request->purpose, NULL);
        metrics_observe(METRIC_SEND_SECONDS, "", result->send_seconds);
        LOG_WARN("sending a code failed", "purpose", request->purpose, "reason",
                 result->reason);
        httpd_reply_error(req, 502, "delivery_failed",
                          "the code could not be sent and was invalidated: %s",
                          result->reason);
        break;
    }
}

static void handle_issue(struct httpd_req *req, void *user)
{
    struct otp_http *http = user;
    char client_id[OTP_HTTP_CLIENT_ID_SIZE];
    struct hito_error err = { 0 };
    struct otp_issue_result result;
    struct otp_request request;
    json_t *body;
    int rc;

    body = read_request(http, req, client_id, &request);
    if (body == NULL)
        return;

    rc = otp_service_issue(http->deps.service, &request, &result, &err);
    if (rc == HITO_OK)
        reply_issue(req, &request, &result);
    else
        reply_failure(req, rc, &err, "issuing a code failed", "code store");
    json_decref(body);
}

static void reply_verify(struct httpd_req *req,
                         const struct otp_request *request,
                         struct otp_verify_result *result)
{
    if (result->locked)
        count(METRIC_LOCKED, request->purpose, NULL);
    if (result->status != OTP_VERIFY_OK) {
        count(METRIC_VERIFIED, request->purpose, "failure");
        httpd_reply_error(req, 422, "invalid_code", REJECTED_MESSAGE);
        return;
    }
    count(METRIC_VERIFIED, request->purpose, "success");
    reply_proof(req, result->proof, result->proof_expires_in_seconds);
}

static void handle_verify(struct httpd_req *req, void *user)
{
    struct otp_http *http = user;
    char client_id[OTP_HTTP_CLIENT_ID_SIZE];
    struct hito_error err = { 0 };
    struct otp_verify_result result;
    struct otp_request request;
    json_t *body;
    int rc;

    body = read_request(http, req, client_id, &request);
    if (body == NULL)
        return;

    rc = otp_service_verify(http->deps.service, &request, &result, &err);
    if (rc == HITO_OK)
        reply_verify(req, &request, &result);
    else
        reply_failure(req, rc, &err, "verifying a code failed", "code store");
    free(result.proof);
    json_decref(body);
}

static void handle_totp_enrol(struct httpd_req *req, void *user)
{
    struct otp_http *http = user;
    char client_id[OTP_HTTP_CLIENT_ID_SIZE];
    struct hito_error err = { 0 };
    struct otp_totp_enrolment enrolment;
    const char *account;
    json_t *body;
    int rc;

    body =
        authenticated_body(http, http->deps.authenticate_enrol, req, client_id);
    if (body == NULL)
        return;
    account = member(body, "account");
    rc = otp_totp_enrol(http->deps.totp, account, httpd_request_id(req),
                        &enrolment, &err);
    if (rc == HITO_OK) {
        httpd_set_header(req, "Cache-Control", "no-store");
        httpd_reply_json(req, 201,
                         json_pack("{s:s, s:s, s:s}", "account", account,
                                   "secret", enrolment.secret_base32,
                                   "otpauth_uri", enrolment.uri));
    } else {
        reply_failure(req, rc, &err, "TOTP enrolment failed", "TOTP store");
    }
    OPENSSL_cleanse(&enrolment, sizeof(enrolment));
    json_decref(body);
}

static void reply_totp_verify(struct httpd_req *req,
                              struct otp_totp_result *result)
{
    switch (result->status) {
    case OTP_TOTP_RATE_LIMITED:
        count(METRIC_RATE_LIMITED, OTP_TOTP_PURPOSE, NULL);
        reply_rate_limited(req, result->retry_after_seconds);
        break;
    case OTP_TOTP_OK:
        metrics_add(METRIC_TOTP, "result=\"success\"", 1);
        reply_proof(req, result->proof, result->proof_expires_in_seconds);
        break;
    case OTP_TOTP_REJECTED:
        metrics_add(METRIC_TOTP, "result=\"failure\"", 1);
        httpd_reply_error(req, 422, "invalid_code", REJECTED_MESSAGE);
        break;
    }
}

static void handle_totp_verify(struct httpd_req *req, void *user)
{
    struct otp_http *http = user;
    char client_id[OTP_HTTP_CLIENT_ID_SIZE];
    struct hito_error err = { 0 };
    struct otp_totp_result result;
    json_t *body;
    int rc;

    body = authenticated_body(http, http->deps.authenticate, req, client_id);
    if (body == NULL)
        return;
    rc = otp_totp_verify(http->deps.totp, member(body, "account"),
                         member(body, "code"), httpd_request_id(req), &result,
                         &err);
    if (rc == HITO_OK) {
        reply_totp_verify(req, &result);
    } else {
        reply_failure(req, rc, &err, "TOTP verification failed", "TOTP store");
    }
    free(result.proof);
    json_decref(body);
}

struct otp_http *otp_http_new(struct httpd *srv,
                              const struct otp_http_deps *deps,
                              struct hito_error *err)
{
    struct otp_http *http = calloc(1, sizeof(*http));
    int rc;

    if (http == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    http->deps = *deps;
    rc = httpd_route(srv, "POST", "/v1/otp", handle_issue, http);
    /* The gateway's route name for the same operation (krakend/routes.json). */
    if (rc == HITO_OK)
        rc = httpd_route(srv, "POST", "/v1/otp/issue", handle_issue, http);
    if (rc == HITO_OK)
        rc = httpd_route(srv, "POST", "/v1/otp/verify", handle_verify, http);
    if (rc == HITO_OK)
        rc =
            httpd_route(srv, "POST", "/v1/totp/enrol", handle_totp_enrol, http);
    if (rc == HITO_OK)
        rc = httpd_route(srv, "POST", "/v1/totp/verify", handle_totp_verify,
                         http);
    if (rc != HITO_OK) {
        hito_error_set(err, rc, "adding the OTP routes failed");
        free(http);
        return NULL;
    }
    return http;
}

void otp_http_free(struct otp_http *http)
{
    free(http);
}

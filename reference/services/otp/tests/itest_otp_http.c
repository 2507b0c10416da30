/*
 * The whole OTP service over HTTP against the running stack's Redis and
 * PostgreSQL: a fake WhatsApp service and a JWKS server run in the test on
 * ephemeral loopback ports, and service tokens are signed by the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpq-fe.h>

#include "otp_app.h"
#include "hito/httpc.h"
#include "hito/log.h"
#include "jwt_test_keys.h"
#include "otp_hotp.h"
#include "otp_itest_env.h"
#include "otp_proof.h"

#define PURPOSE "phone_verification"
#define CALLER_ROLES "\"roles\":[\"svc-orchestrator\",\"admin\"]"
#define FAKE_BODY_SIZE 4096

/* The fake WhatsApp service: keeps the last request body, fails on demand. */
struct fake_whatsapp {
    struct httpd *srv;
    pthread_mutex_t lock;
    char last_body[FAKE_BODY_SIZE];
    char last_authorization[FAKE_BODY_SIZE];
    int fail;
    int reject_tokens; /* the next requests get 401, as after a key rotation */
    long delay_ms; /* beyond OTP_WHATSAPP_TIMEOUT_MS: the sender times out */
    int requests;
    int tokens_issued;
    char url[64];
};

struct suite {
    struct test_key key;
    struct test_jwks_server jwks;
    struct fake_whatsapp whatsapp;
    struct otp_settings settings;
    struct otp_app *app;
    char base_url[64];
    char *token;
};

static struct suite suite;

static void fake_whatsapp_handle(struct httpd_req *req, void *user)
{
    struct fake_whatsapp *wa = user;
    size_t len = 0;
    const char *body = httpd_body(req, &len);
    struct timespec delay = { 0, 0 };
    int fail;

    pthread_mutex_lock(&wa->lock);
    snprintf(wa->last_body, sizeof(wa->last_body), "%.*s", (int)len, body);
    snprintf(wa->last_authorization, sizeof(wa->last_authorization), "%s",
             httpd_header(req, "Authorization")
                 ? httpd_header(req, "Authorization")
                 : "");
    wa->requests++;
    fail = wa->fail;
    if (wa->reject_tokens > 0) {
        wa->reject_tokens--;
        pthread_mutex_unlock(&wa->lock);
        httpd_reply_error(req, 401, "unauthenticated", "token rejected");
        return;
    }
    delay.tv_sec = wa->delay_ms / 1000;
    delay.tv_nsec = wa->delay_ms % 1000 * 1000000L;
    pthread_mutex_unlock(&wa->lock);
    nanosleep(&delay, NULL);
    if (fail)
        httpd_reply_json(
            req, 503,
            json_pack("{s:{s:s}}", "error", "message", "upstream down"));
    else
        httpd_reply_json(
            req, 200, json_pack("{s:[{s:s}]}", "messages", "id", "wamid.test"));
}

/* The token endpoint of the OTP service's client credentials. */
static void fake_token_handle(struct httpd_req *req, void *user)
{
    struct fake_whatsapp *wa = user;
    char token[32];

    pthread_mutex_lock(&wa->lock);
    snprintf(token, sizeof(token), "fake-token-%d", ++wa->tokens_issued);
    pthread_mutex_unlock(&wa->lock);
    httpd_reply_json(req, 200,
                     json_pack("{s:s, s:s, s:i}", "access_token", token,
                               "token_type", "Bearer", "expires_in", 3600));
}

static void start_fake_whatsapp(struct fake_whatsapp *wa)
{
    struct httpd_options opts = { .service = "fake-whatsapp",
                                  .listen = "127.0.0.1:0",
                                  .threads = 4 };

    pthread_mutex_init(&wa->lock, NULL);
    wa->srv = httpd_new(&opts, NULL);
    assert_non_null(wa->srv);
    assert_int_equal(
        httpd_route(wa->srv, "POST", "/v1/messages", fake_whatsapp_handle, wa),
        0);
    assert_int_equal(
        httpd_route(wa->srv, "POST", "/oauth/v2/token", fake_token_handle, wa),
        0);
    assert_int_equal(httpd_start(wa->srv, NULL), 0);
    snprintf(wa->url, sizeof(wa->url), "http://127.0.0.1:%d",
             httpd_port(wa->srv));
}

static char *sign_token(const char *extra)
{
    char *claims = test_claims(TEST_ISSUER, TEST_AUDIENCE, 300, -10, extra);
    char *token =
        test_sign(claims, JWT_ALG_RS256, suite.key.private_pem, suite.key.kid);

    free(claims);
    return token;
}

static int group_setup(void **state)
{
    struct config *cfg = otp_itest_config();
    struct hito_error err = { 0 };
    char token_url[128];
    char *doc;

    (void)state;
    log_init("otp-itest", LOG_LEVEL_WARN, NULL);
    test_key_init(&suite.key, "otp-it");
    doc = test_jwks_document(&suite.key, NULL);
    assert_int_equal(test_jwks_server_start(&suite.jwks, doc), 0);
    free(doc);
    start_fake_whatsapp(&suite.whatsapp);

    config_set(cfg, "OTP_PORT", "0");
    config_set(cfg, "WHATSAPP_SERVICE_URL", suite.whatsapp.url);
    config_set(cfg, "OTP_AUTH_ISSUER", TEST_ISSUER);
    config_set(cfg, "OTP_AUTH_AUDIENCE", TEST_AUDIENCE);
    config_set(cfg, "OTP_AUTH_JWKS_URL", suite.jwks.url);
    config_set(cfg, "OTP_WHATSAPP_TIMEOUT_MS", "500");
    config_set(cfg, "OTP_CLIENT_ID", "otp-itest");
    config_set(cfg, "OTP_CLIENT_SECRET", "otp-itest-secret");
    snprintf(token_url, sizeof(token_url), "%s/oauth/v2/token",
             suite.whatsapp.url);
    config_set(cfg, "OTP_TOKEN_URL", token_url);
    /* The stack's secrets file has no OTP keys unless the service ran. */
    if (config_get(cfg, "OTP_HMAC_KEY") == NULL)
        config_set(cfg, "OTP_HMAC_KEY", "itest-hmac-key-0123456789abcdef-0123");
    if (config_get(cfg, "OTP_PROOF_KEY") == NULL)
        config_set(cfg, "OTP_PROOF_KEY",
                   "itest-proof-key-0123456789abcdef-012");
    if (otp_settings_load(cfg, &suite.settings, &err) != HITO_OK)
        fail_msg("settings: %s", err.message);
    config_free(cfg);

    suite.app = otp_app_start(&suite.settings, &err);
    if (suite.app == NULL)
        fail_msg("the OTP service did not start: %s", err.message);
    snprintf(suite.base_url, sizeof(suite.base_url), "http://127.0.0.1:%d",
             otp_app_port(suite.app));
    suite.token = sign_token(CALLER_ROLES);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    otp_app_free(suite.app);
    httpd_free(suite.whatsapp.srv);
    test_jwks_server_stop(&suite.jwks);
    test_key_free(&suite.key);
    free(suite.token);
    otp_settings_clear(&suite.settings);
    return 0;
}

/* POSTs body to path with token (NULL: none); returns the parsed reply. */
static json_t *post(const char *path, const char *token, const char *body,
                    long *status, struct httpc_response *res)
{
    char url[128], auth[4096];
    const char *headers[] = { "Content-Type: application/json", auth, NULL };
    struct httpc_request req = { .method = "POST",
                                 .url = url,
                                 .headers = headers,
                                 .body = body,
                                 .body_len = strlen(body) };

    snprintf(url, sizeof(url), "%s%s", suite.base_url, path);
    if (token != NULL)
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    else
        headers[1] = NULL;
    assert_int_equal(httpc_do(&req, res, NULL), HITO_OK);
    *status = res->status;
    return json_loadb(res->body, res->body_len, 0, NULL);
}

static json_t *call(const char *path, const char *body, long *status)
{
    struct httpc_response res = { 0 };
    json_t *reply = post(path, suite.token, body, status, &res);

    httpc_response_free(&res);
    return reply;
}

static char *issue_body(const char *phone)
{
    char *body = malloc(256);

    snprintf(body, 256, "{\"phone_number\":\"%s\",\"purpose\":\"%s\"}", phone,
             PURPOSE);
    return body;
}

/* POSTs an issue request for phone and returns the parsed reply. */
static json_t *call_issue(const char *phone, long *status)
{
    char *body = issue_body(phone);
    json_t *reply = call("/v1/otp", body, status);

    free(body);
    return reply;
}

static char *verify_body(const char *phone, const char *code)
{
    char *body = malloc(256);

    snprintf(body, 256,
             "{\"phone_number\":\"%s\",\"purpose\":\"%s\",\"code\":\"%s\"}",
             phone, PURPOSE, code);
    return body;
}

/* Copies the code of the last message the fake WhatsApp service received. */
static void last_sent_code(char code[16])
{
    json_t *sent, *template, *body_component, *parameter;

    pthread_mutex_lock(&suite.whatsapp.lock);
    sent = json_loads(suite.whatsapp.last_body, 0, NULL);
    pthread_mutex_unlock(&suite.whatsapp.lock);
    assert_non_null(sent);

    template = json_object_get(sent, "template");
    body_component = json_array_get(json_object_get(template, "components"), 0);
    parameter =
        json_array_get(json_object_get(body_component, "parameters"), 0);
    snprintf(code, 16, "%s",
             json_string_value(json_object_get(parameter, "text")));
    json_decref(sent);
}

/* Returns the member name of the error object of reply, or NULL. */
static const char *error_field(json_t *reply, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(reply, "error"), name));
}

/* Issues a code to phone and copies it from the fake WhatsApp to code. */
static void issue_code(const char *phone, char code[16])
{
    char *body = issue_body(phone);
    json_t *reply;
    long status;

    reply = call("/v1/otp", body, &status);
    assert_int_equal(status, 202);
    json_decref(reply);
    free(body);
    last_sent_code(code);
}

static void http_issue_sends_template(void **state)
{
    char phone[32], *body;
    json_t *reply, *sent;
    long status;

    (void)state;
    otp_itest_phone(phone, sizeof(phone));
    body = issue_body(phone);
    reply = call("/v1/otp", body, &status);
    assert_int_equal(status, 202);
    assert_string_equal(json_string_value(json_object_get(reply, "status")),
                        "sent");
    assert_int_equal(json_integer_value(json_object_get(reply, "expires_in")),
                     300);
    assert_string_equal(json_string_value(json_object_get(reply, "message_id")),
                        "wamid.test");

    sent = json_loads(suite.whatsapp.last_body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(sent, "to")), phone);
    assert_string_equal(suite.whatsapp.last_authorization,
                        "Bearer fake-token-1");
    assert_string_equal(json_string_value(json_object_get(sent, "type")),
                        "template");
    /* test_otp_whatsapp checks the template's components in detail. */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(sent, "template"), "name")),
                        "otp_code");
    json_decref(sent);
    json_decref(reply);
    free(body);
}

static void http_verify_returns_proof(void **state)
{
    char phone[32], code[16], *body;
    struct otp_proof proof;
    json_t *reply;
    long status;

    (void)state;
    otp_itest_phone(phone, sizeof(phone));
    issue_code(phone, code);
    body = verify_body(phone, code);
    reply = call("/v1/otp/verify", body, &status);
    assert_int_equal(status, 200);
    assert_true(json_is_true(json_object_get(reply, "verified")));
    assert_int_equal(
        otp_proof_verify(suite.settings.proof_key, suite.settings.proof_key_len,
                         json_string_value(json_object_get(reply, "proof")),
                         PURPOSE, time(NULL), &proof, NULL),
        HITO_OK);
    assert_string_equal(proof.subject, phone);
    json_decref(reply);

    reply = call("/v1/otp/verify", body, &status);
    assert_int_equal(status, 422);
    json_decref(reply);
    free(body);
}

static void http_rejections_look_the_same(void **state)
{
    char never[32], issued[32], code[16], *body;
    json_t *none_reply, *wrong_reply;
    long none_status, wrong_status;

    (void)state;
    otp_itest_phone(never, sizeof(never));
    otp_itest_phone(issued, sizeof(issued));
    issue_code(issued, code);
    code[5] = code[5] == '0' ? '1' : '0';

    body = verify_body(never, code);
    none_reply = call("/v1/otp/verify", body, &none_status);
    free(body);
    body = verify_body(issued, code);
    wrong_reply = call("/v1/otp/verify", body, &wrong_status);
    free(body);

    assert_int_equal(none_status, 422);
    assert_int_equal(wrong_status, 422);
    json_object_del(json_object_get(none_reply, "error"), "request_id");
    json_object_del(json_object_get(wrong_reply, "error"), "request_id");
    assert_true(json_equal(none_reply, wrong_reply));
    json_decref(none_reply);
    json_decref(wrong_reply);
}

static void http_cooldown_returns_429(void **state)
{
    struct httpc_response res = { 0 };
    char phone[32], code[16], *body;
    const char *retry_after;
    json_t *reply;
    long status;

    (void)state;
    otp_itest_phone(phone, sizeof(phone));
    issue_code(phone, code);
    body = issue_body(phone);
    reply = post("/v1/otp", suite.token, body, &status, &res);
    assert_int_equal(status, 429);
    retry_after = httpc_response_header(&res, "Retry-After");
    assert_non_null(retry_after);
    assert_true(atol(retry_after) > 0);
    assert_true(atol(retry_after) <=
                suite.settings.policy.phone_cooldown_seconds);
    httpc_response_free(&res);
    json_decref(reply);
    free(body);
}

static void http_delivery_failure_returns_502(void **state)
{
    char phone[32], code[16], *verify;
    json_t *reply;
    long status;

    (void)state;
    otp_itest_phone(phone, sizeof(phone));
    suite.whatsapp.fail = 1;
    reply = call_issue(phone, &status);
    suite.whatsapp.fail = 0;
    assert_int_equal(status, 502);
    assert_string_equal(error_field(reply, "code"), "delivery_failed");
    json_decref(reply);

    /* The code that was sent to the failing service must not verify. */
    last_sent_code(code);
    verify = verify_body(phone, code);
    reply = call("/v1/otp/verify", verify, &status);
    assert_int_equal(status, 422);
    json_decref(reply);
    free(verify);
}

static void http_rejected_token_renewed_once(void **state)
{
    char phone[32], *body, expected[64];
    json_t *reply;
    long status;
    int requests_before, tokens_before;

    (void)state;
    otp_itest_phone(phone, sizeof(phone));
    pthread_mutex_lock(&suite.whatsapp.lock);
    suite.whatsapp.reject_tokens = 1;
    requests_before = suite.whatsapp.requests;
    tokens_before = suite.whatsapp.tokens_issued;
    pthread_mutex_unlock(&suite.whatsapp.lock);
    body = issue_body(phone);
    reply = call("/v1/otp", body, &status);
    assert_int_equal(status, 202);
    /* One rejected send, then one with a newly fetched token. */
    assert_int_equal(suite.whatsapp.requests, requests_before + 2);
    assert_int_equal(suite.whatsapp.tokens_issued, tokens_before + 1);
    snprintf(expected, sizeof(expected), "Bearer fake-token-%d", tokens_before + 1);
    assert_string_equal(suite.whatsapp.last_authorization, expected);
    json_decref(reply);
    free(body);

    /* A token rejected twice is not retried a third time. */
    otp_itest_phone(phone, sizeof(phone));
    suite.whatsapp.reject_tokens = 2;
    requests_before = suite.whatsapp.requests;
    body = issue_body(phone);
    reply = call("/v1/otp", body, &status);
    suite.whatsapp.reject_tokens = 0;
    assert_int_equal(status, 502);
    assert_int_equal(suite.whatsapp.requests, requests_before + 2);
    json_decref(reply);
    free(body);
}

static void http_delivery_timeout_returns_502(void **state)
{
    char phone[32];
    json_t *reply;
    long status;

    (void)state;
    otp_itest_phone(phone, sizeof(phone));
    suite.whatsapp.delay_ms = 1500;
    reply = call_issue(phone, &status);
    suite.whatsapp.delay_ms = 0;
    assert_int_equal(status, 502);
    assert_string_equal(error_field(reply, "code"), "delivery_failed");
    assert_non_null(
        strstr(error_field(reply, "message"), "timed out after 500 ms"));
    json_decref(reply);
}

/* POSTs a fresh issue request with token and returns the status. */
static long issue_status(const char *token)
{
    struct httpc_response res = { 0 };
    char phone[32], *body;
    json_t *reply;
    long status;

    otp_itest_phone(phone, sizeof(phone));
    body = issue_body(phone);
    reply = post("/v1/otp", token, body, &status, &res);
    httpc_response_free(&res);
    json_decref(reply);
    free(body);
    return status;
}

static void http_rejects_missing_token(void **state)
{
    (void)state;
    assert_int_equal(issue_status(NULL), 401);
}

static void http_rejects_token_without_role(void **state)
{
    char *token = sign_token("\"roles\":[\"customer\"]");

    (void)state;
    assert_int_equal(issue_status(token), 403);
    free(token);
}

static void http_totp_enrol_needs_admin(void **state)
{
    struct httpc_response res = { 0 };
    char *token = sign_token("\"roles\":[\"svc-orchestrator\"]");
    json_t *reply;
    long status;

    (void)state;
    reply = post("/v1/totp/enrol", token, "{\"account\":\"ana@example.org\"}",
                 &status, &res);
    assert_int_equal(status, 403);
    httpc_response_free(&res);
    json_decref(reply);
    free(token);
}

static void http_rejects_bad_input(void **state)
{
    json_t *reply;
    long status;

    (void)state;
    reply = call(
        "/v1/otp",
        "{\"phone_number\":\"600000000\",\"purpose\":\"phone_verification\"}",
        &status);
    assert_int_equal(status, 400);
    json_decref(reply);
    reply = call("/v1/otp",
                 "{\"phone_number\":\"+34600000000\",\"purpose\":\"other\"}",
                 &status);
    assert_int_equal(status, 400);
    json_decref(reply);
    reply = call("/v1/otp", "{\"phone_number\":", &status);
    assert_int_equal(status, 400);
    json_decref(reply);
    reply = call(
        "/v1/otp/verify",
        "{\"phone_number\":\"+34600000000\",\"purpose\":\"phone_verification\","
        "\"code\":\"12ab56\"}",
        &status);
    assert_int_equal(status, 400);
    json_decref(reply);
}

static void http_rejects_large_body(void **state)
{
    size_t size = (size_t)suite.settings.max_body_bytes + 64;
    char *body = malloc(size + 1);
    json_t *reply;
    long status;

    (void)state;
    memset(body, ' ', size);
    body[0] = '{';
    body[size - 1] = '}';
    body[size] = '\0';
    reply = call("/v1/otp", body, &status);
    assert_int_equal(status, 413);
    json_decref(reply);
    free(body);
}

static void http_audit_has_no_code(void **state)
{
    char phone[32], code[16], *body;
    const char *params[1];
    PGconn *conn;
    PGresult *res;
    json_t *reply;
    long status;

    (void)state;
    otp_itest_phone(phone, sizeof(phone));
    issue_code(phone, code);
    body = verify_body(phone, code);
    reply = call("/v1/otp/verify", body, &status);
    assert_int_equal(status, 200);
    json_decref(reply);
    free(body);

    conn = PQconnectdb(suite.settings.pg_conninfo);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    params[0] = phone;
    res = PQexecParams(
        conn,
        "SELECT event, coalesce(detail, '') FROM otp_audit WHERE subject = $1 "
        "ORDER BY id",
        1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), 3);
    assert_string_equal(PQgetvalue(res, 0, 0), "issued");
    assert_string_equal(PQgetvalue(res, 1, 0), "sent");
    assert_string_equal(PQgetvalue(res, 2, 0), "verified");
    for (int i = 0; i < PQntuples(res); i++)
        assert_null(strstr(PQgetvalue(res, i, 1), code));
    PQclear(res);
    PQfinish(conn);
}

static void http_totp_enrol_and_verify(void **state)
{
    unsigned char secret[64];
    char account[64], body[256], code[16];
    json_t *reply;
    long status;
    int len;

    (void)state;
    otp_itest_phone(account, sizeof(account));
    account[0] = 's';
    snprintf(body, sizeof(body), "{\"account\":\"%s\"}", account);
    reply = call("/v1/totp/enrol", body, &status);
    assert_int_equal(status, 201);
    len = otp_base32_decode(json_string_value(json_object_get(reply, "secret")),
                            secret, sizeof(secret));
    assert_int_equal(len, 20);
    assert_non_null(
        strstr(json_string_value(json_object_get(reply, "otpauth_uri")),
               "otpauth://totp/"));
    json_decref(reply);

    otp_hotp_format(otp_hotp(OTP_HOTP_SHA1, secret, (size_t)len,
                             (uint64_t)otp_totp_step(time(NULL), 0, 30), 6),
                    6, code, sizeof(code));
    snprintf(body, sizeof(body), "{\"account\":\"%s\",\"code\":\"%s\"}",
             account, code);
    reply = call("/v1/totp/verify", body, &status);
    assert_int_equal(status, 200);
    assert_non_null(json_string_value(json_object_get(reply, "proof")));
    json_decref(reply);
    reply = call("/v1/totp/verify", body, &status);
    assert_int_equal(status, 422);
    json_decref(reply);
}

static void http_metrics_count_issues(void **state)
{
    char url[128];
    struct httpc_request req = { .url = url };
    struct httpc_response res = { 0 };

    (void)state;
    snprintf(url, sizeof(url), "%s/metrics", suite.base_url);
    assert_int_equal(httpc_do(&req, &res, NULL), HITO_OK);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(
        res.body, "otp_codes_issued_total{purpose=\"phone_verification\"}"));
    assert_non_null(strstr(res.body, "otp_send_duration_seconds_bucket"));
    httpc_response_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(http_issue_sends_template),
        cmocka_unit_test(http_verify_returns_proof),
        cmocka_unit_test(http_rejections_look_the_same),
        cmocka_unit_test(http_cooldown_returns_429),
        cmocka_unit_test(http_delivery_failure_returns_502),
        cmocka_unit_test(http_delivery_timeout_returns_502),
        cmocka_unit_test(http_rejected_token_renewed_once),
        cmocka_unit_test(http_rejects_missing_token),
        cmocka_unit_test(http_rejects_token_without_role),
        cmocka_unit_test(http_totp_enrol_needs_admin),
        cmocka_unit_test(http_rejects_bad_input),
        cmocka_unit_test(http_rejects_large_body),
        cmocka_unit_test(http_audit_has_no_code),
        cmocka_unit_test(http_totp_enrol_and_verify),
        cmocka_unit_test(http_metrics_count_issues),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/*
 * Unit tests of service_auth.c: settings, role lists, and the bearer check
 * and its replies through a real httpd, with keys served by an in-test JWKS
 * server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hito/httpc.h"
#include "hito/service_auth.h"
#include "jwt_test_keys.h"

#define AUTH_HEADER_MAX 4096

/* One key pair, one JWKS server and one protected server for every test,
 * because RSA key generation and stopping civetweb are slow. */
static struct test_key key;
static struct test_jwks_server jwks;
static struct service_auth *auth;
static struct service_roles roles;
static struct httpd *srv;
static char protected_url[128];

static void handle_protected(struct httpd_req *req, void *user)
{
    struct service_caller caller;
    struct hito_error err = { 0 };
    int rc;

    (void)user;
    rc = service_auth_check(auth, httpd_header(req, "Authorization"), &roles,
                            &caller, &err);
    if (rc != HITO_OK) {
        service_auth_reply(req, rc, &err);
        return;
    }
    httpd_reply(req, 200, "text/plain", caller.sub, strlen(caller.sub));
}

static int group_setup(void **state)
{
    struct service_auth_settings settings = { 0 };
    struct httpd_options opts = { .listen = "127.0.0.1:0" };
    char *doc;

    (void)state;
    test_key_init(&key, "svc-1");
    doc = test_jwks_document(&key, NULL);
    if (test_jwks_server_start(&jwks, doc) != 0)
        return -1;
    free(doc);
    snprintf(settings.issuer, sizeof(settings.issuer), "%s", TEST_ISSUER);
    snprintf(settings.audience, sizeof(settings.audience), "%s",
             TEST_AUDIENCE);
    snprintf(settings.jwks_url, sizeof(settings.jwks_url), "%s", jwks.url);
    auth = service_auth_new(&settings, NULL);
    if (auth == NULL || service_roles_parse(&roles, "admin, support", NULL))
        return -1;
    srv = httpd_new(&opts, NULL);
    if (srv == NULL ||
        httpd_route(srv, "GET", "/protected", handle_protected, NULL) != 0 ||
        httpd_start(srv, NULL) != HITO_OK)
        return -1;
    snprintf(protected_url, sizeof(protected_url),
             "http://127.0.0.1:%d/protected", httpd_port(srv));
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    httpd_free(srv);
    service_auth_free(auth);
    test_jwks_server_stop(&jwks);
    test_key_free(&key);
    return 0;
}

/* Signs claims from TEST_ISSUER for TEST_AUDIENCE with the extra members. */
static char *sign(const char *issuer, const char *extra)
{
    char *claims = test_claims(issuer, TEST_AUDIENCE, 300, -10, extra);
    char *token = test_sign(claims, JWT_ALG_RS256, key.private_pem, key.kid);

    free(claims);
    return token;
}

static char *bearer(const char *token)
{
    char *header = malloc(AUTH_HEADER_MAX);

    snprintf(header, AUTH_HEADER_MAX, "Bearer %s", token);
    return header;
}

/* Sends GET /protected with authorization (NULL: none); fills res. */
static void get_protected(const char *authorization,
                          struct httpc_response *res)
{
    char header[AUTH_HEADER_MAX + 32];
    const char *headers[] = { header, NULL };
    struct httpc_request req = { .url = protected_url };

    if (authorization != NULL) {
        snprintf(header, sizeof(header), "Authorization: %s", authorization);
        req.headers = headers;
    }
    assert_int_equal(httpc_do(&req, res, NULL), HITO_OK);
}

static void settings_default_to_stack_zitadel(void **state)
{
    struct config *cfg = config_new();
    struct service_auth_settings s;

    (void)state;
    assert_int_equal(config_set(cfg, "ZITADEL_PORT", "22080"), HITO_OK);
    assert_int_equal(config_set(cfg, "ZITADEL_PROJECT_ID", "42"), HITO_OK);
    assert_int_equal(service_auth_settings_load(cfg, "OTP", &s, NULL), HITO_OK);
    assert_string_equal(s.issuer, "http://localhost:22080");
    assert_string_equal(s.jwks_url, "http://localhost:22080/oauth/v2/keys");
    assert_string_equal(s.audience, "42");
    assert_string_equal(s.audience_key, "OTP_AUTH_AUDIENCE");
    config_free(cfg);
}

static void settings_read_prefixed_keys(void **state)
{
    struct config *cfg = config_new();
    struct service_auth_settings s;

    (void)state;
    assert_int_equal(config_set(cfg, "ZITADEL_PROJECT_ID", "42"), HITO_OK);
    assert_int_equal(config_set(cfg, "IABOT_AUTH_ISSUER", "http://idp"),
                     HITO_OK);
    assert_int_equal(config_set(cfg, "IABOT_AUTH_AUDIENCE", "7"), HITO_OK);
    assert_int_equal(service_auth_settings_load(cfg, "IABOT", &s, NULL),
                     HITO_OK);
    assert_string_equal(s.issuer, "http://idp");
    assert_string_equal(s.jwks_url, "http://idp/oauth/v2/keys");
    assert_string_equal(s.audience, "7");
    assert_int_equal(config_set(cfg, "IABOT_AUTH_JWKS_URL", "http://keys"),
                     HITO_OK);
    assert_int_equal(service_auth_settings_load(cfg, "IABOT", &s, NULL),
                     HITO_OK);
    assert_string_equal(s.jwks_url, "http://keys");
    config_free(cfg);
}

static void settings_reject_long_value(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct service_auth_settings s;
    char value[SERVICE_AUTH_TEXT_MAX + 1];

    (void)state;
    memset(value, 'a', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    assert_int_equal(config_set(cfg, "OTP_AUTH_AUDIENCE", value), HITO_OK);
    assert_int_equal(service_auth_settings_load(cfg, "OTP", &s, &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "OTP_AUTH_AUDIENCE"));
    config_free(cfg);
}

static void client_settings_from_provisioning(void **state)
{
    struct config *cfg = config_new();
    struct service_client_settings c;

    (void)state;
    assert_int_equal(config_set(cfg, "ZITADEL_SVC_OTP_CLIENT_ID", "svc-otp"),
                     HITO_OK);
    assert_int_equal(config_set(cfg, "ZITADEL_SVC_OTP_CLIENT_SECRET", "s1"),
                     HITO_OK);
    assert_int_equal(config_set(cfg, "ZITADEL_PROJECT_ID", "42"), HITO_OK);
    assert_int_equal(service_client_settings_load(cfg, "OTP", "SVC_OTP",
                                                  "http://localhost:8080", &c,
                                                  NULL),
                     HITO_OK);
    assert_string_equal(c.client_id, "svc-otp");
    assert_string_equal(c.client_secret, "s1");
    assert_string_equal(c.token_url, "http://localhost:8080/oauth/v2/token");
    assert_string_equal(c.scope, "openid urn:zitadel:iam:org:project:id:42:aud "
                                 "urn:zitadel:iam:org:projects:roles");
    config_free(cfg);
}

static void client_settings_prefer_own_keys(void **state)
{
    struct config *cfg = config_new();
    struct service_client_settings c;

    (void)state;
    assert_int_equal(config_set(cfg, "ZITADEL_SVC_OTP_CLIENT_ID", "svc-otp"),
                     HITO_OK);
    assert_int_equal(config_set(cfg, "OTP_CLIENT_ID", "mine"), HITO_OK);
    assert_int_equal(config_set(cfg, "OTP_CLIENT_SECRET", "s2"), HITO_OK);
    assert_int_equal(config_set(cfg, "OTP_TOKEN_URL", "http://t/token"),
                     HITO_OK);
    assert_int_equal(service_client_settings_load(cfg, "OTP", "SVC_OTP",
                                                  "http://localhost:8080", &c,
                                                  NULL),
                     HITO_OK);
    assert_string_equal(c.client_id, "mine");
    assert_string_equal(c.client_secret, "s2");
    assert_string_equal(c.token_url, "http://t/token");
    config_free(cfg);
}

static void client_settings_hide_long_secret(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct service_client_settings c;
    char secret[SERVICE_AUTH_TEXT_MAX + 1];

    (void)state;
    memset(secret, 's', sizeof(secret) - 1);
    secret[sizeof(secret) - 1] = '\0';
    assert_int_equal(config_set(cfg, "OTP_CLIENT_SECRET", secret), HITO_OK);
    assert_int_equal(service_client_settings_load(cfg, "OTP", "SVC_OTP",
                                                  "http://localhost:8080", &c,
                                                  &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "OTP_CLIENT_SECRET"));
    assert_null(strstr(err.message, "sss"));
    config_free(cfg);
}

static void roles_parse_commas_and_spaces(void **state)
{
    struct service_roles r;

    (void)state;
    assert_int_equal(service_roles_parse(&r, "admin,support  svc-otp, ", NULL),
                     HITO_OK);
    assert_int_equal(r.count, 3);
    assert_string_equal(r.names[0], "admin");
    assert_string_equal(r.names[1], "support");
    assert_string_equal(r.names[2], "svc-otp");
}

static void roles_parse_rejects_bad_lists(void **state)
{
    struct service_roles r;
    char long_role[SERVICE_AUTH_ROLE_MAX + 1];

    (void)state;
    memset(long_role, 'r', sizeof(long_role) - 1);
    long_role[sizeof(long_role) - 1] = '\0';
    assert_int_equal(service_roles_parse(&r, " , ", NULL), HITO_ERR_INVALID);
    assert_int_equal(service_roles_parse(&r, "a b c d e f g h i", NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(service_roles_parse(&r, long_role, NULL),
                     HITO_ERR_INVALID);
}

static void roles_load_names_key(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct service_roles r;

    (void)state;
    assert_int_equal(service_roles_load(cfg, "OTP_AUTH_ROLES", "admin", &r,
                                        NULL),
                     HITO_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.names[0], "admin");
    assert_int_equal(config_set(cfg, "OTP_AUTH_ROLES", "a b c d e f g h i"),
                     HITO_OK);
    assert_int_equal(service_roles_load(cfg, "OTP_AUTH_ROLES", "admin", &r,
                                        &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "OTP_AUTH_ROLES"));
    config_free(cfg);
}

static void check_accepts_role(void **state)
{
    char *token = sign(TEST_ISSUER, "\"roles\":[\"support\"],"
                                    "\"urn:zitadel:iam:user:resourceowner:id\":"
                                    "\"900\"");
    char *header = bearer(token);
    struct service_caller caller;
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(service_auth_check(auth, header, &roles, &caller, &err),
                     HITO_OK);
    assert_string_equal(caller.sub, "2001");
    assert_string_equal(caller.org_id, "900");
    free(header);
    free(token);
}

static void check_forbids_other_roles(void **state)
{
    char *token = sign(TEST_ISSUER, "\"roles\":[\"customer\"]");
    char *header = bearer(token);
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(service_auth_check(auth, header, &roles, NULL, &err),
                     HITO_ERR_FORBIDDEN);
    assert_non_null(strstr(err.message, "admin, support"));
    assert_null(strstr(err.message, token));
    free(header);
    free(token);
}

static void check_rejects_missing_bearer(void **state)
{
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(service_auth_check(auth, NULL, &roles, NULL, &err),
                     HITO_ERR_AUTH);
    assert_int_equal(service_auth_check(auth, "Basic YTpi", &roles, NULL, &err),
                     HITO_ERR_AUTH);
}

static void check_rejects_other_issuer(void **state)
{
    char *token = sign("http://127.0.0.1:1", "\"roles\":[\"admin\"]");
    char *header = bearer(token);
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(service_auth_check(auth, header, &roles, NULL, &err),
                     HITO_ERR_AUTH);
    assert_null(strstr(err.message, token));
    free(header);
    free(token);
}

static void check_needs_audience_setting(void **state)
{
    struct service_auth_settings s = { .issuer = TEST_ISSUER,
                                       .jwks_url = "http://127.0.0.1:1/keys",
                                       .audience_key = "OTP_AUTH_AUDIENCE" };
    struct service_auth *unset = service_auth_new(&s, NULL);
    struct hito_error err = { 0 };

    (void)state;
    assert_non_null(unset);
    assert_int_equal(service_auth_check(unset, "Bearer x", &roles, NULL, &err),
                     HITO_ERR_AUTH);
    assert_non_null(strstr(err.message, "OTP_AUTH_AUDIENCE"));
    service_auth_free(unset);
}

static void check_unavailable_without_keys(void **state)
{
    /* Port 1 on loopback has no listener, so the JWKS fetch fails. */
    struct service_auth_settings s = { .issuer = TEST_ISSUER,
                                       .audience = TEST_AUDIENCE,
                                       .jwks_url = "http://127.0.0.1:1/keys" };
    struct service_auth *offline = service_auth_new(&s, NULL);
    char *token = sign(TEST_ISSUER, "\"roles\":[\"admin\"]");
    char *header = bearer(token);
    struct hito_error err = { 0 };

    (void)state;
    assert_non_null(offline);
    assert_int_equal(service_auth_check(offline, header, &roles, NULL, &err),
                     HITO_ERR_UNAVAILABLE);
    service_auth_free(offline);
    free(header);
    free(token);
}

static void reply_sends_200_to_caller(void **state)
{
    char *token = sign(TEST_ISSUER, "\"roles\":[\"admin\"]");
    char *header = bearer(token);
    struct httpc_response res = { 0 };

    (void)state;
    get_protected(header, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "2001");
    httpc_response_free(&res);
    free(header);
    free(token);
}

static void reply_sends_401_with_challenge(void **state)
{
    struct httpc_response res = { 0 };
    const char *challenge;

    (void)state;
    get_protected(NULL, &res);
    assert_int_equal(res.status, 401);
    challenge = httpc_response_header(&res, "WWW-Authenticate");
    assert_non_null(challenge);
    assert_string_equal(challenge, "Bearer");
    assert_non_null(strstr(res.body, "unauthenticated"));
    httpc_response_free(&res);
}

static void reply_sends_403_for_role(void **state)
{
    char *token = sign(TEST_ISSUER, "\"roles\":[\"customer\"]");
    char *header = bearer(token);
    struct httpc_response res = { 0 };

    (void)state;
    get_protected(header, &res);
    assert_int_equal(res.status, 403);
    assert_non_null(strstr(res.body, "forbidden"));
    assert_null(httpc_response_header(&res, "WWW-Authenticate"));
    httpc_response_free(&res);
    free(header);
    free(token);
}

static void reply_sends_503_when_unavailable(void **state)
{
    struct httpc_response res = { 0 };
    struct service_auth *online = auth;
    struct service_auth_settings s = { .issuer = TEST_ISSUER,
                                       .audience = TEST_AUDIENCE,
                                       .jwks_url = "http://127.0.0.1:1/keys" };
    char *token = sign(TEST_ISSUER, "\"roles\":[\"admin\"]");
    char *header = bearer(token);

    (void)state;
    auth = service_auth_new(&s, NULL);
    assert_non_null(auth);
    get_protected(header, &res);
    assert_int_equal(res.status, 503);
    assert_non_null(strstr(res.body, "unavailable"));
    service_auth_free(auth);
    auth = online;
    httpc_response_free(&res);
    free(header);
    free(token);
}

int main(void)
{
    static const char *const keys[] = {
        "ZITADEL_PORT",        "ZITADEL_PROJECT_ID",  "ZITADEL_EXTERNAL_DOMAIN",
        "OTP_AUTH_ISSUER",     "OTP_AUTH_JWKS_URL",   "OTP_AUTH_AUDIENCE",
        "IABOT_AUTH_ISSUER",   "IABOT_AUTH_JWKS_URL", "IABOT_AUTH_AUDIENCE",
        "OTP_AUTH_ROLES",      "OTP_CLIENT_ID",       "OTP_CLIENT_SECRET",
        "OTP_TOKEN_URL",       "ZITADEL_SVC_OTP_CLIENT_ID",
        "ZITADEL_SVC_OTP_CLIENT_SECRET",
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_default_to_stack_zitadel),
        cmocka_unit_test(settings_read_prefixed_keys),
        cmocka_unit_test(settings_reject_long_value),
        cmocka_unit_test(client_settings_from_provisioning),
        cmocka_unit_test(client_settings_prefer_own_keys),
        cmocka_unit_test(client_settings_hide_long_secret),
        cmocka_unit_test(roles_parse_commas_and_spaces),
        cmocka_unit_test(roles_parse_rejects_bad_lists),
        cmocka_unit_test(roles_load_names_key),
        cmocka_unit_test(check_accepts_role),
        cmocka_unit_test(check_forbids_other_roles),
        cmocka_unit_test(check_rejects_missing_bearer),
        cmocka_unit_test(check_rejects_other_issuer),
        cmocka_unit_test(check_needs_audience_setting),
        cmocka_unit_test(check_unavailable_without_keys),
        cmocka_unit_test(reply_sends_200_to_caller),
        cmocka_unit_test(reply_sends_401_with_challenge),
        cmocka_unit_test(reply_sends_403_for_role),
        cmocka_unit_test(reply_sends_503_when_unavailable),
    };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        unsetenv(keys[i]);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

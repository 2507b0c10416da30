#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "runner/redact.h"

/* Redacts text with r and compares with expected. */
static void assert_redacted(const struct redactor *r, const char *text,
                            const char *expected)
{
    char *out = redactor_apply(r, text);

    assert_non_null(out);
    assert_string_equal(out, expected);
    free(out);
}

static void redact_json_keys(void **state)
{
    (void)state;
    assert_redacted(NULL, "{\"password\":\"hunter2\",\"user\":\"bob\"}",
                    "{\"password\":\"[REDACTED]\",\"user\":\"bob\"}");
    assert_redacted(NULL, "{\"access_token\": \"a.b.c\", \"expires_in\": 300}",
                    "{\"access_token\": \"[REDACTED]\", \"expires_in\": 300}");
    assert_redacted(NULL, "{\"client_secret\":\"x\\\"y\",\"ok\":1}",
                    "{\"client_secret\":\"[REDACTED]\",\"ok\":1}");
    assert_redacted(
        NULL, "{\"id_token\":\"t1\",\"refresh_token\":\"t2\"}",
        "{\"id_token\":\"[REDACTED]\",\"refresh_token\":\"[REDACTED]\"}");
}

static void redact_form_fields(void **state)
{
    (void)state;
    assert_redacted(
        NULL,
        "grant_type=authorization_code&code_verifier=abc123&client_id=web",
        "grant_type=authorization_code&code_verifier=[REDACTED]&client_id=web");
    assert_redacted(NULL, "PG_PASSWORD_OTP=s3cr3t-value\nPG_PORT=22432",
                    "PG_PASSWORD_OTP=[REDACTED]\nPG_PORT=22432");
}

static void redact_headers(void **state)
{
    (void)state;
    assert_redacted(NULL, "GET /x\nAuthorization: Bearer abc.def\nAccept: */*",
                    "GET /x\nAuthorization: [REDACTED]\nAccept: */*");
    assert_redacted(NULL, "Set-Cookie: session=abc; Path=/\nVary: Origin",
                    "Set-Cookie: [REDACTED]\nVary: Origin");
    assert_redacted(NULL, "cookie: a=b", "cookie: [REDACTED]");
}

static void redact_bearer_in_text(void **state)
{
    (void)state;
    assert_redacted(NULL, "sent Bearer eyJhbGciOi.x-y_z= to the API",
                    "sent Bearer [REDACTED] to the API");
    assert_redacted(NULL, "Basic dXNlcjpwYXNz", "Basic [REDACTED]");
}

static void redact_jwt_anywhere(void **state)
{
    (void)state;
    assert_redacted(NULL,
                    "token was eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln, ok",
                    "token was [REDACTED], ok");
    assert_redacted(NULL, "eyJhbGciOiJSUzI1NiJ9 alone",
                    "eyJhbGciOiJSUzI1NiJ9 alone");
}

static void redact_known_secrets(void **state)
{
    struct redactor *r = redactor_new();

    (void)state;
    assert_non_null(r);
    assert_int_equal(redactor_add_secret(r, "Zq8-long-secret"), 0);
    assert_int_equal(redactor_add_secret(r, "Zq8-long-secret-longer"), 0);
    assert_int_equal(redactor_add_secret(r, "short"), 0);
    assert_int_equal(redactor_secret_count(r), 2);
    assert_redacted(
        r, "auth failed for Zq8-long-secret-longer and Zq8-long-secret",
        "auth failed for [REDACTED] and [REDACTED]");
    assert_redacted(r, "a short word stays", "a short word stays");
    redactor_free(r);
}

static void redact_leaves_plain_text(void **state)
{
    (void)state;
    assert_redacted(NULL, "Redis at 127.0.0.1:22379: connection refused",
                    "Redis at 127.0.0.1:22379: connection refused");
    assert_redacted(NULL, "{\"status\":\"success\",\"data\":[1,2]}",
                    "{\"status\":\"success\",\"data\":[1,2]}");
    assert_redacted(NULL, "password", "password");
    assert_redacted(NULL, "", "");
    assert_null(redactor_apply(NULL, NULL));
}

static void redact_sensitive_key_names(void **state)
{
    (void)state;
    assert_true(redact_is_sensitive_key("AMQP_PASSWORD", 13));
    assert_true(redact_is_sensitive_key("X-Api-Key", 9));
    assert_true(redact_is_sensitive_key("api_key", 7));
    assert_true(redact_is_sensitive_key("ERLANG_COOKIE", 13));
    assert_false(redact_is_sensitive_key("PG_PORT", 7));
    assert_true(redact_is_sensitive_key("ZITADEL_LOGIN_CLIENT_PAT", 24));
    assert_true(redact_is_sensitive_key("OTP_HMAC_KEY", 12));
    assert_true(redact_is_sensitive_key("ZITADEL_MASTERKEY", 17));
    assert_false(redact_is_sensitive_key("PATH", 4));
    assert_false(redact_is_sensitive_key("ZITADEL_CLIENT_ID", 17));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(redact_json_keys),
        cmocka_unit_test(redact_form_fields),
        cmocka_unit_test(redact_headers),
        cmocka_unit_test(redact_bearer_in_text),
        cmocka_unit_test(redact_jwt_anywhere),
        cmocka_unit_test(redact_known_secrets),
        cmocka_unit_test(redact_leaves_plain_text),
        cmocka_unit_test(redact_sensitive_key_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

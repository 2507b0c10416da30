/* test_jose.c - RS256 keyring, JWS signing and verification, PKCE S256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jose.h"

/* RFC 7636 appendix B. */
#define RFC_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static void pkce_accepts_rfc_example(void **state)
{
    (void)state;
    assert_true(jose_pkce_s256_ok(RFC_VERIFIER, RFC_CHALLENGE));
}

static void pkce_rejects_plain_and_short(void **state)
{
    (void)state;
    /* "plain" would send the verifier itself as the challenge. */
    assert_false(jose_pkce_s256_ok(RFC_VERIFIER, RFC_VERIFIER));
    assert_false(jose_pkce_s256_ok("short", RFC_CHALLENGE));
}

static void sign_verify_roundtrip(void **state)
{
    struct jose_keyring *ring = jose_keyring_new();
    json_t *claims = json_pack("{s:s, s:i}", "sub", "1", "exp", 10);
    json_t *out = NULL;
    json_t *header;
    char *token;

    (void)state;
    assert_int_equal(jose_keyring_rotate(ring, "100", NULL), HITO_OK);
    token = jose_sign(ring, claims, "JWT");
    assert_non_null(token);
    assert_int_equal(jose_verify(ring, token, &out, NULL), HITO_OK);
    assert_string_equal(json_string_value(json_object_get(out, "sub")), "1");
    header = jose_peek_header(token);
    assert_string_equal(json_string_value(json_object_get(header, "kid")), "100");
    assert_string_equal(json_string_value(json_object_get(header, "alg")), "RS256");
    token[strlen(token) - 2] ^= 1;
    json_decref(out);
    assert_int_equal(jose_verify(ring, token, &out, NULL), HITO_ERR_AUTH);
    free(token);
    json_decref(header);
    json_decref(claims);
    jose_keyring_free(ring);
}

static void rotate_keeps_then_retire_drops(void **state)
{
    struct jose_keyring *ring = jose_keyring_new();
    json_t *claims = json_pack("{s:s}", "sub", "1");
    json_t *out = NULL;
    json_t *jwks;
    char *old;

    (void)state;
    assert_int_equal(jose_keyring_rotate(ring, "1", NULL), HITO_OK);
    old = jose_sign(ring, claims, "JWT");
    assert_int_equal(jose_keyring_rotate(ring, "2", NULL), HITO_OK);
    jwks = jose_keyring_jwks(ring);
    assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 2);
    json_decref(jwks);
    assert_int_equal(jose_verify(ring, old, &out, NULL), HITO_OK);
    json_decref(out);
    assert_int_equal(jose_keyring_retire(ring), 1);
    assert_int_equal(jose_verify(ring, old, &out, NULL), HITO_ERR_AUTH);
    free(old);
    json_decref(claims);
    jose_keyring_free(ring);
}

static void keyring_dump_load_roundtrip(void **state)
{
    struct jose_keyring *a = jose_keyring_new();
    struct jose_keyring *b = jose_keyring_new();
    json_t *claims = json_pack("{s:s}", "sub", "1");
    json_t *stored;
    json_t *out = NULL;
    char *token;

    (void)state;
    assert_int_equal(jose_keyring_rotate(a, "7", NULL), HITO_OK);
    stored = jose_keyring_dump(a);
    assert_int_equal(jose_keyring_load(b, stored, NULL), HITO_OK);
    token = jose_sign(a, claims, "JWT");
    assert_int_equal(jose_verify(b, token, &out, NULL), HITO_OK);
    json_decref(out);
    free(token);
    json_decref(stored);
    json_decref(claims);
    jose_keyring_free(a);
    jose_keyring_free(b);
}

static void verify_rejects_malformed(void **state)
{
    struct jose_keyring *ring = jose_keyring_new();
    json_t *out = NULL;

    (void)state;
    assert_int_equal(jose_verify(ring, "abc", &out, NULL), HITO_ERR_INVALID);
    assert_int_equal(jose_verify(ring, "a.b.c.d", &out, NULL), HITO_ERR_INVALID);
    assert_int_equal(jose_verify(ring, "e30.e30.", &out, NULL), HITO_ERR_INVALID);
    assert_null(out);
    jose_keyring_free(ring);
}

static void b64url_roundtrip(void **state)
{
    const unsigned char data[] = {0xfb, 0xff, 0x00, 0x01};
    char *text = jose_b64url(data, sizeof(data));
    size_t len = 0;
    unsigned char *back;

    (void)state;
    assert_string_equal(text, "-_8AAQ");
    back = jose_b64url_decode(text, strlen(text), &len);
    assert_int_equal(len, sizeof(data));
    assert_memory_equal(back, data, sizeof(data));
    free(text);
    free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pkce_accepts_rfc_example),
        cmocka_unit_test(pkce_rejects_plain_and_short),
        cmocka_unit_test(sign_verify_roundtrip),
        cmocka_unit_test(rotate_keeps_then_retire_drops),
        cmocka_unit_test(keyring_dump_load_roundtrip),
        cmocka_unit_test(verify_rejects_malformed),
        cmocka_unit_test(b64url_roundtrip),
    };

    return cmocka_run_group_tests_name("zitadel_emulator_jose", tests, NULL, NULL);
}

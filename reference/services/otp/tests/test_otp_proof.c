/* Signing and verifying the proof of a successful verification. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jwt.h>

#include "otp_fakes.h"
#include "otp_proof.h"

#define NOW 1700000000LL

static const unsigned char key[] = "proof-key-0123456789abcdef-0123456789";
static const unsigned char other_key[] =
    "other-key-0123456789abcdef-0123456789";

static char *sign(const char *purpose, long ttl)
{
    char *token = NULL;

    assert_int_equal(otp_proof_sign(key, sizeof(key) - 1, fake_random,
                                    "+34600000001", purpose, NOW, ttl, &token,
                                    NULL),
                     HITO_OK);
    assert_non_null(token);
    return token;
}

static void proof_round_trip(void **state)
{
    struct otp_proof proof;
    char *token = sign("payment_confirmation", 120);

    (void)state;
    assert_int_equal(otp_proof_verify(key, sizeof(key) - 1, token,
                                      "payment_confirmation", NOW + 119, &proof,
                                      NULL),
                     HITO_OK);
    assert_string_equal(proof.subject, "+34600000001");
    assert_string_equal(proof.purpose, "payment_confirmation");
    assert_int_equal(strlen(proof.jti), 32);
    assert_int_equal(proof.issued_at, NOW);
    assert_int_equal(proof.expires_at, NOW + 120);
    free(token);
}

static void proof_jti_differs_each_time(void **state)
{
    struct otp_proof a, b;
    char *first = sign("login", 120), *second = sign("login", 120);

    (void)state;
    otp_proof_verify(key, sizeof(key) - 1, first, NULL, NOW, &a, NULL);
    otp_proof_verify(key, sizeof(key) - 1, second, NULL, NOW, &b, NULL);
    assert_string_not_equal(a.jti, b.jti);
    free(first);
    free(second);
}

static void proof_rejects_expired(void **state)
{
    struct otp_proof proof;
    char *token = sign("login", 120);

    (void)state;
    assert_int_equal(otp_proof_verify(key, sizeof(key) - 1, token, NULL,
                                      NOW + 120, &proof, NULL),
                     HITO_ERR_AUTH);
    free(token);
}

static void proof_rejects_other_purpose(void **state)
{
    struct otp_proof proof;
    char *token = sign("login", 120);

    (void)state;
    assert_int_equal(otp_proof_verify(key, sizeof(key) - 1, token,
                                      "payment_confirmation", NOW, &proof,
                                      NULL),
                     HITO_ERR_AUTH);
    free(token);
}

static void proof_rejects_other_key(void **state)
{
    struct otp_proof proof;
    char *token = sign("login", 120);

    (void)state;
    assert_int_equal(otp_proof_verify(other_key, sizeof(other_key) - 1, token,
                                      NULL, NOW, &proof, NULL),
                     HITO_ERR_AUTH);
    free(token);
}

static void proof_rejects_tampered_payload(void **state)
{
    struct otp_proof proof;
    char *token = sign("login", 120);
    char *payload = strchr(token, '.') + 1;

    (void)state;
    payload[2] = payload[2] == 'A' ? 'B' : 'A';
    assert_int_equal(
        otp_proof_verify(key, sizeof(key) - 1, token, NULL, NOW, &proof, NULL),
        HITO_ERR_AUTH);
    free(token);
}

static void proof_rejects_alg_none(void **state)
{
    struct otp_proof proof;
    jwt_t *jwt = NULL;
    char *token;

    (void)state;
    assert_int_equal(jwt_new(&jwt), 0);
    jwt_add_grant(jwt, "iss", OTP_PROOF_ISSUER);
    jwt_add_grant(jwt, "sub", "+34600000001");
    jwt_add_grant(jwt, "purpose", "login");
    jwt_add_grant(jwt, "jti", "x");
    jwt_add_grant_int(jwt, "exp", (long)(NOW + 60));
    token = jwt_encode_str(jwt);
    assert_non_null(token);
    assert_int_equal(
        otp_proof_verify(key, sizeof(key) - 1, token, NULL, NOW, &proof, NULL),
        HITO_ERR_AUTH);
    free(token);
    jwt_free(jwt);
}

static void proof_rejects_short_key(void **state)
{
    char *token = NULL;

    (void)state;
    assert_int_equal(otp_proof_sign(key, 16, fake_random, "+34600000001",
                                    "login", NOW, 60, &token, NULL),
                     HITO_ERR_INVALID);
    assert_null(token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proof_round_trip),
        cmocka_unit_test(proof_jti_differs_each_time),
        cmocka_unit_test(proof_rejects_expired),
        cmocka_unit_test(proof_rejects_other_purpose),
        cmocka_unit_test(proof_rejects_other_key),
        cmocka_unit_test(proof_rejects_tampered_payload),
        cmocka_unit_test(proof_rejects_alg_none),
        cmocka_unit_test(proof_rejects_short_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

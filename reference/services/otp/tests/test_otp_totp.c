/* TOTP enrolment and verification for staff accounts, with fake ports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "otp_fakes.h"
#include "otp_proof.h"
#include "otp_totp.h"

#define ACCOUNT "ana@example.org"

static const unsigned char proof_key[] =
    "proof-key-0123456789abcdef-0123456789";

struct fixture {
    struct fake_totp_store store;
    struct fake_limiter limiter;
    struct fake_audit audit;
    struct otp_totp_deps deps;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    fake_now_ms = 1700000000000LL;
    fake_random_reset();
    f->deps = (struct otp_totp_deps){
        .store = { &fake_totp_store_ops, &f->store },
        .limiter = { &fake_limiter_ops, &f->limiter },
        .audit = { &fake_audit_ops, &f->audit },
        .random = fake_random,
        .clock = fake_clock,
        .proof_key = proof_key,
        .proof_key_len = sizeof(proof_key) - 1,
        .proof_ttl_seconds = 120,
    };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Returns the code an authenticator app shows at offset_steps from now. */
static const char *app_code(const struct fixture *f, int offset_steps)
{
    static char code[16];
    long long step =
        otp_totp_step(fake_now_ms / 1000, 0, OTP_TOTP_PERIOD_SECONDS);
    long value = otp_hotp(OTP_HOTP_SHA1, f->store.secret, f->store.len,
                          (uint64_t)(step + offset_steps), OTP_TOTP_DIGITS);

    otp_hotp_format(value, OTP_TOTP_DIGITS, code, sizeof(code));
    return code;
}

static enum otp_totp_status check(struct fixture *f, const char *code)
{
    struct otp_totp_result result;

    assert_int_equal(
        otp_totp_verify(&f->deps, ACCOUNT, code, NULL, &result, NULL), HITO_OK);
    assert_true((result.status == OTP_TOTP_OK) == (result.proof != NULL));
    free(result.proof);
    return result.status;
}

static void enrol_returns_secret_and_uri(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;
    unsigned char decoded[OTP_TOTP_SECRET_MAX];

    assert_int_equal(otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL),
                     HITO_OK);
    assert_int_equal(f->store.len, OTP_TOTP_SECRET_BYTES);
    assert_int_equal(strlen(enrolment.secret_base32), 32);
    assert_int_equal(
        otp_base32_decode(enrolment.secret_base32, decoded, sizeof(decoded)),
        20);
    assert_memory_equal(decoded, f->store.secret, 20);
    assert_non_null(
        strstr(enrolment.uri, "otpauth://totp/hito:ana%40example.org?secret="));
    assert_non_null(strstr(enrolment.uri, enrolment.secret_base32));
    assert_non_null(
        strstr(enrolment.uri, "&algorithm=SHA1&digits=6&period=30"));
    assert_int_equal(fake_audit_count(&f->audit, "totp_enrolled"), 1);
}

static void enrol_rejects_bad_account(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;

    assert_int_equal(
        otp_totp_enrol(&f->deps, "ana smith", NULL, &enrolment, NULL),
        HITO_ERR_INVALID);
    assert_int_equal(otp_totp_enrol(&f->deps, "", NULL, &enrolment, NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(f->store.enrolled, 0);
}

static void verify_accepts_current_code(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;

    otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL);
    assert_int_equal(check(f, app_code(f, 0)), OTP_TOTP_OK);
    assert_int_equal(fake_audit_count(&f->audit, "totp_verified"), 1);
}

static void verify_returns_staff_proof(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;
    struct otp_totp_result result;
    struct otp_proof proof;

    otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL);
    assert_int_equal(
        otp_totp_verify(&f->deps, ACCOUNT, app_code(f, 0), NULL, &result, NULL),
        HITO_OK);
    assert_int_equal(result.status, OTP_TOTP_OK);
    assert_int_equal(otp_proof_verify(proof_key, sizeof(proof_key) - 1,
                                      result.proof, OTP_TOTP_PURPOSE,
                                      fake_now_ms / 1000, &proof, NULL),
                     HITO_OK);
    assert_string_equal(proof.subject, ACCOUNT);
    assert_int_equal(result.proof_expires_in_seconds, 120);
    free(result.proof);
}

static void verify_rejects_replay(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;
    char code[16];

    otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL);
    snprintf(code, sizeof(code), "%s", app_code(f, 0));
    assert_int_equal(check(f, code), OTP_TOTP_OK);
    assert_int_equal(check(f, code), OTP_TOTP_REJECTED);
}

static void verify_accepts_one_step_either_side(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;

    otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL);
    assert_int_equal(check(f, app_code(f, -1)), OTP_TOTP_OK);
    assert_int_equal(check(f, app_code(f, 1)), OTP_TOTP_OK);
}

static void verify_rejects_older_step_after_newer(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;

    otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL);
    assert_int_equal(check(f, app_code(f, 0)), OTP_TOTP_OK);
    assert_int_equal(check(f, app_code(f, -1)), OTP_TOTP_REJECTED);
}

static void verify_rejects_two_steps_away(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;

    otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL);
    assert_int_equal(check(f, app_code(f, -2)), OTP_TOTP_REJECTED);
    assert_int_equal(check(f, app_code(f, 2)), OTP_TOTP_REJECTED);
}

static void verify_rejects_unknown_account(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(check(f, "123456"), OTP_TOTP_REJECTED);
    assert_int_equal(fake_audit_count(&f->audit, "totp_failed"), 1);
}

static void verify_limits_attempts(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_enrolment enrolment;
    struct otp_totp_result result;

    otp_totp_enrol(&f->deps, ACCOUNT, NULL, &enrolment, NULL);
    for (int i = 0; i < OTP_TOTP_MAX_ATTEMPTS; i++)
        check(f, "000000");
    assert_int_equal(
        otp_totp_verify(&f->deps, ACCOUNT, app_code(f, 0), NULL, &result, NULL),
        HITO_OK);
    assert_int_equal(result.status, OTP_TOTP_RATE_LIMITED);
    assert_true(result.retry_after_seconds > 0);
    assert_null(result.proof);
}

static void verify_rejects_malformed_code(void **state)
{
    struct fixture *f = *state;
    struct otp_totp_result result;

    assert_int_equal(
        otp_totp_verify(&f->deps, ACCOUNT, "12345", NULL, &result, NULL),
        HITO_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(enrol_returns_secret_and_uri, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(enrol_rejects_bad_account, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_accepts_current_code, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_returns_staff_proof, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_rejects_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_accepts_one_step_either_side,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(verify_rejects_older_step_after_newer,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(verify_rejects_two_steps_away, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_rejects_unknown_account, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_limits_attempts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_rejects_malformed_code, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The issue and verify rules of the OTP domain, with in-memory ports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "otp_code.h"
#include "otp_fakes.h"
#include "otp_proof.h"
#include "otp_service.h"

#define PHONE "+34600000001"
#define PURPOSE "phone_verification"

static const unsigned char hmac_key[] = "hmac-key-0123456789abcdef-0123456789";
static const unsigned char proof_key[] =
    "proof-key-0123456789abcdef-0123456789";

struct fixture {
    struct fake_store store;
    struct fake_limiter limiter;
    struct fake_notifier notifier;
    struct fake_audit audit;
    struct otp_policy policy;
    struct otp_service *svc;
};

static struct otp_policy default_policy(void)
{
    struct otp_policy policy = {
        .purposes = { { PURPOSE, 6, 300, 5 },
                      { "payment_confirmation", 8, 120, 3 } },
        .purpose_count = 2,
        .phone_cooldown_seconds = 60,
        .phone_max_per_hour = 3,
        .client_cooldown_seconds = 0,
        .client_max_per_hour = 100,
        .proof_ttl_seconds = 120,
    };

    return policy;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct otp_service_deps deps;

    fake_now_ms = 1700000000000LL;
    fake_random_reset();
    f->policy = default_policy();
    deps = (struct otp_service_deps){
        .store = { &fake_store_ops, &f->store },
        .limiter = { &fake_limiter_ops, &f->limiter },
        .notifier = { &fake_notifier_ops, &f->notifier },
        .audit = { &fake_audit_ops, &f->audit },
        .random = fake_random,
        .clock = fake_clock,
        .hmac_key = hmac_key,
        .hmac_key_len = sizeof(hmac_key) - 1,
        .proof_key = proof_key,
        .proof_key_len = sizeof(proof_key) - 1,
    };
    f->svc = otp_service_new(&f->policy, &deps, NULL);
    assert_non_null(f->svc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    otp_service_free(f->svc);
    free(f);
    return 0;
}

static struct otp_issue_result issue(struct fixture *f, const char *purpose)
{
    struct otp_request request = { .subject = PHONE,
                                   .purpose = purpose,
                                   .client_id = "shop" };
    struct otp_issue_result result;

    assert_int_equal(otp_service_issue(f->svc, &request, &result, NULL),
                     HITO_OK);
    return result;
}

static struct otp_verify_result verify(struct fixture *f, const char *purpose,
                                       const char *code)
{
    struct otp_request request = {
        .subject = PHONE, .purpose = purpose, .code = code, .client_id = "shop"
    };
    struct otp_verify_result result;

    assert_int_equal(otp_service_verify(f->svc, &request, &result, NULL),
                     HITO_OK);
    return result;
}

/* Returns a well-formed code that differs from code in its last digit. */
static const char *wrong_code(const char *code)
{
    static char wrong[FAKE_TEXT_SIZE];

    snprintf(wrong, sizeof(wrong), "%s", code);
    wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == '0' ? '1' : '0';
    return wrong;
}

static void issue_sends_code(void **state)
{
    struct fixture *f = *state;
    struct otp_issue_result result = issue(f, PURPOSE);

    assert_int_equal(result.status, OTP_ISSUE_SENT);
    assert_int_equal(result.expires_in_seconds, 300);
    assert_string_equal(f->notifier.last_phone, PHONE);
    assert_int_equal(strlen(f->notifier.last_code), 6);
    assert_string_equal(result.message_id, "wamid.fake1");
    assert_int_equal(fake_audit_count(&f->audit, "issued"), 1);
    assert_int_equal(fake_audit_count(&f->audit, "sent"), 1);
}

static void issue_stores_digest_only(void **state)
{
    struct fixture *f = *state;

    issue(f, PURPOSE);
    assert_int_equal(strlen(f->store.entries[0].digest), 64);
    assert_null(strstr(f->store.entries[0].digest, f->notifier.last_code));
}

static void issue_uses_purpose_length(void **state)
{
    struct fixture *f = *state;

    issue(f, "payment_confirmation");
    assert_int_equal(strlen(f->notifier.last_code), 8);
}

static void verify_accepts_code_once(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result first, second;
    struct otp_proof proof;

    issue(f, PURPOSE);
    first = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(first.status, OTP_VERIFY_OK);
    assert_non_null(first.proof);
    assert_int_equal(otp_proof_verify(proof_key, sizeof(proof_key) - 1,
                                      first.proof, PURPOSE, fake_now_ms / 1000,
                                      &proof, NULL),
                     HITO_OK);
    assert_string_equal(proof.subject, PHONE);

    second = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(second.status, OTP_VERIFY_REJECTED);
    assert_null(second.proof);
    free(first.proof);
}

static void verify_rejects_other_purpose(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;
    char code[16];

    issue(f, "payment_confirmation");
    snprintf(code, sizeof(code), "%.6s", f->notifier.last_code);
    result = verify(f, PURPOSE, code);
    assert_int_equal(result.status, OTP_VERIFY_REJECTED);
}

static void new_code_replaces_old(void **state)
{
    struct fixture *f = *state;
    char old_code[FAKE_TEXT_SIZE];
    struct otp_verify_result result;

    issue(f, PURPOSE);
    snprintf(old_code, sizeof(old_code), "%s", f->notifier.last_code);
    fake_now_ms += 61 * 1000;
    assert_int_equal(issue(f, PURPOSE).status, OTP_ISSUE_SENT);
    assert_string_not_equal(old_code, f->notifier.last_code);

    result = verify(f, PURPOSE, old_code);
    assert_int_equal(result.status, OTP_VERIFY_REJECTED);
    result = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_OK);
    free(result.proof);
}

static void lock_after_max_attempts(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;

    issue(f, PURPOSE);
    for (int i = 1; i <= 5; i++) {
        result = verify(f, PURPOSE, wrong_code(f->notifier.last_code));
        assert_int_equal(result.status, OTP_VERIFY_REJECTED);
        assert_int_equal(result.locked, i == 5);
    }
    result = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_REJECTED);
    assert_null(result.proof);
    assert_int_equal(fake_audit_count(&f->audit, "locked"), 1);
    assert_int_equal(fake_audit_count(&f->audit, "verified"), 0);
}

static void wrong_code_keeps_code_valid_below_limit(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;

    issue(f, PURPOSE);
    for (int i = 0; i < 4; i++)
        verify(f, PURPOSE, wrong_code(f->notifier.last_code));
    result = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_OK);
    free(result.proof);
}

static void rejections_look_the_same(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result none, wrong, expired;

    /* No code pending. */
    none = verify(f, PURPOSE, "123456");
    /* Wrong code. */
    issue(f, PURPOSE);
    wrong = verify(f, PURPOSE, wrong_code(f->notifier.last_code));
    /* Expired code. */
    fake_now_ms += 301 * 1000;
    expired = verify(f, PURPOSE, f->notifier.last_code);

    assert_int_equal(none.status, OTP_VERIFY_REJECTED);
    assert_int_equal(wrong.status, OTP_VERIFY_REJECTED);
    assert_int_equal(expired.status, OTP_VERIFY_REJECTED);
    assert_memory_equal(&none, &wrong, sizeof(none));
    assert_memory_equal(&none, &expired, sizeof(none));
}

static void cooldown_limits_sends(void **state)
{
    struct fixture *f = *state;
    struct otp_issue_result result;

    issue(f, PURPOSE);
    fake_now_ms += 30 * 1000;
    result = issue(f, PURPOSE);
    assert_int_equal(result.status, OTP_ISSUE_RATE_LIMITED);
    assert_int_equal(result.retry_after_seconds, 30);
    assert_int_equal(f->notifier.sends, 1);
    assert_int_equal(fake_audit_count(&f->audit, "rate_limited"), 1);
}

static void hourly_cap_limits_sends(void **state)
{
    struct fixture *f = *state;
    struct otp_issue_result result;

    for (int i = 0; i < 3; i++) {
        assert_int_equal(issue(f, PURPOSE).status, OTP_ISSUE_SENT);
        fake_now_ms += 61 * 1000;
    }
    result = issue(f, PURPOSE);
    assert_int_equal(result.status, OTP_ISSUE_RATE_LIMITED);
    assert_true(result.retry_after_seconds > 0);
    assert_int_equal(f->notifier.sends, 3);
}

static void send_failure_invalidates_code(void **state)
{
    struct fixture *f = *state;
    struct otp_issue_result result;
    struct otp_verify_result verified;
    char code[OTP_CODE_SIZE];

    f->notifier.fail = 1;
    fake_random_reset();
    result = issue(f, PURPOSE);
    assert_int_equal(result.status, OTP_ISSUE_SEND_FAILED);
    assert_string_equal(result.reason, "fake WhatsApp is down");
    assert_int_equal(fake_audit_count(&f->audit, "send_failed"), 1);

    /* The same random stream gives the same code: it must not verify. */
    fake_random_reset();
    assert_int_equal(otp_code_generate(fake_random, 6, code, NULL), HITO_OK);
    verified = verify(f, PURPOSE, code);
    assert_int_equal(verified.status, OTP_VERIFY_REJECTED);
}

static void bad_input_is_invalid(void **state)
{
    struct fixture *f = *state;
    struct otp_request request = { .subject = "600000001", .purpose = PURPOSE };
    struct otp_issue_result issued;
    struct otp_verify_result verified;

    assert_int_equal(otp_service_issue(f->svc, &request, &issued, NULL),
                     HITO_ERR_INVALID);
    request.subject = PHONE;
    request.purpose = "unknown";
    assert_int_equal(otp_service_issue(f->svc, &request, &issued, NULL),
                     HITO_ERR_INVALID);
    request.purpose = PURPOSE;
    request.code = "12345";
    assert_int_equal(otp_service_verify(f->svc, &request, &verified, NULL),
                     HITO_ERR_INVALID);
    request.code = "12345x";
    assert_int_equal(otp_service_verify(f->svc, &request, &verified, NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(f->limiter.calls, 0);
}

static void store_failure_is_reported(void **state)
{
    struct fixture *f = *state;
    struct otp_request request = { .subject = PHONE,
                                   .purpose = PURPOSE,
                                   .code = "123456" };
    struct otp_issue_result issued;
    struct otp_verify_result verified;

    f->store.fail = 1;
    assert_int_equal(otp_service_issue(f->svc, &request, &issued, NULL),
                     HITO_ERR_UNAVAILABLE);
    assert_int_equal(f->notifier.sends, 0);
    assert_int_equal(otp_service_verify(f->svc, &request, &verified, NULL),
                     HITO_ERR_UNAVAILABLE);
    assert_int_equal(verified.status, OTP_VERIFY_REJECTED);
}

static void new_rejects_long_ttl(void **state)
{
    struct fixture *f = *state;
    struct otp_policy policy = default_policy();
    struct otp_service_deps deps = { .hmac_key = hmac_key,
                                     .hmac_key_len = 36,
                                     .proof_key = proof_key,
                                     .proof_key_len = 37 };
    struct hito_error err = { 0 };

    (void)f;
    policy.purposes[0].ttl_seconds = OTP_TTL_CEILING_SECONDS + 1;
    assert_null(otp_service_new(&policy, &deps, &err));
    assert_int_equal(err.code, HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "601"));
}

static void new_rejects_short_key(void **state)
{
    struct otp_policy policy = default_policy();
    struct otp_service_deps deps = { .hmac_key = hmac_key,
                                     .hmac_key_len = 8,
                                     .proof_key = proof_key,
                                     .proof_key_len = 37 };

    (void)state;
    assert_null(otp_service_new(&policy, &deps, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(issue_sends_code, setup, teardown),
        cmocka_unit_test_setup_teardown(issue_stores_digest_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(issue_uses_purpose_length, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_accepts_code_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_rejects_other_purpose, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(new_code_replaces_old, setup, teardown),
        cmocka_unit_test_setup_teardown(lock_after_max_attempts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(wrong_code_keeps_code_valid_below_limit,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(rejections_look_the_same, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(cooldown_limits_sends, setup, teardown),
        cmocka_unit_test_setup_teardown(hourly_cap_limits_sends, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_failure_invalidates_code, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_input_is_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(store_failure_is_reported, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(new_rejects_long_ttl, setup, teardown),
        cmocka_unit_test(new_rejects_short_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

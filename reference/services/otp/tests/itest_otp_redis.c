/*
 * The OTP rules against the real Redis of the running stack: expiry,
 * replacement, lock after N wrong codes, one success among parallel
 * verifications, sending limits and a brute-force run. The notifier and
 * the audit trail are in-memory fakes; every phone number is random so
 * runs do not see each other's keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "otp_code.h"
#include "otp_fakes.h"
#include "otp_itest_env.h"
#include "redis/otp_redis.h"
#include "otp_service.h"
#include "system/otp_system.h"

#define PURPOSE "phone_verification"
#define SHORT_PURPOSE "short_lived"
#define PARALLEL_THREADS 16
#define BRUTE_FORCE_TRIES 200

static const unsigned char hmac_key[] = "itest-hmac-key-0123456789abcdef-01234";
static const unsigned char proof_key[] =
    "itest-proof-key-0123456789abcdef-0123";

struct fixture {
    struct otp_redis *redis;
    struct fake_notifier notifier;
    struct otp_service *svc;
    char phone[32];
};

/* Audit events are counted only; the fake audit log is not thread-safe. */
static int null_record(void *self, const struct otp_audit_event *event,
                       struct hito_error *err)
{
    (void)self;
    (void)event;
    (void)err;
    return HITO_OK;
}

static const struct otp_audit_ops null_audit_ops = { null_record };

/* Returns ports on the fixture's Redis connection and fake notifier. */
static struct otp_service_deps service_deps(struct fixture *f)
{
    return (struct otp_service_deps){
        .store = otp_redis_store(f->redis),
        .limiter = otp_redis_rate_limiter(f->redis),
        .notifier = { &fake_notifier_ops, &f->notifier },
        .audit = { &null_audit_ops, NULL },
        .random = otp_system_random,
        .clock = otp_system_clock,
        .hmac_key = hmac_key,
        .hmac_key_len = sizeof(hmac_key) - 1,
        .proof_key = proof_key,
        .proof_key_len = sizeof(proof_key) - 1,
    };
}

static int setup(void **state)
{
    struct config *cfg = otp_itest_config();
    struct fixture *f = calloc(1, sizeof(*f));
    struct hito_error err = { 0 };
    struct otp_policy policy = {
        .purposes = { { PURPOSE, 6, 300, 5 }, { SHORT_PURPOSE, 6, 1, 5 } },
        .purpose_count = 2,
        .phone_cooldown_seconds = 0,
        .phone_max_per_hour = 1000,
        .client_cooldown_seconds = 0,
        .client_max_per_hour = 100000,
        .proof_ttl_seconds = 60,
    };
    struct otp_service_deps deps;
    long port = 0;

    assert_non_null(f);
    assert_int_equal(
        config_get_int(cfg, "REDIS_PORT", 0, 1, 65535, &port, &err), HITO_OK);
    f->redis = otp_redis_new(
        config_get_default(cfg, "HITO_HOST", "127.0.0.1"), (int)port,
        config_get_default(cfg, "REDIS_PASSWORD", ""), &err);
    if (f->redis == NULL)
        fail_msg("Redis: %s", err.message);
    config_free(cfg);

    deps = service_deps(f);
    f->svc = otp_service_new(&policy, &deps, &err);
    assert_non_null(f->svc);
    otp_itest_phone(f->phone, sizeof(f->phone));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    otp_service_free(f->svc);
    otp_redis_free(f->redis);
    free(f);
    return 0;
}

static void issue(struct fixture *f, const char *purpose)
{
    struct otp_request request = { .subject = f->phone,
                                   .purpose = purpose,
                                   .client_id = "it" };
    struct otp_issue_result result;

    assert_int_equal(otp_service_issue(f->svc, &request, &result, NULL),
                     HITO_OK);
    assert_int_equal(result.status, OTP_ISSUE_SENT);
}

static struct otp_verify_result verify(struct fixture *f, const char *purpose,
                                       const char *code)
{
    struct otp_request request = {
        .subject = f->phone, .purpose = purpose, .code = code, .client_id = "it"
    };
    struct otp_verify_result result;

    assert_int_equal(otp_service_verify(f->svc, &request, &result, NULL),
                     HITO_OK);
    return result;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Writes the 6-digit code that is candidate-th in order, skipping real. */
static void nth_wrong_code(const char *real, int candidate, char *out)
{
    int value = candidate >= atoi(real) ? candidate + 1 : candidate;

    snprintf(out, 7, "%06d", value % 1000000);
}

static void redis_code_expires(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;

    issue(f, SHORT_PURPOSE);
    sleep_ms(1200);
    result = verify(f, SHORT_PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_REJECTED);
}

static void redis_code_works_before_expiry(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;

    issue(f, SHORT_PURPOSE);
    result = verify(f, SHORT_PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_OK);
    free(result.proof);
}

static void redis_new_code_replaces_old(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;
    char old_code[FAKE_TEXT_SIZE];

    issue(f, PURPOSE);
    snprintf(old_code, sizeof(old_code), "%s", f->notifier.last_code);
    do {
        issue(f, PURPOSE);
    } while (strcmp(old_code, f->notifier.last_code) == 0);
    result = verify(f, PURPOSE, old_code);
    assert_int_equal(result.status, OTP_VERIFY_REJECTED);
    result = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_OK);
    free(result.proof);
}

static void redis_lock_after_max_attempts(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;
    char wrong[8];

    issue(f, PURPOSE);
    for (int i = 0; i < 5; i++) {
        nth_wrong_code(f->notifier.last_code, i, wrong);
        result = verify(f, PURPOSE, wrong);
        assert_int_equal(result.status, OTP_VERIFY_REJECTED);
        assert_int_equal(result.locked, i == 4);
    }
    result = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_REJECTED);
}

struct race {
    struct fixture *fixture;
    const char *code;
    pthread_barrier_t *barrier;
    int verified;
    int locked;
};

static void *race_verify(void *arg)
{
    struct race *race = arg;
    struct otp_request request = { .subject = race->fixture->phone,
                                   .purpose = PURPOSE,
                                   .code = race->code,
                                   .client_id = "it" };
    struct otp_verify_result result;

    pthread_barrier_wait(race->barrier);
    if (otp_service_verify(race->fixture->svc, &request, &result, NULL) ==
        HITO_OK) {
        race->verified = result.status == OTP_VERIFY_OK;
        race->locked = result.locked;
        free(result.proof);
    }
    return NULL;
}

/* Runs PARALLEL_THREADS verifications of codes[i % 2] at the same moment. */
static void run_race(struct fixture *f, const char *codes[2], int *verified,
                     int *locked)
{
    pthread_t threads[PARALLEL_THREADS];
    struct race races[PARALLEL_THREADS];
    pthread_barrier_t barrier;

    pthread_barrier_init(&barrier, NULL, PARALLEL_THREADS);
    for (int i = 0; i < PARALLEL_THREADS; i++) {
        races[i] = (struct race){ f, codes[i % 2], &barrier, 0, 0 };
        assert_int_equal(
            pthread_create(&threads[i], NULL, race_verify, &races[i]), 0);
    }
    *verified = 0;
    *locked = 0;
    for (int i = 0; i < PARALLEL_THREADS; i++) {
        pthread_join(threads[i], NULL);
        *verified += races[i].verified;
        *locked += races[i].locked;
    }
    pthread_barrier_destroy(&barrier);
}

static void redis_parallel_verify_succeeds_once(void **state)
{
    struct fixture *f = *state;
    const char *codes[2];
    int verified, locked;

    issue(f, PURPOSE);
    codes[0] = codes[1] = f->notifier.last_code;
    run_race(f, codes, &verified, &locked);
    assert_int_equal(verified, 1);
    assert_int_equal(locked, 0);
}

static void redis_parallel_wrong_codes_lock_once(void **state)
{
    struct fixture *f = *state;
    char wrong_a[8], wrong_b[8];
    const char *codes[2] = { wrong_a, wrong_b };
    struct otp_verify_result result;
    int verified, locked;

    issue(f, PURPOSE);
    nth_wrong_code(f->notifier.last_code, 0, wrong_a);
    nth_wrong_code(f->notifier.last_code, 1, wrong_b);
    run_race(f, codes, &verified, &locked);
    assert_int_equal(verified, 0);
    assert_int_equal(locked, 1);
    result = verify(f, PURPOSE, f->notifier.last_code);
    assert_int_equal(result.status, OTP_VERIFY_REJECTED);
}

static void redis_brute_force_ends_locked(void **state)
{
    struct fixture *f = *state;
    struct otp_verify_result result;
    int successes = 0, locks = 0;
    char guess[8];

    issue(f, PURPOSE);
    /* Tries 000000, 000001, ... but the real code only after the fifth
     * wrong guess, where a working lock must already have dropped it. */
    for (int i = 0; i < BRUTE_FORCE_TRIES; i++) {
        if (i == 5)
            snprintf(guess, sizeof(guess), "%.6s", f->notifier.last_code);
        else
            nth_wrong_code(f->notifier.last_code, i, guess);
        result = verify(f, PURPOSE, guess);
        successes += result.status == OTP_VERIFY_OK;
        locks += result.locked;
        free(result.proof);
    }
    assert_int_equal(successes, 0);
    assert_int_equal(locks, 1);
}

static void redis_cooldown_returns_retry_after(void **state)
{
    struct fixture *f = *state;
    struct otp_rate_limiter limiter = otp_redis_rate_limiter(f->redis);
    char key[64];
    struct otp_rate_limit limit = { key, 5000, 0, 3600000 };
    long retry_after = 0;

    snprintf(key, sizeof(key), "phone:%s", f->phone);
    assert_int_equal(
        limiter.ops->acquire(limiter.self, &limit, 1, &retry_after, NULL),
        HITO_OK);
    assert_int_equal(
        limiter.ops->acquire(limiter.self, &limit, 1, &retry_after, NULL),
        HITO_ERR_LIMIT);
    assert_true(retry_after > 4000);
    assert_true(retry_after <= 5000);
}

static void redis_cap_limits_per_window(void **state)
{
    struct fixture *f = *state;
    struct otp_rate_limiter limiter = otp_redis_rate_limiter(f->redis);
    char key[64];
    struct otp_rate_limit limit = { key, 0, 3, 3600000 };
    long retry_after = 0;

    snprintf(key, sizeof(key), "phone:%s", f->phone);
    for (int i = 0; i < 3; i++)
        assert_int_equal(
            limiter.ops->acquire(limiter.self, &limit, 1, &retry_after, NULL),
            0);
    assert_int_equal(
        limiter.ops->acquire(limiter.self, &limit, 1, &retry_after, NULL),
        HITO_ERR_LIMIT);
    assert_true(retry_after > 3500000);
}

static void redis_refusal_consumes_no_limit(void **state)
{
    struct fixture *f = *state;
    struct otp_rate_limiter limiter = otp_redis_rate_limiter(f->redis);
    char phone_key[64], client_key[64];
    struct otp_rate_limit both[2] = { { phone_key, 60000, 0, 3600000 },
                                      { client_key, 0, 2, 3600000 } };
    long retry_after = 0;

    snprintf(phone_key, sizeof(phone_key), "phone:%s", f->phone);
    snprintf(client_key, sizeof(client_key), "client:%s", f->phone);
    assert_int_equal(
        limiter.ops->acquire(limiter.self, both, 2, &retry_after, NULL),
        HITO_OK);
    /* The phone cooldown rejects these, so the client's count must stay at 1.
     */
    for (int i = 0; i < 3; i++)
        assert_int_equal(
            limiter.ops->acquire(limiter.self, both, 2, &retry_after, NULL),
            HITO_ERR_LIMIT);
    assert_int_equal(
        limiter.ops->acquire(limiter.self, &both[1], 1, &retry_after, NULL),
        HITO_OK);
}

static void redis_service_answers_rate_limited(void **state)
{
    struct fixture *f = *state;
    struct otp_request request = { .subject = f->phone,
                                   .purpose = PURPOSE,
                                   .client_id = "it" };
    struct otp_policy policy = *otp_service_policy(f->svc);
    struct otp_service_deps deps = service_deps(f);
    struct otp_service *svc;
    struct otp_issue_result result;

    policy.phone_cooldown_seconds = 30;
    svc = otp_service_new(&policy, &deps, NULL);
    assert_non_null(svc);
    assert_int_equal(otp_service_issue(svc, &request, &result, NULL), HITO_OK);
    assert_int_equal(result.status, OTP_ISSUE_SENT);
    assert_int_equal(otp_service_issue(svc, &request, &result, NULL), HITO_OK);
    assert_int_equal(result.status, OTP_ISSUE_RATE_LIMITED);
    assert_true(result.retry_after_seconds >= 29);
    assert_true(result.retry_after_seconds <= 30);
    assert_int_equal(f->notifier.sends, 1);
    otp_service_free(svc);
}

static void redis_unreachable_is_unavailable(void **state)
{
    struct hito_error err = { 0 };

    (void)state;
    /* Port 1 (tcpmux) has no listener on a test machine, so the connection
     * is refused at once. */
    assert_null(otp_redis_new("127.0.0.1", 1, "", &err));
    assert_int_equal(err.code, HITO_ERR_UNAVAILABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(redis_code_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(redis_code_works_before_expiry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(redis_new_code_replaces_old, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(redis_lock_after_max_attempts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(redis_parallel_verify_succeeds_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(redis_parallel_wrong_codes_lock_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(redis_brute_force_ends_locked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(redis_cooldown_returns_retry_after,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(redis_cap_limits_per_window, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(redis_refusal_consumes_no_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(redis_service_answers_rate_limited,
                                        setup, teardown),
        cmocka_unit_test(redis_unreachable_is_unavailable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

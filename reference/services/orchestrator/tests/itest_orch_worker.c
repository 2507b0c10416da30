/*
 * The worker's verdicts with the running stack's Redis counting tries.
 * A message that keeps failing is requeued until max_attempts, then
 * rejected to the dead-letter queue. A message that can never be handled
 * is rejected at once, and a handled one is acked. The use case runs on
 * fake ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "orch_fakes.h"
#include "orch_itest_env.h"
#include "orch_worker.h"

#define MAX_ATTEMPTS 3

struct fixture {
    struct orch_settings settings;
    struct fake_iabot iabot;
    struct fake_otp otp;
    struct fake_whatsapp whatsapp;
    struct fake_store store;
    struct orch_worker worker;
    struct orch_inbound msg;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct redisc_options redis;
    struct orch_service_deps deps;
    struct hito_error err = { 0 };

    if (f == NULL)
        return -1;
    orch_itest_settings(&f->settings);
    orch_settings_redis(&f->settings, &redis);
    deps = (struct orch_service_deps){
        .iabot = fake_iabot_port(&f->iabot),
        .otp = fake_otp_port(&f->otp),
        .whatsapp = fake_whatsapp_port(&f->whatsapp),
        .store = fake_store_port(&f->store),
        .clock = fake_clock,
        .policy = { 0.4 },
    };
    f->worker.service = orch_service_new(&deps, &err);
    f->worker.redis = redisc_new(&redis, &err);
    f->worker.max_attempts = MAX_ATTEMPTS;
    f->worker.retry_base_ms = 1;
    f->worker.retry_max_ms = 4;
    if (f->worker.service == NULL || f->worker.redis == NULL) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        return -1;
    }
    orch_itest_name("wamid.itest.worker.", f->msg.wamid, sizeof(f->msg.wamid));
    snprintf(f->msg.from, sizeof(f->msg.from), "34600000001");
    snprintf(f->msg.text, sizeof(f->msg.text), "hola");
    fake_analysis(&f->iabot.next, "greeting", "greet", 0.9);
    orch_worker_define_metrics();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    redisc_command(f->worker.redis, NULL, NULL, "DEL orch:attempts:%s",
                   f->msg.wamid);
    redisc_free(f->worker.redis);
    orch_service_free(f->worker.service);
    orch_settings_clear(&f->settings);
    free(f);
    return 0;
}

static void worker_failing_dead_lettered(void **state)
{
    struct fixture *f = *state;

    f->iabot.fail = 1;
    for (int i = 1; i < MAX_ATTEMPTS; i++)
        assert_int_equal(orch_worker_handle(&f->msg, i > 1, &f->worker),
                         MQ_NACK_REQUEUE);
    assert_int_equal(orch_worker_handle(&f->msg, 1, &f->worker), MQ_REJECT);
    assert_int_equal(f->iabot.calls, MAX_ATTEMPTS);
}

static void worker_recovers_before_limit(void **state)
{
    struct fixture *f = *state;

    f->iabot.fail = 1;
    assert_int_equal(orch_worker_handle(&f->msg, 0, &f->worker),
                     MQ_NACK_REQUEUE);
    f->iabot.fail = 0;
    assert_int_equal(orch_worker_handle(&f->msg, 1, &f->worker), MQ_ACK);
    assert_int_equal(f->whatsapp.count, 1);
    /* The redelivery of a handled message is acked without a reply. */
    assert_int_equal(orch_worker_handle(&f->msg, 1, &f->worker), MQ_ACK);
    assert_int_equal(f->whatsapp.count, 1);
}

static void worker_invalid_rejected(void **state)
{
    struct fixture *f = *state;

    f->msg.text[0] = '\0';
    assert_int_equal(orch_worker_handle(&f->msg, 0, &f->worker), MQ_REJECT);
    assert_int_equal(f->iabot.calls, 0);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(worker_failing_dead_lettered),
        TEST(worker_recovers_before_limit),
        TEST(worker_invalid_rejected),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

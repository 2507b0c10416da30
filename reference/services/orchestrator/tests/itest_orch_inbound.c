/*
 * The inbound consumer against the running stack's RabbitMQ, on a queue
 * of its own: an event as the WhatsApp service publishes it reaches the
 * handler parsed, a requeued message comes back marked redelivered, and
 * rejected and unreadable messages go to the dead-letter queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "orch_itest_env.h"
#include "rabbitmq/orch_inbound.h"

#define WAIT_MS 10000
#define QUEUE_SIZE 64

/* What the handler saw; written on the consumer thread. */
struct seen {
    atomic_int calls;
    atomic_int redelivered;
    struct orch_inbound last;
    enum mq_verdict first_verdict; /* verdict of the first call */
};

struct fixture {
    struct orch_settings settings;
    struct mq_options mq;
    struct mq *publisher;
    struct orch_inbound_consumer *consumer;
    struct seen seen;
    char queue[QUEUE_SIZE];
    char dead[QUEUE_SIZE + 8];
};

static enum mq_verdict handle(const struct orch_inbound *msg, int redelivered,
                              void *user)
{
    struct seen *seen = user;
    int call = atomic_fetch_add(&seen->calls, 1);

    seen->last = *msg;
    if (redelivered)
        atomic_fetch_add(&seen->redelivered, 1);
    return call == 0 ? seen->first_verdict : MQ_ACK;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static int wait_calls(struct fixture *f, int calls)
{
    for (long waited = 0; waited < WAIT_MS; waited += 50) {
        if (atomic_load(&f->seen.calls) >= calls)
            return 1;
        sleep_ms(50);
    }
    return 0;
}

static uint32_t dead_depth(struct fixture *f)
{
    uint32_t depth = 0;

    for (long waited = 0; waited < WAIT_MS; waited += 50) {
        if (mq_queue_depth(f->publisher, f->dead, &depth, NULL) == HITO_OK &&
            depth > 0)
            break;
        sleep_ms(50);
    }
    return depth;
}

static int start(struct fixture *f, enum mq_verdict first)
{
    struct orch_inbound_options opts = { &f->mq, f->queue, 1, handle,
                                         &f->seen };
    struct hito_error err = { 0 };

    f->seen.first_verdict = first;
    f->consumer = orch_inbound_start(&opts, &err);
    if (f->consumer == NULL)
        fprintf(stderr, "consumer: %s\n", err.message);
    return f->consumer != NULL;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct hito_error err = { 0 };

    if (f == NULL)
        return -1;
    orch_itest_settings(&f->settings);
    f->mq = (struct mq_options){ .host = f->settings.host,
                                 .port = (int)f->settings.amqp_port,
                                 .user = f->settings.amqp_user,
                                 .password = f->settings.amqp_password,
                                 .vhost = f->settings.amqp_vhost,
                                 .name = "orchestrator-itest" };
    orch_itest_name("orch.itest.", f->queue, sizeof(f->queue));
    snprintf(f->dead, sizeof(f->dead), "%s.dead", f->queue);
    f->publisher = mq_new(&f->mq, &err);
    if (f->publisher == NULL) {
        fprintf(stderr, "publisher: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    orch_inbound_stop(f->consumer);
    mq_delete_queue(f->publisher, f->queue, NULL);
    mq_free(f->publisher);
    orch_settings_clear(&f->settings);
    free(f);
    return 0;
}

static void publish(struct fixture *f, const char *wamid, const char *body)
{
    struct mq_message msg = { .routing_key = f->queue,
                              .body = body,
                              .body_len = strlen(body),
                              .message_id = wamid };

    assert_int_equal(mq_publish(f->publisher, &msg, 0, NULL), HITO_OK);
}

static void inbound_event_parsed(void **state)
{
    struct fixture *f = *state;

    assert_true(start(f, MQ_ACK));
    publish(f, "wamid.itest.1",
            "{\"wamid\":\"wamid.itest.1\",\"from\":\"34600000001\","
            "\"type\":\"interactive\",\"interactive\":{\"type\":"
            "\"button_reply\",\"id\":\"checkout\",\"title\":\"Pagar\"},"
            "\"received_at\":\"2026-12-04T16:22:56Z\"}");
    assert_true(wait_calls(f, 1));
    assert_string_equal(f->seen.last.wamid, "wamid.itest.1");
    assert_string_equal(f->seen.last.from, "34600000001");
    assert_string_equal(f->seen.last.text, "Pagar");
    assert_string_equal(f->seen.last.reply_id, "checkout");
    assert_true(f->seen.last.received_ms == 1796401376000LL);
}

static void inbound_requeued_redelivered(void **state)
{
    struct fixture *f = *state;

    assert_true(start(f, MQ_NACK_REQUEUE));
    publish(f, "wamid.itest.2",
            "{\"wamid\":\"wamid.itest.2\",\"from\":\"34600000001\","
            "\"text\":\"hola\"}");
    assert_true(wait_calls(f, 2));
    assert_int_equal(atomic_load(&f->seen.redelivered), 1);
}

static void inbound_rejected_dead_lettered(void **state)
{
    struct fixture *f = *state;

    assert_true(start(f, MQ_REJECT));
    publish(f, "wamid.itest.3",
            "{\"wamid\":\"wamid.itest.3\",\"from\":\"34600000001\","
            "\"text\":\"hola\"}");
    assert_true(wait_calls(f, 1));
    assert_int_equal(dead_depth(f), 1);
}

static void inbound_unreadable_dead_lettered(void **state)
{
    struct fixture *f = *state;

    assert_true(start(f, MQ_ACK));
    publish(f, "wamid.itest.4", "not json");
    assert_int_equal(dead_depth(f), 1);
    assert_int_equal(atomic_load(&f->seen.calls), 0);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(inbound_event_parsed),
        TEST(inbound_requeued_redelivered),
        TEST(inbound_rejected_dead_lettered),
        TEST(inbound_unreadable_dead_lettered),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

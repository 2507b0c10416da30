/* Integration tests of mq.c against the stack's RabbitMQ. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hito/log.h"
#include "hito/mq.h"
#include "it_settings.h"

#define NAME_MAX_LEN 128
#define MAX_SEEN 8
/* Upper bound on how long one consume step of a test may run. */
#define CONSUME_LIMIT_MS 15000

static struct mq_options options;
static struct config *settings;
static char prefix[64];

/* Deliveries a test handler received, and the verdict it returns for the first. */
struct seen {
    atomic_int stop;
    int count;
    int expected;
    enum mq_verdict first_verdict;
    char message_id[MAX_SEEN][NAME_MAX_LEN];
    char correlation_id[MAX_SEEN][NAME_MAX_LEN];
    char header[MAX_SEEN][NAME_MAX_LEN];
    char body[MAX_SEEN][NAME_MAX_LEN];
    int redelivered[MAX_SEEN];
};

static enum mq_verdict record(const struct mq_delivery *d, void *user)
{
    struct seen *s = user;
    const char *trace = mq_delivery_header(d, "x-trace");
    int i = s->count < MAX_SEEN ? s->count : MAX_SEEN - 1;

    snprintf(s->message_id[i], NAME_MAX_LEN, "%s", d->message_id);
    snprintf(s->correlation_id[i], NAME_MAX_LEN, "%s", d->correlation_id);
    snprintf(s->header[i], NAME_MAX_LEN, "%s", trace ? trace : "");
    snprintf(s->body[i], NAME_MAX_LEN, "%.*s", (int)d->body_len, d->body);
    s->redelivered[i] = d->redelivered;
    s->count++;
    if (s->count >= s->expected)
        atomic_store(&s->stop, 1);
    return s->count == 1 ? s->first_verdict : MQ_ACK;
}

struct watchdog {
    atomic_int *stop;
    long ms;
};

static void *watchdog_run(void *arg)
{
    struct watchdog *w = arg;
    long waited;

    for (waited = 0; waited < w->ms && !atomic_load(w->stop); waited += 10)
        usleep(10000);
    atomic_store(w->stop, 1);
    return NULL;
}

/* Consumes queue until s->expected deliveries arrived or limit_ms passed. */
static int consume(struct mq *mq, const char *queue, struct seen *s, long limit_ms)
{
    struct hito_error err = {0, ""};
    struct watchdog w = {&s->stop, limit_ms};
    pthread_t thread;
    int rc;

    pthread_create(&thread, NULL, watchdog_run, &w);
    rc = mq_consume(mq, queue, 10, record, s, &s->stop, &err);
    atomic_store(&s->stop, 1);
    pthread_join(thread, NULL);
    if (rc != HITO_OK)
        print_error("mq_consume: %s\n", err.message);
    return rc;
}

static struct mq *open_mq(const char *role)
{
    char name[NAME_MAX_LEN];
    struct mq_options opts = options;
    struct hito_error err = {0, ""};
    struct mq *mq;

    snprintf(name, sizeof(name), "%s-%s", prefix, role);
    opts.name = name;
    mq = mq_new(&opts, &err);
    if (mq == NULL)
        fail_msg("mq_new: %s", err.message);
    return mq;
}

static void publish_ok(struct mq *mq, const char *queue, const char *id, const char *body)
{
    struct mq_header headers[1] = {{"x-trace", "trace-1"}};
    struct mq_message msg = {NULL, queue, body, strlen(body), NULL, id, "corr-1", headers, 1};
    struct hito_error err = {0, ""};

    if (mq_publish(mq, &msg, 10000, &err) != HITO_OK)
        fail_msg("mq_publish: %s", err.message);
}

static uint32_t depth(struct mq *mq, const char *queue)
{
    struct hito_error err = {0, ""};
    uint32_t count = 0;

    if (mq_queue_depth(mq, queue, &count, &err) != HITO_OK)
        fail_msg("mq_queue_depth: %s", err.message);
    return count;
}

static void fresh_queue(struct mq *mq, const char *name, char *queue, long ttl_ms)
{
    struct mq_queue_options qopts = {1, ttl_ms};
    struct hito_error err = {0, ""};

    snprintf(queue, NAME_MAX_LEN, "%s.%s", prefix, name);
    mq_delete_queue(mq, queue, &err);
    if (mq_declare_queue(mq, queue, &qopts, &err) != HITO_OK)
        fail_msg("mq_declare_queue: %s", err.message);
}

/*
 * Closes the broker connection named <prefix>-<role> with rabbitmqctl, as a
 * broker restart or a network failure would.
 */
static void kill_connection(const char *role)
{
    char command[1024];

    snprintf(command, sizeof(command),
             "pid=$(stack/libexec/rabbitmq ctl list_connections -q --no-table-headers"
             " pid client_properties | grep -F '\"%s-%s\"' | cut -f1) &&"
             " test -n \"$pid\" &&"
             " stack/libexec/rabbitmq ctl close_connection \"$pid\" 'closed by it_mq' >/dev/null",
             prefix, role);
    assert_int_equal(system(command), 0);
}

static int setup(void **state)
{
    (void)state;
    log_init("it-mq", LOG_LEVEL_WARN, NULL);
    settings = it_settings_load();
    options.host = it_setting(settings, "HITO_HOST");
    options.port = it_setting_int(settings, "AMQP_PORT", 1, 65535);
    options.user = it_setting(settings, "AMQP_USER");
    options.password = it_setting(settings, "AMQP_PASSWORD");
    options.vhost = it_setting(settings, "AMQP_VHOST");
    options.reconnect_max_ms = 1000;
    snprintf(prefix, sizeof(prefix), "hito-it-%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    config_free(settings);
    return 0;
}

static void publish_then_consume_ack(void **state)
{
    struct mq *mq = open_mq("basic");
    struct seen s = {.expected = 1, .first_verdict = MQ_ACK};
    char queue[NAME_MAX_LEN];
    struct hito_error err = {0, ""};

    (void)state;
    fresh_queue(mq, "basic", queue, 0);
    publish_ok(mq, queue, "msg-1", "{\"n\":1}");
    assert_int_equal(depth(mq, queue), 1);
    assert_int_equal(consume(mq, queue, &s, CONSUME_LIMIT_MS), HITO_OK);
    assert_int_equal(s.count, 1);
    assert_string_equal(s.message_id[0], "msg-1");
    assert_string_equal(s.correlation_id[0], "corr-1");
    assert_string_equal(s.header[0], "trace-1");
    assert_string_equal(s.body[0], "{\"n\":1}");
    assert_int_equal(s.redelivered[0], 0);
    assert_int_equal(depth(mq, queue), 0);
    mq_delete_queue(mq, queue, &err);
    mq_free(mq);
}

static void nack_requeue_redelivers(void **state)
{
    struct mq *mq = open_mq("requeue");
    struct seen s = {.expected = 2, .first_verdict = MQ_NACK_REQUEUE};
    char queue[NAME_MAX_LEN];
    struct hito_error err = {0, ""};

    (void)state;
    fresh_queue(mq, "requeue", queue, 0);
    publish_ok(mq, queue, "msg-2", "again");
    assert_int_equal(consume(mq, queue, &s, CONSUME_LIMIT_MS), HITO_OK);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.message_id[1], "msg-2");
    assert_int_equal(s.redelivered[0], 0);
    assert_int_equal(s.redelivered[1], 1);
    assert_int_equal(depth(mq, queue), 0);
    mq_delete_queue(mq, queue, &err);
    mq_free(mq);
}

static void reject_dead_letters(void **state)
{
    struct mq *mq = open_mq("reject");
    struct seen s = {.expected = 1, .first_verdict = MQ_REJECT};
    char queue[NAME_MAX_LEN];
    char dead[NAME_MAX_LEN + 8];
    struct hito_error err = {0, ""};
    int i;

    (void)state;
    fresh_queue(mq, "reject", queue, 0);
    publish_ok(mq, queue, "msg-3", "poison");
    assert_int_equal(consume(mq, queue, &s, CONSUME_LIMIT_MS), HITO_OK);
    assert_int_equal(s.count, 1);
    snprintf(dead, sizeof(dead), "%s.dead", queue);
    /* Dead-lettering is asynchronous in the broker: allow it a moment. */
    for (i = 0; i < 50 && depth(mq, dead) == 0; i++)
        usleep(20000);
    assert_int_equal(depth(mq, dead), 1);
    assert_int_equal(depth(mq, queue), 0);
    mq_delete_queue(mq, queue, &err);
    mq_free(mq);
}

static void expired_message_dead_letters(void **state)
{
    struct mq *mq = open_mq("ttl");
    char queue[NAME_MAX_LEN];
    char dead[NAME_MAX_LEN + 8];
    struct hito_error err = {0, ""};
    int i;

    (void)state;
    fresh_queue(mq, "ttl", queue, 200);
    publish_ok(mq, queue, "msg-4", "short-lived");
    snprintf(dead, sizeof(dead), "%s.dead", queue);
    for (i = 0; i < 100 && depth(mq, dead) == 0; i++)
        usleep(20000);
    assert_int_equal(depth(mq, dead), 1);
    assert_int_equal(depth(mq, queue), 0);
    mq_delete_queue(mq, queue, &err);
    mq_free(mq);
}

static void unroutable_publish_not_found(void **state)
{
    struct mq *mq = open_mq("unroutable");
    struct mq_message msg = {NULL, "hito-it-no-such-queue", "x", 1, NULL, NULL, NULL, NULL, 0};
    struct hito_error err = {0, ""};

    (void)state;
    assert_int_equal(mq_publish(mq, &msg, 5000, &err), HITO_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "NO_ROUTE"));
    mq_free(mq);
}

static void publish_after_connection_killed(void **state)
{
    struct mq *mq = open_mq("killed-pub");
    char queue[NAME_MAX_LEN];
    struct hito_error err = {0, ""};

    (void)state;
    fresh_queue(mq, "killed", queue, 0);
    publish_ok(mq, queue, "before", "1");
    kill_connection("killed-pub");
    publish_ok(mq, queue, "after", "2");
    assert_int_equal(depth(mq, queue), 2);
    mq_delete_queue(mq, queue, &err);
    mq_free(mq);
}

struct consumer_run {
    struct mq *mq;
    const char *queue;
    struct seen *seen;
    int rc;
};

static void *consumer_thread(void *arg)
{
    struct consumer_run *run = arg;

    run->rc = consume(run->mq, run->queue, run->seen, CONSUME_LIMIT_MS);
    return NULL;
}

static void consumer_survives_connection_kill(void **state)
{
    struct mq *consumer = open_mq("killed-sub");
    struct mq *publisher = open_mq("killed-sub-pub");
    struct seen s = {.expected = 2, .first_verdict = MQ_ACK};
    char queue[NAME_MAX_LEN];
    struct consumer_run run = {consumer, queue, &s, -1};
    struct hito_error err = {0, ""};
    pthread_t thread;
    int i;

    (void)state;
    fresh_queue(publisher, "killed-sub", queue, 0);
    pthread_create(&thread, NULL, consumer_thread, &run);
    publish_ok(publisher, queue, "first", "1");
    for (i = 0; i < 500 && s.count < 1; i++)
        usleep(10000);
    assert_int_equal(s.count, 1);
    kill_connection("killed-sub");
    publish_ok(publisher, queue, "second", "2");
    pthread_join(thread, NULL);
    assert_int_equal(run.rc, HITO_OK);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.message_id[1], "second");
    mq_delete_queue(publisher, queue, &err);
    mq_free(publisher);
    mq_free(consumer);
}

static void wrong_password_rejected(void **state)
{
    struct mq_options wrong = options;
    struct hito_error err = {0, ""};

    (void)state;
    wrong.password = "not-the-password";
    assert_null(mq_new(&wrong, &err));
    assert_int_equal(err.code, HITO_ERR_AUTH);
    assert_null(strstr(err.message, "not-the-password"));
}

static void unreachable_broker_unavailable(void **state)
{
    struct mq_options closed = options;
    struct hito_error err = {0, ""};

    (void)state;
    closed.port = 1;
    assert_null(mq_new(&closed, &err));
    assert_int_equal(err.code, HITO_ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, ":1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(publish_then_consume_ack),
        cmocka_unit_test(nack_requeue_redelivers),
        cmocka_unit_test(reject_dead_letters),
        cmocka_unit_test(expired_message_dead_letters),
        cmocka_unit_test(unroutable_publish_not_found),
        cmocka_unit_test(publish_after_connection_killed),
        cmocka_unit_test(consumer_survives_connection_kill),
        cmocka_unit_test(wrong_password_rejected),
        cmocka_unit_test(unreachable_broker_unavailable),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

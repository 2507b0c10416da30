/* Integration tests of redisc.c against the stack's Redis. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hito/log.h"
#include "hito/redisc.h"
#include "it_settings.h"

#define THREADS 4
#define INCREMENTS_PER_THREAD 100

static struct redisc_options options;
static struct config *settings;
static char key_prefix[64];

static struct redisc *connect_ok(void)
{
    struct hito_error err = {0, ""};
    struct redisc *client = redisc_new(&options, &err);

    if (client == NULL)
        fail_msg("%s", err.message);
    return client;
}

static int setup(void **state)
{
    (void)state;
    log_init("it-redisc", LOG_LEVEL_ERROR, NULL);
    settings = it_settings_load();
    options.host = it_setting(settings, "HITO_HOST");
    options.port = it_setting_int(settings, "REDIS_PORT", 1, 65535);
    options.password = it_setting(settings, "REDIS_PASSWORD");
    snprintf(key_prefix, sizeof(key_prefix), "hito-it:%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    config_free(settings);
    return 0;
}

static void set_with_expiry_expires(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc *client = connect_ok();
    redisReply *reply = NULL;
    char key[128];

    (void)state;
    snprintf(key, sizeof(key), "%s:expiring", key_prefix);
    assert_int_equal(redisc_command(client, NULL, &err, "SET %s %s PX 300", key, "value"),
                     HITO_OK);
    assert_int_equal(redisc_command(client, &reply, &err, "GET %s", key), HITO_OK);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_string_equal(reply->str, "value");
    freeReplyObject(reply);
    usleep(500000);
    assert_int_equal(redisc_command(client, &reply, &err, "GET %s", key), HITO_OK);
    assert_int_equal(reply->type, REDIS_REPLY_NIL);
    freeReplyObject(reply);
    redisc_free(client);
}

static void argv_is_binary_safe(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc *client = connect_ok();
    redisReply *reply = NULL;
    char key[128];
    const char *set_argv[] = {"SET", key, "a\0b", "EX", "10"};
    size_t set_len[] = {3, 0, 3, 2, 2};
    const char *get_argv[] = {"GET", key};
    size_t get_len[] = {3, 0};

    (void)state;
    snprintf(key, sizeof(key), "%s:binary", key_prefix);
    set_len[1] = get_len[1] = strlen(key);
    assert_int_equal(redisc_command_argv(client, 5, set_argv, set_len, NULL, &err), HITO_OK);
    assert_int_equal(redisc_command_argv(client, 2, get_argv, get_len, &reply, &err), HITO_OK);
    assert_int_equal(reply->len, 3);
    assert_memory_equal(reply->str, "a\0b", 3);
    freeReplyObject(reply);
    redisc_free(client);
}

static void error_reply_reported(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc *client = connect_ok();
    redisReply *reply = NULL;
    char key[128];

    (void)state;
    snprintf(key, sizeof(key), "%s:list", key_prefix);
    redisc_command(client, NULL, &err, "DEL %s", key);
    assert_int_equal(redisc_command(client, NULL, &err, "LPUSH %s x", key), HITO_OK);
    assert_int_equal(redisc_command(client, &reply, &err, "INCR %s", key), HITO_ERR_PROTOCOL);
    assert_null(reply);
    assert_non_null(strstr(err.message, "WRONGTYPE"));
    redisc_command(client, NULL, &err, "DEL %s", key);
    redisc_free(client);
}

static void reconnects_after_client_kill(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc *client = connect_ok();
    struct redisc *killer = connect_ok();
    redisReply *reply = NULL;
    long long id;

    (void)state;
    assert_int_equal(redisc_command(client, &reply, &err, "CLIENT ID"), HITO_OK);
    id = reply->integer;
    freeReplyObject(reply);
    assert_int_equal(redisc_command(killer, &reply, &err, "CLIENT KILL ID %lld", id), HITO_OK);
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);
    if (redisc_command(client, &reply, &err, "PING") != HITO_OK)
        fail_msg("%s", err.message);
    assert_string_equal(reply->str, "PONG");
    freeReplyObject(reply);
    assert_int_equal(redisc_command(client, &reply, &err, "CLIENT ID"), HITO_OK);
    assert_true(reply->integer != id);
    freeReplyObject(reply);
    redisc_free(killer);
    redisc_free(client);
}

/* CLIENT PAUSE delays every client's commands, so the reply comes too late. */
static void slow_reply_times_out(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc_options quick = options;
    struct redisc *client;
    struct redisc *pauser = connect_ok();
    redisReply *reply = NULL;

    (void)state;
    quick.command_timeout_ms = 100;
    client = redisc_new(&quick, &err);
    assert_non_null(client);
    assert_int_equal(redisc_command(pauser, NULL, &err, "CLIENT PAUSE 500 ALL"), HITO_OK);
    assert_int_equal(redisc_command(client, NULL, &err, "PING"), HITO_ERR_TIMEOUT);
    assert_non_null(strstr(err.message, "100 ms"));
    usleep(600000);
    assert_int_equal(redisc_command(client, &reply, &err, "PING"), HITO_OK);
    assert_string_equal(reply->str, "PONG");
    freeReplyObject(reply);
    redisc_free(pauser);
    redisc_free(client);
}

static void wrong_password_rejected(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc_options wrong = options;
    struct redisc *client;

    (void)state;
    wrong.password = "not-the-password";
    client = redisc_new(&wrong, &err);
    assert_null(client);
    assert_int_equal(err.code, HITO_ERR_AUTH);
    assert_null(strstr(err.message, "not-the-password"));
}

static void unreachable_server_unavailable(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc_options closed = options;

    (void)state;
    closed.port = 1;
    assert_null(redisc_new(&closed, &err));
    assert_int_equal(err.code, HITO_ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, ":1"));
}

static void *increment(void *arg)
{
    struct hito_error err = {0, ""};
    struct redisc *client = arg;
    int i;

    for (i = 0; i < INCREMENTS_PER_THREAD; i++)
        redisc_command(client, NULL, &err, "INCR %s:counter", key_prefix);
    return NULL;
}

static void shared_client_across_threads(void **state)
{
    struct hito_error err = {0, ""};
    struct redisc *client = connect_ok();
    pthread_t threads[THREADS];
    redisReply *reply = NULL;
    int i;

    (void)state;
    redisc_command(client, NULL, &err, "DEL %s:counter", key_prefix);
    for (i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, increment, client);
    for (i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(redisc_command(client, &reply, &err, "GET %s:counter", key_prefix),
                     HITO_OK);
    assert_int_equal(atoi(reply->str), THREADS * INCREMENTS_PER_THREAD);
    freeReplyObject(reply);
    redisc_command(client, NULL, &err, "DEL %s:counter", key_prefix);
    redisc_free(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_with_expiry_expires),
        cmocka_unit_test(argv_is_binary_safe),
        cmocka_unit_test(error_reply_reported),
        cmocka_unit_test(reconnects_after_client_kill),
        cmocka_unit_test(slow_reply_times_out),
        cmocka_unit_test(wrong_password_rejected),
        cmocka_unit_test(unreachable_server_unavailable),
        cmocka_unit_test(shared_client_across_threads),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

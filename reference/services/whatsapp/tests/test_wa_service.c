/*
 * Unit tests of the send and receive use cases with in-memory fakes of the
 * store, the Cloud API and the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wa_policy.h"
#include "wa_service.h"
#include "wa_signature.h"

#define NOW 1733312000LL
#define SECRET "test-app-secret"
#define VERIFY_TOKEN "test-verify-token"
#define MAX_SCRIPT 8

struct fake {
    /* store */
    char key[64], digest[WA_DIGEST_HEX_SIZE], response[1024];
    int key_taken, response_status;
    long long last_inbound;
    int recorded, stored_notifications;
    long recorded_error;
    /* cloud: one result per call, the last one repeats */
    long script[MAX_SCRIPT];
    int script_len, calls;
    /* clock */
    long slept_ms[MAX_SCRIPT];
    int sleeps;
};

static struct fake fake;

static int idem_begin(void *self, const char *client_id, const char *key,
                      const char *digest,
                      struct wa_idempotency_record *existing,
                      struct hito_error *err)
{
    (void)self, (void)client_id, (void)err;
    if (fake.key_taken && strcmp(fake.key, key) == 0) {
        snprintf(existing->digest, sizeof(existing->digest), "%s", fake.digest);
        existing->response_status = fake.response_status;
        existing->response_body =
            fake.response_status ? strdup(fake.response) : NULL;
        return HITO_ERR_CONFLICT;
    }
    fake.key_taken = 1;
    snprintf(fake.key, sizeof(fake.key), "%s", key);
    snprintf(fake.digest, sizeof(fake.digest), "%s", digest);
    return HITO_OK;
}

static int idem_finish(void *self, const char *client_id, const char *key,
                       int status, const char *body, struct hito_error *err)
{
    (void)self, (void)client_id, (void)key, (void)err;
    fake.response_status = status;
    snprintf(fake.response, sizeof(fake.response), "%s", body);
    return HITO_OK;
}

static int idem_abort(void *self, const char *client_id, const char *key,
                      struct hito_error *err)
{
    (void)self, (void)client_id, (void)key, (void)err;
    fake.key_taken = 0;
    return HITO_OK;
}

static int last_inbound(void *self, const char *customer, long long *at,
                        struct hito_error *err)
{
    (void)self, (void)customer, (void)err;
    *at = fake.last_inbound;
    return HITO_OK;
}

static int record_outbound(void *self, const struct wa_outbound_record *rec,
                           struct hito_error *err)
{
    (void)self, (void)err;
    fake.recorded++;
    fake.recorded_error = rec->error_code;
    return HITO_OK;
}

static int store_notification(void *self, const struct wa_notification *n,
                              const char *correlation_id, size_t *stored,
                              size_t *applied, struct hito_error *err)
{
    (void)self, (void)correlation_id, (void)err;
    fake.stored_notifications++;
    *stored = n->message_count;
    *applied = n->status_count;
    return HITO_OK;
}

static const struct wa_store_ops store_ops = {
    idem_begin,      idem_finish,        idem_abort, last_inbound,
    record_outbound, store_notification, NULL,       NULL,
};

static int cloud_send(void *self, const char *body, struct wa_cloud_result *out,
                      struct hito_error *err)
{
    long code = fake.script[fake.calls < fake.script_len ? fake.calls
                                                         : fake.script_len - 1];

    (void)self, (void)body, (void)err;
    fake.calls++;
    if (code == 0) {
        out->http_status = 200;
        snprintf(out->wamid, sizeof(out->wamid), "wamid.T%d", fake.calls);
    } else {
        out->http_status = 400;
        out->error_code = code;
        snprintf(out->error_message, sizeof(out->error_message), "code %ld",
                 code);
    }
    return HITO_OK;
}

static const struct wa_cloud_ops cloud_ops = { cloud_send };

static long long fake_now(void)
{
    return NOW;
}

static void fake_sleep(long ms)
{
    if (fake.sleeps < MAX_SCRIPT)
        fake.slept_ms[fake.sleeps] = ms;
    fake.sleeps++;
}

static int setup(void **state)
{
    struct wa_service_options opts = { 0 };
    struct wa_service_deps deps = { { &store_ops, NULL },
                                    { &cloud_ops, NULL },
                                    { fake_now, fake_sleep } };

    memset(&fake, 0, sizeof(fake));
    fake.script_len = 1;
    fake.last_inbound = NOW - 60;
    memcpy(opts.app_secret, SECRET, strlen(SECRET));
    opts.app_secret_len = strlen(SECRET);
    snprintf(opts.verify_token, sizeof(opts.verify_token), VERIFY_TOKEN);
    opts.max_attempts = 3;
    opts.backoff_base_ms = 100;
    opts.backoff_max_ms = 1000;
    *state = wa_service_new(&opts, &deps, NULL);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    wa_service_free(*state);
    return 0;
}

static const char text_body[] =
    "{\"to\":\"34600111222\",\"type\":\"text\",\"text\":{\"body\":\"Hola\"}}";
static const char template_body[] =
    "{\"to\":\"34600111222\",\"type\":\"template\",\"template\":{\"name\":"
    "\"otp_code\",\"language\":{\"code\":\"es\"}}}";

static int send(void **state, const char *key, const char *body,
                struct wa_reply *reply)
{
    return wa_service_send(*state, "svc-test", key, body, strlen(body), reply);
}

static const char *error_code(const struct wa_reply *reply)
{
    return json_string_value(
        json_object_get(json_object_get(reply->body, "error"), "code"));
}

static void send_within_window_accepted(void **state)
{
    struct wa_reply reply;

    send(state, NULL, text_body, &reply);
    assert_int_equal(reply.status, 200);
    assert_string_equal(
        json_string_value(json_object_get(reply.body, "message_id")),
        "wamid.T1");
    assert_int_equal(fake.recorded, 1);
    wa_reply_clear(&reply);
}

static void send_outside_window_rejected(void **state)
{
    struct wa_reply reply;

    fake.last_inbound = NOW - WA_WINDOW_SECONDS - 1;
    send(state, NULL, text_body, &reply);
    assert_int_equal(reply.status, 422);
    assert_string_equal(error_code(&reply), "outside_service_window");
    assert_int_equal(fake.calls, 0);
    wa_reply_clear(&reply);
}

static void send_template_outside_window(void **state)
{
    struct wa_reply reply;

    fake.last_inbound = 0;
    send(state, NULL, template_body, &reply);
    assert_int_equal(reply.status, 200);
    assert_int_equal(fake.calls, 1);
    wa_reply_clear(&reply);
}

static void send_retries_throughput_error(void **state)
{
    struct wa_reply reply;

    fake.script[0] = 130429;
    fake.script[1] = 0;
    fake.script_len = 2;
    send(state, NULL, text_body, &reply);
    assert_int_equal(reply.status, 200);
    assert_int_equal(fake.calls, 2);
    assert_int_equal(fake.sleeps, 1);
    assert_int_equal(fake.slept_ms[0], 100);
    wa_reply_clear(&reply);
}

static void send_retries_are_bounded(void **state)
{
    struct wa_reply reply;

    fake.script[0] = 131056;
    send(state, NULL, text_body, &reply);
    assert_int_equal(reply.status, 503);
    assert_int_equal(fake.calls, 3);
    assert_int_equal(fake.sleeps, 2);
    assert_int_equal(fake.slept_ms[1], 200);
    wa_reply_clear(&reply);
}

static void send_permanent_error_not_retried(void **state)
{
    static const long codes[] = { 131047, 131026, 132000, 132001 };
    struct wa_reply reply;

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        fake.calls = 0;
        fake.script[0] = codes[i];
        send(state, NULL, template_body, &reply);
        assert_int_equal(reply.status, 422);
        assert_int_equal(fake.calls, 1);
        assert_int_equal(fake.sleeps, 0);
        assert_int_equal(fake.recorded_error, codes[i]);
        assert_int_equal(
            json_integer_value(json_object_get(
                json_object_get(reply.body, "error"), "cloud_code")),
            codes[i]);
        wa_reply_clear(&reply);
    }
}

static void send_idempotent_replay(void **state)
{
    struct wa_reply first, second;

    send(state, "key-1", text_body, &first);
    send(state, "key-1", text_body, &second);
    assert_int_equal(second.status, first.status);
    assert_true(json_equal(first.body, second.body));
    assert_int_equal(fake.calls, 1);
    wa_reply_clear(&first);
    wa_reply_clear(&second);
}

static void send_idempotent_other_body(void **state)
{
    struct wa_reply first, second;

    send(state, "key-1", text_body, &first);
    send(state, "key-1", template_body, &second);
    assert_int_equal(second.status, 409);
    assert_string_equal(error_code(&second), "idempotency_key_reused");
    assert_int_equal(fake.calls, 1);
    wa_reply_clear(&first);
    wa_reply_clear(&second);
}

static void send_transient_failure_frees_key(void **state)
{
    struct wa_reply reply;

    fake.script[0] = 130429;
    send(state, "key-2", text_body, &reply);
    assert_int_equal(reply.status, 503);
    assert_int_equal(fake.key_taken, 0);
    wa_reply_clear(&reply);
}

static void send_invalid_body(void **state)
{
    struct wa_reply reply;

    send(state, NULL, "{\"to\":\"x\"}", &reply);
    assert_int_equal(reply.status, 400);
    assert_string_equal(error_code(&reply), "invalid_request");
    assert_int_equal(fake.calls, 0);
    wa_reply_clear(&reply);
}

static const char webhook[] =
    "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{"
    "\"field\":\"messages\",\"value\":{\"messages\":[{\"from\":\"34600111222\","
    "\"id\":\"wamid.IN1\",\"timestamp\":\"1733312000\",\"type\":\"text\","
    "\"text\":{\"body\":\"Caf\\u00e9 https:\\/\\/x\"}}]}}]}]}";

static void receive_signed_body(void **state)
{
    char signature[WA_SIGNATURE_SIZE];
    struct wa_reply reply;

    wa_signature_compute((const unsigned char *)SECRET, strlen(SECRET), webhook,
                         strlen(webhook), signature);
    wa_service_receive(*state, webhook, strlen(webhook), signature, "req-1",
                       &reply);
    assert_int_equal(reply.status, 200);
    assert_int_equal(json_integer_value(json_object_get(reply.body, "stored")),
                     1);
    assert_int_equal(fake.stored_notifications, 1);
    wa_reply_clear(&reply);
}

static void receive_wrong_signature(void **state)
{
    char signature[WA_SIGNATURE_SIZE];
    struct wa_reply reply;

    wa_signature_compute((const unsigned char *)"other", 5, webhook,
                         strlen(webhook), signature);
    wa_service_receive(*state, webhook, strlen(webhook), signature, "req-1",
                       &reply);
    assert_int_equal(reply.status, 401);
    assert_int_equal(fake.stored_notifications, 0);
    wa_reply_clear(&reply);
    wa_service_receive(*state, webhook, strlen(webhook), NULL, "req-1", &reply);
    assert_int_equal(reply.status, 401);
    wa_reply_clear(&reply);
}

static void receive_malformed_payload(void **state)
{
    const char body[] = "{\"object\":\"whatsapp_business_account\"}";
    char signature[WA_SIGNATURE_SIZE];
    struct wa_reply reply;

    wa_signature_compute((const unsigned char *)SECRET, strlen(SECRET), body,
                         strlen(body), signature);
    wa_service_receive(*state, body, strlen(body), signature, "req-1", &reply);
    assert_int_equal(reply.status, 400);
    assert_string_equal(error_code(&reply), "invalid_payload");
    assert_int_equal(fake.stored_notifications, 0);
    wa_reply_clear(&reply);
}

static void verify_handshake(void **state)
{
    struct wa_reply reply;

    wa_service_verify(*state, "subscribe", VERIFY_TOKEN, "1158201444", &reply);
    assert_int_equal(reply.status, 200);
    assert_string_equal(reply.text, "1158201444");
    wa_reply_clear(&reply);
    wa_service_verify(*state, "subscribe", "wrong", "1158201444", &reply);
    assert_int_equal(reply.status, 403);
    wa_reply_clear(&reply);
    wa_service_verify(*state, "unsubscribe", VERIFY_TOKEN, "1", &reply);
    assert_int_equal(reply.status, 403);
    wa_reply_clear(&reply);
    wa_service_verify(*state, "subscribe", NULL, "1", &reply);
    assert_int_equal(reply.status, 403);
    wa_reply_clear(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(send_within_window_accepted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_outside_window_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_template_outside_window, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_retries_throughput_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_retries_are_bounded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_permanent_error_not_retried, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_idempotent_replay, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_idempotent_other_body, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_transient_failure_frees_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(send_invalid_body, setup, teardown),
        cmocka_unit_test_setup_teardown(receive_signed_body, setup, teardown),
        cmocka_unit_test_setup_teardown(receive_wrong_signature, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(receive_malformed_payload, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_handshake, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

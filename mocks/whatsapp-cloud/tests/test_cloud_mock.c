/*
 * Unit tests of the Cloud API emulator: it runs on an ephemeral loopback
 * port and delivers its webhooks to a receiver this test starts on another
 * one. The receiver checks each signature with the WhatsApp service's own
 * wa_signature_verify.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cloud_mock.h"
#include "hito/httpc.h"
#include "hito/httpd.h"
#include "hito/log.h"
#include "wa_signature.h"

#define TOKEN "emulator-test-token"
#define SECRET "emulator-test-secret"
#define BODY_MAX 8192

struct receiver {
    struct httpd *srv;
    pthread_mutex_t lock;
    char body[BODY_MAX];
    int signature_ok;
    int count;
};

static struct receiver receiver;
static struct cloud_mock *mock;
static char mock_url[64];

static void on_webhook(struct httpd_req *req, void *user)
{
    struct receiver *r = user;
    size_t len = 0;
    const char *body = httpd_body(req, &len);

    pthread_mutex_lock(&r->lock);
    snprintf(r->body, sizeof(r->body), "%.*s", (int)len, body ? body : "");
    r->signature_ok =
        wa_signature_verify(
            (const unsigned char *)SECRET, strlen(SECRET), body ? body : "",
            len, httpd_header(req, "X-Hub-Signature-256"), NULL) == HITO_OK;
    r->count++;
    pthread_mutex_unlock(&r->lock);
    httpd_reply_json(req, 200, json_object());
}

static int setup(void **state)
{
    struct httpd_options server = { .service = "receiver",
                                    .listen = "127.0.0.1:0",
                                    .threads = 4 };
    struct cloud_mock_options opts = { 0 };
    char webhook[64];

    (void)state;
    pthread_mutex_init(&receiver.lock, NULL);
    receiver.srv = httpd_new(&server, NULL);
    if (receiver.srv == NULL ||
        httpd_route(receiver.srv, "POST", "/hook", on_webhook, &receiver) !=
            HITO_OK ||
        httpd_start(receiver.srv, NULL) != HITO_OK)
        return -1;
    snprintf(webhook, sizeof(webhook), "http://127.0.0.1:%d/hook",
             httpd_port(receiver.srv));
    opts.listen = "127.0.0.1:0";
    opts.access_token = TOKEN;
    opts.app_secret = SECRET;
    opts.webhook_url = webhook;
    opts.rate_per_second = 0;
    opts.templates = "otp_code:1";
    mock = cloud_mock_start(&opts, NULL);
    if (mock == NULL)
        return -1;
    snprintf(mock_url, sizeof(mock_url), "http://127.0.0.1:%d",
             cloud_mock_port(mock));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cloud_mock_free(mock);
    httpd_free(receiver.srv);
    pthread_mutex_destroy(&receiver.lock);
    return 0;
}

/* POSTs body to path of the emulator; returns the status and the reply. */
static long post(const char *path, const char *body, const char *auth,
                 json_t **reply)
{
    char url[128];
    const char *headers[] = { "Content-Type: application/json", auth, NULL };
    struct httpc_request req = { 0 };
    struct httpc_response res = { 0 };
    long status;

    snprintf(url, sizeof(url), "%s%s", mock_url, path);
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = body;
    req.body_len = strlen(body);
    assert_int_equal(httpc_do(&req, &res, NULL), HITO_OK);
    status = res.status;
    if (reply != NULL)
        *reply = json_loadb(res.body, res.body_len, 0, NULL);
    httpc_response_free(&res);
    return status;
}

static long send_message(const char *body, json_t **reply)
{
    return post("/v21.0/106540352242922/messages", body,
                "Authorization: Bearer " TOKEN, reply);
}

static long error_code(json_t *reply)
{
    return (long)json_integer_value(
        json_object_get(json_object_get(reply, "error"), "code"));
}

static void emulator_inbound_escaped_like_meta(void **state)
{
    json_t *reply = NULL;

    (void)state;
    assert_int_equal(post("/__emulator/inbound",
                          "{\"from\":\"34600111222\",\"name\":\"Jos\xc3\xa9\","
                          "\"text\":\"Caf\xc3\xa9 https://x.example/a\","
                          "\"duplicates\":1}",
                          NULL, &reply),
                     200);
    assert_int_equal(json_array_size(json_object_get(reply, "deliveries")), 2);
    assert_int_equal(receiver.count, 2);
    assert_true(receiver.signature_ok);
    assert_non_null(strstr(receiver.body, "Caf\\u00e9 https:\\/\\/x.example"));
    assert_non_null(strstr(receiver.body, "Jos\\u00e9"));
    assert_null(strstr(receiver.body, "\xc3\xa9"));
    json_decref(reply);
}

static void emulator_wrong_token_rejected(void **state)
{
    json_t *reply = NULL;

    (void)state;
    assert_int_equal(
        post("/v21.0/1/messages", "{}", "Authorization: Bearer wrong", &reply),
        401);
    assert_int_equal(error_code(reply), 190);
    json_decref(reply);
}

static void emulator_window_and_templates(void **state)
{
    json_t *reply = NULL;

    (void)state;
    assert_int_equal(send_message("{\"messaging_product\":\"whatsapp\",\"to\":"
                                  "\"34699000000\",\"type\":\"text\","
                                  "\"text\":{\"body\":\"x\"}}",
                                  &reply),
                     400);
    assert_int_equal(error_code(reply), 131047);
    json_decref(reply);
    assert_int_equal(
        send_message("{\"messaging_product\":\"whatsapp\",\"to\":"
                     "\"34699000000\",\"type\":\"template\",\"template\":{"
                     "\"name\":\"missing\",\"language\":{\"code\":\"es\"}}}",
                     &reply),
        404);
    assert_int_equal(error_code(reply), 132001);
    json_decref(reply);
    assert_int_equal(
        send_message("{\"messaging_product\":\"whatsapp\",\"to\":"
                     "\"34699000000\",\"type\":\"template\",\"template\":{"
                     "\"name\":\"otp_code\",\"language\":{\"code\":\"es\"}}}",
                     &reply),
        400);
    assert_int_equal(error_code(reply), 132000);
    json_decref(reply);
}

static void emulator_fault_then_success(void **state)
{
    const char body[] =
        "{\"messaging_product\":\"whatsapp\",\"to\":\"+34699000001\",\"type\":"
        "\"template\",\"template\":{\"name\":\"otp_code\",\"language\":{"
        "\"code\":\"es\"},\"components\":[{\"type\":\"body\",\"parameters\":["
        "{\"type\":\"text\",\"text\":\"123456\"}]}]}}";
    json_t *reply = NULL;

    (void)state;
    assert_int_equal(
        post("/__emulator/faults", "{\"code\":130429,\"count\":1}", NULL, NULL),
        200);
    assert_int_equal(send_message(body, &reply), 429);
    assert_int_equal(error_code(reply), 130429);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(reply, "error"), "error_data"),
            "messaging_product")),
        "whatsapp");
    json_decref(reply);
    assert_int_equal(send_message(body, &reply), 200);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(reply, "contacts"), 0), "wa_id")),
        "34699000001");
    assert_non_null(json_string_value(json_object_get(
        json_array_get(json_object_get(reply, "messages"), 0), "id")));
    json_decref(reply);
}

static void emulator_fault_scoped_to_recipient(void **state)
{
    const char body[] =
        "{\"messaging_product\":\"whatsapp\",\"to\":\"+34699000002\",\"type\":"
        "\"template\",\"template\":{\"name\":\"otp_code\",\"language\":{"
        "\"code\":\"es\"},\"components\":[{\"type\":\"body\",\"parameters\":["
        "{\"type\":\"text\",\"text\":\"123456\"}]}]}}";
    json_t *reply = NULL;

    (void)state;
    assert_int_equal(post("/__emulator/faults",
                          "{\"code\":131026,\"count\":1,\"to\":\"34699000003\"}", NULL,
                          NULL),
                     200);
    /* Another recipient is not affected by the fault. */
    assert_int_equal(send_message(body, &reply), 200);
    json_decref(reply);
    /* Nor is a message whose text is not the fault's: this one has none. */
    assert_int_equal(post("/__emulator/faults",
                          "{\"code\":131026,\"to\":\"34699000002\",\"text\":\"hola\"}",
                          NULL, NULL),
                     200);
    assert_int_equal(send_message(body, &reply), 200);
    json_decref(reply);
    assert_int_equal(post("/__emulator/faults", "{\"code\":131026,\"text\":\"\"}", NULL, NULL),
                     400);
    assert_int_equal(post("/__emulator/faults", "{\"code\":131026,\"to\":\"\"}", NULL, NULL),
                     400);
    assert_int_equal(post("/__emulator/reset", "{}", NULL, NULL), 200);
}

static void emulator_loopback_only(void **state)
{
    struct cloud_mock_options opts = { 0 };
    struct hito_error err = { 0 };

    (void)state;
    assert_true(cloud_mock_url_is_loopback("http://127.0.0.1:1/x"));
    assert_true(cloud_mock_url_is_loopback("http://[::1]:1/x"));
    assert_true(cloud_mock_url_is_loopback("http://localhost:8080/"));
    assert_false(cloud_mock_url_is_loopback("http://localhost.example/"));
    assert_false(cloud_mock_url_is_loopback("http://10.0.0.1/"));
    assert_false(cloud_mock_url_is_loopback("https://graph.facebook.com/"));
    opts.listen = "127.0.0.1:0";
    opts.access_token = TOKEN;
    opts.app_secret = SECRET;
    opts.webhook_url = "http://192.168.1.10/hook";
    assert_null(cloud_mock_start(&opts, &err));
    assert_int_equal(err.code, HITO_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(emulator_inbound_escaped_like_meta),
        cmocka_unit_test(emulator_wrong_token_rejected),
        cmocka_unit_test(emulator_window_and_templates),
        cmocka_unit_test(emulator_fault_then_success),
        cmocka_unit_test(emulator_fault_scoped_to_recipient),
        cmocka_unit_test(emulator_loopback_only),
    };

    log_init("whatsapp-cloud-test", LOG_LEVEL_WARN, NULL);
    return cmocka_run_group_tests(tests, setup, teardown);
}

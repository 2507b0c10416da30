/*
 * The adapters' pure parts: reading the IA bot's analysis, building Cloud
 * API message bodies, the JSON forms of conversations and messages, and
 * parsing inbound events, and checking the operator API's path parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/orch_http.h"
#include "iabot/orch_iabot.h"
#include "json/orch_json.h"
#include "orch_reply.h"
#include "rabbitmq/orch_inbound.h"
#include "whatsapp/orch_whatsapp.h"

static json_t *parse(const char *text)
{
    json_t *json = json_loads(text, 0, NULL);

    assert_non_null(json);
    return json;
}

static void iabot_parse_search(void **state)
{
    json_t *reply = parse(
        "{\"message_id\":\"m-1\",\"intent\":\"product_search\","
        "\"confidence\":0.87,\"reply_plan\":{\"action\":\"search_products\","
        "\"product_ids\":[\"sku-a\",\"sku-b\",3]}}");
    struct orch_analysis a;

    (void)state;
    assert_int_equal(orch_iabot_parse(reply, &a, NULL), HITO_OK);
    assert_string_equal(a.intent, "product_search");
    assert_string_equal(a.action, "search_products");
    assert_string_equal(a.message_id, "m-1");
    assert_true(a.confidence > 0.86 && a.confidence < 0.88);
    assert_int_equal(a.product_count, 2);
    assert_string_equal(a.product_ids[1], "sku-b");
    json_decref(reply);
}

static void iabot_parse_code_from_entity(void **state)
{
    json_t *reply =
        parse("{\"intent\":\"otp_code\",\"confidence\":0.9,"
              "\"reply_plan\":{\"action\":\"verify_otp\"},"
              "\"entities\":[{\"kind\":\"order\",\"value\":\"ORD-1\"},"
              "{\"kind\":\"otp\",\"value\":\"482913\"}]}");
    struct orch_analysis a;

    (void)state;
    assert_int_equal(orch_iabot_parse(reply, &a, NULL), HITO_OK);
    assert_string_equal(a.otp_code, "482913");
    json_decref(reply);
}

static void iabot_parse_without_plan(void **state)
{
    json_t *reply = parse("{\"intent\":\"greeting\",\"confidence\":0.9}");
    struct orch_analysis a;

    (void)state;
    assert_int_equal(orch_iabot_parse(reply, &a, NULL), HITO_ERR_PROTOCOL);
    json_decref(reply);
}

static void whatsapp_body_text(void **state)
{
    struct orch_message msg;
    json_t *body;

    (void)state;
    orch_reply_build(ORCH_REPLY_GREETING, NULL, NULL, &msg);
    body = orch_whatsapp_body("34600000001", &msg);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "type")),
                        "text");
    assert_string_equal(json_string_value(json_object_get(body, "to")),
                        "34600000001");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(body, "text"), "body")),
                        msg.text);
    json_decref(body);
}

static void whatsapp_body_list(void **state)
{
    struct orch_analysis a = { .product_count = 2,
                               .product_ids = { "sku-a", "sku-b" } };
    struct orch_message msg;
    json_t *body, *rows;

    (void)state;
    orch_reply_build(ORCH_REPLY_PRODUCTS, NULL, &a, &msg);
    body = orch_whatsapp_body("34600000001", &msg);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(body, "interactive"), "type")),
                        "list");
    rows = json_object_get(
        json_array_get(
            json_object_get(
                json_object_get(json_object_get(body, "interactive"), "action"),
                "sections"),
            0),
        "rows");
    assert_int_equal(json_array_size(rows), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(rows, 1), "id")),
        "sku-b");
    json_decref(body);
}

static void whatsapp_body_buttons(void **state)
{
    struct orch_message msg;
    json_t *body, *buttons;

    (void)state;
    orch_reply_build(ORCH_REPLY_CONFIRM_CANCEL, "ORD-123456", NULL, &msg);
    assert_non_null(strstr(msg.text, "ORD-123456"));
    body = orch_whatsapp_body("34600000001", &msg);
    assert_non_null(body);
    buttons = json_object_get(
        json_object_get(json_object_get(body, "interactive"), "action"),
        "buttons");
    assert_int_equal(json_array_size(buttons), 2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(buttons, 0), "reply"), "id")),
        ORCH_BUTTON_CANCEL_YES);
    json_decref(body);
}

/* A row title is cut to 24 bytes at a character boundary. */
static void whatsapp_body_long_title(void **state)
{
    struct orch_analysis a = {
        .product_count = 1, .product_ids = { "camiseta-ñandú-xñandú-talla-m" }
    };
    struct orch_message msg;
    json_t *body;

    (void)state;
    orch_reply_build(ORCH_REPLY_PRODUCTS, NULL, &a, &msg);
    assert_true(strlen(msg.options[0].title) <= ORCH_OPTION_TITLE_SIZE - 1);
    assert_string_equal(msg.options[0].title, "camiseta-ñandú-xñand");
    body = orch_whatsapp_body("34600000001", &msg);
    assert_non_null(body);
    json_decref(body);
}

static void json_conversation_round_trip(void **state)
{
    struct orch_conversation conv = { .customer = "34600000001",
                                      .state = ORCH_STATE_AWAITING_OTP,
                                      .pending = ORCH_PENDING_CHECKOUT,
                                      .order_id = "ORD-1",
                                      .turns = 7,
                                      .updated_ms = 1764866400123LL };
    struct orch_conversation back;
    json_t *json = orch_json_conversation(&conv);

    (void)state;
    assert_non_null(json);
    assert_int_equal(orch_json_parse_conversation(json, &back), HITO_OK);
    assert_int_equal(back.state, ORCH_STATE_AWAITING_OTP);
    assert_int_equal(back.pending, ORCH_PENDING_CHECKOUT);
    assert_string_equal(back.order_id, "ORD-1");
    assert_int_equal(back.turns, 7);
    assert_true(back.updated_ms == 1764866400123LL);
    json_decref(json);
}

static void json_conversation_bad_state(void **state)
{
    json_t *json = parse("{\"customer\":\"1\",\"state\":\"dancing\"}");
    struct orch_conversation back;

    (void)state;
    assert_int_equal(orch_json_parse_conversation(json, &back),
                     HITO_ERR_PROTOCOL);
    json_decref(json);
}

static void json_message_round_trip(void **state)
{
    struct orch_message msg, back;
    json_t *json;

    (void)state;
    orch_reply_build(ORCH_REPLY_ADDED, NULL, NULL, &msg);
    json = orch_json_message(&msg);
    assert_non_null(json);
    assert_int_equal(orch_json_parse_message(json, &back), HITO_OK);
    assert_int_equal(back.kind, ORCH_MESSAGE_BUTTONS);
    assert_string_equal(back.text, msg.text);
    assert_int_equal(back.option_count, 2);
    assert_string_equal(back.options[1].title, msg.options[1].title);
    json_decref(json);
}

static void inbound_delivery(const char *body, const char *message_id,
                             struct mq_delivery *d)
{
    memset(d, 0, sizeof(*d));
    d->body = body;
    d->body_len = strlen(body);
    d->message_id = message_id;
}

static void inbound_parse_text(void **state)
{
    struct mq_delivery d;
    struct orch_inbound msg;

    (void)state;
    inbound_delivery("{\"from\":\"34600000001\",\"text\":{\"body\":\"hola\"},"
                     "\"received_at_ms\":1764866400123}",
                     "wamid.X", &d);
    assert_int_equal(orch_inbound_parse(&d, &msg, NULL), HITO_OK);
    assert_string_equal(msg.wamid, "wamid.X");
    assert_string_equal(msg.text, "hola");
    assert_true(msg.received_ms == 1764866400123LL);
}

static void inbound_parse_cloud_list_reply(void **state)
{
    struct mq_delivery d;
    struct orch_inbound msg;

    (void)state;
    inbound_delivery("{\"wamid\":\"w\",\"from\":\"1\",\"interactive\":"
                     "{\"type\":\"list_reply\",\"list_reply\":"
                     "{\"id\":\"sku-a\",\"title\":\"Camiseta\"}}}",
                     "", &d);
    assert_int_equal(orch_inbound_parse(&d, &msg, NULL), HITO_OK);
    assert_string_equal(msg.text, "Camiseta");
    assert_string_equal(msg.reply_id, "sku-a");
    assert_true(msg.received_ms == 0);
}

static void inbound_parse_invalid(void **state)
{
    static const char *const bodies[] = {
        "not json",
        "[1,2]",
        "{\"wamid\":\"w\",\"text\":\"hola\"}",
        "{\"wamid\":\"w\",\"from\":\"1\"}",
        "{\"from\":\"1\",\"text\":\"hola\"}",
    };
    struct mq_delivery d;
    struct orch_inbound msg;

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        inbound_delivery(bodies[i], "", &d);
        assert_int_equal(orch_inbound_parse(&d, &msg, NULL), HITO_ERR_INVALID);
    }
}

static void http_customer_valid(void **state)
{
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(orch_http_check_customer("34600000001", &err), HITO_OK);
    assert_int_equal(orch_http_check_customer("+34 600 000 001", &err),
                     HITO_OK);
}

static void http_customer_invalid(void **state)
{
    char too_long[ORCH_PHONE_SIZE + 1]; /* ORCH_PHONE_SIZE characters */
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(orch_http_check_customer("\xff\xfe", &err),
                     HITO_ERR_INVALID);
    assert_string_equal(err.message, "the customer id is not valid UTF-8");
    assert_int_equal(orch_http_check_customer("34\xc3", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(orch_http_check_customer("", &err), HITO_ERR_INVALID);
    assert_int_equal(orch_http_check_customer(NULL, &err), HITO_ERR_INVALID);
    memset(too_long, '1', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = '\0';
    assert_int_equal(orch_http_check_customer(too_long, &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "longer than"));
    too_long[ORCH_PHONE_SIZE - 1] = '\0';
    assert_int_equal(orch_http_check_customer(too_long, &err), HITO_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(iabot_parse_search),
        cmocka_unit_test(iabot_parse_code_from_entity),
        cmocka_unit_test(iabot_parse_without_plan),
        cmocka_unit_test(whatsapp_body_text),
        cmocka_unit_test(whatsapp_body_list),
        cmocka_unit_test(whatsapp_body_buttons),
        cmocka_unit_test(whatsapp_body_long_title),
        cmocka_unit_test(json_conversation_round_trip),
        cmocka_unit_test(json_conversation_bad_state),
        cmocka_unit_test(json_message_round_trip),
        cmocka_unit_test(inbound_parse_text),
        cmocka_unit_test(inbound_parse_cloud_list_reply),
        cmocka_unit_test(inbound_parse_invalid),
        cmocka_unit_test(http_customer_valid),
        cmocka_unit_test(http_customer_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

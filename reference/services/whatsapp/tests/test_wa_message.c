/* Unit tests of send-request validation and the Cloud API body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wa_message.h"

/* The body the OTP service sends (otp_whatsapp_body). */
static const char otp_body[] =
    "{\"messaging_product\":\"whatsapp\",\"to\":\"+34600111222\",\"type\":"
    "\"template\",\"template\":{\"name\":\"otp_code\",\"language\":{\"code\":"
    "\"es\"},\"components\":[{\"type\":\"body\",\"parameters\":[{\"type\":"
    "\"text\",\"text\":\"123456\"}]},{\"type\":\"button\",\"sub_type\":\"url\","
    "\"index\":\"0\",\"parameters\":[{\"type\":\"text\",\"text\":\"123456\"}]}"
    "]}}";

static int parse(const char *body, struct wa_send_request *req,
                 struct hito_error *err)
{
    return wa_message_parse(body, strlen(body), req, err);
}

static void message_text_builds_cloud_body(void **state)
{
    struct wa_send_request req;

    (void)state;
    assert_int_equal(parse("{\"to\":\"+34600111222\",\"type\":\"text\","
                           "\"text\":{\"body\":\"Hola\"}}",
                           &req, NULL),
                     HITO_OK);
    assert_int_equal(req.kind, WA_KIND_TEXT);
    assert_string_equal(req.to, "34600111222");
    assert_string_equal(
        json_string_value(json_object_get(req.cloud_body, "messaging_product")),
        "whatsapp");
    assert_string_equal(
        json_string_value(json_object_get(req.cloud_body, "recipient_type")),
        "individual");
    assert_int_equal(strlen(req.digest), 64);
    wa_send_request_clear(&req);
}

static void message_otp_template_accepted(void **state)
{
    struct wa_send_request req;
    struct hito_error err = { 0 };

    (void)state;
    assert_int_equal(parse(otp_body, &req, &err), HITO_OK);
    assert_int_equal(req.kind, WA_KIND_TEMPLATE);
    assert_string_equal(req.type, "template");
    wa_send_request_clear(&req);
}

static void message_digest_follows_body(void **state)
{
    struct wa_send_request a, b;

    (void)state;
    parse(
        "{\"to\":\"34600111222\",\"type\":\"text\",\"text\":{\"body\":\"a\"}}",
        &a, NULL);
    parse(
        "{\"to\":\"34600111222\",\"type\":\"text\",\"text\":{\"body\":\"b\"}}",
        &b, NULL);
    assert_string_not_equal(a.digest, b.digest);
    wa_send_request_clear(&a);
    wa_send_request_clear(&b);
}

/* Builds an interactive button message with count buttons titled title. */
static void buttons_body(char *out, size_t size, int count, const char *title)
{
    size_t n = (size_t)snprintf(out, size,
                                "{\"to\":\"34600111222\",\"type\":"
                                "\"interactive\",\"interactive\":{\"type\":"
                                "\"button\",\"body\":{\"text\":\"?\"},"
                                "\"action\":{\"buttons\":[");

    for (int i = 0; i < count; i++)
        n += (size_t)snprintf(out + n, size - n,
                              "%s{\"type\":\"reply\",\"reply\":{\"id\":\"b%d\","
                              "\"title\":\"%s\"}}",
                              i ? "," : "", i, title);
    snprintf(out + n, size - n, "]}}}");
}

static void message_three_buttons_accepted(void **state)
{
    char body[2048];
    struct wa_send_request req;

    (void)state;
    buttons_body(body, sizeof(body), 3, "S\xc3\xad");
    assert_int_equal(parse(body, &req, NULL), HITO_OK);
    assert_int_equal(req.kind, WA_KIND_BUTTONS);
    wa_send_request_clear(&req);
}

static void message_four_buttons_rejected(void **state)
{
    char body[2048];
    struct wa_send_request req;
    struct hito_error err = { 0 };

    (void)state;
    buttons_body(body, sizeof(body), 4, "Si");
    assert_int_equal(parse(body, &req, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "1 to 3 buttons"));
    wa_send_request_clear(&req);
}

static void message_button_title_counts_characters(void **state)
{
    char body[2048];
    struct wa_send_request req;

    (void)state;
    /* 20 two-byte characters fit; 21 ASCII characters do not. */
    buttons_body(body, sizeof(body), 1,
                 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_int_equal(parse(body, &req, NULL), HITO_OK);
    wa_send_request_clear(&req);
    buttons_body(body, sizeof(body), 1, "abcdefghijklmnopqrstu");
    assert_int_equal(parse(body, &req, NULL), HITO_ERR_INVALID);
    wa_send_request_clear(&req);
}

/* Builds a list message with sections sections of rows rows each. */
static void list_body(char *out, size_t size, int sections, int rows)
{
    size_t n =
        (size_t)snprintf(out, size,
                         "{\"to\":\"34600111222\",\"type\":"
                         "\"interactive\",\"interactive\":{\"type\":"
                         "\"list\",\"body\":{\"text\":\"Menu\"},"
                         "\"action\":{\"button\":\"Ver\",\"sections\":[");

    for (int s = 0; s < sections; s++) {
        n += (size_t)snprintf(out + n, size - n,
                              "%s{\"title\":\"S\",\"rows\":[", s ? "," : "");
        for (int r = 0; r < rows; r++)
            n += (size_t)snprintf(out + n, size - n,
                                  "%s{\"id\":\"r%d_%d\",\"title\":\"Row\"}",
                                  r ? "," : "", s, r);
        n += (size_t)snprintf(out + n, size - n, "]}");
    }
    snprintf(out + n, size - n, "]}}}");
}

static void message_list_limits(void **state)
{
    char body[8192];
    struct wa_send_request req;
    struct hito_error err = { 0 };

    (void)state;
    list_body(body, sizeof(body), 10, 1);
    assert_int_equal(parse(body, &req, NULL), HITO_OK);
    assert_int_equal(req.kind, WA_KIND_LIST);
    wa_send_request_clear(&req);
    list_body(body, sizeof(body), 11, 1);
    assert_int_equal(parse(body, &req, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "1 to 10 sections"));
    wa_send_request_clear(&req);
    list_body(body, sizeof(body), 2, 6);
    assert_int_equal(parse(body, &req, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "at most 10 rows"));
    wa_send_request_clear(&req);
}

static void message_invalid_requests(void **state)
{
    static const struct {
        const char *body;
        const char *reason;
    } cases[] = {
        { "[]", "not a JSON object" },
        { "{\"to\":", "not JSON" },
        { "{\"to\":\"12ab\",\"type\":\"text\",\"text\":{\"body\":\"x\"}}",
          "phone number" },
        { "{\"to\":\"34600111222\",\"type\":\"image\"}",
          "type must be text, template or interactive" },
        { "{\"to\":\"34600111222\",\"type\":\"text\",\"text\":{}}",
          "text.body is missing" },
        { "{\"to\":\"34600111222\",\"type\":\"template\",\"template\":"
          "{\"name\":\"x\"}}",
          "template.language.code is missing" },
        { "{\"messaging_product\":\"sms\",\"to\":\"34600111222\",\"type\":"
          "\"text\",\"text\":{\"body\":\"x\"}}",
          "messaging_product must be whatsapp" },
    };
    struct wa_send_request req;
    struct hito_error err = { 0 };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("%s\n", cases[i].body);
        assert_int_equal(parse(cases[i].body, &req, &err), HITO_ERR_INVALID);
        assert_non_null(strstr(err.message, cases[i].reason));
        wa_send_request_clear(&req);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_text_builds_cloud_body),
        cmocka_unit_test(message_otp_template_accepted),
        cmocka_unit_test(message_digest_follows_body),
        cmocka_unit_test(message_three_buttons_accepted),
        cmocka_unit_test(message_four_buttons_rejected),
        cmocka_unit_test(message_button_title_counts_characters),
        cmocka_unit_test(message_list_limits),
        cmocka_unit_test(message_invalid_requests),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

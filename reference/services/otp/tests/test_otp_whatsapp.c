/* The authentication template message the WhatsApp notifier sends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include <jansson.h>

#include "whatsapp/otp_whatsapp.h"

static json_t *build(const char *phone, const char *code)
{
    struct otp_whatsapp_options opts = { "http://127.0.0.1:1", "otp_code", "es",
                                         1000, NULL };
    struct otp_whatsapp *whatsapp = otp_whatsapp_new(&opts, NULL);
    char *text;
    json_t *body;

    assert_non_null(whatsapp);
    text = otp_whatsapp_body(whatsapp, phone, code);
    assert_non_null(text);
    body = json_loads(text, 0, NULL);
    assert_non_null(body);
    free(text);
    otp_whatsapp_free(whatsapp);
    return body;
}

static const char *text_parameter(json_t *component)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(component, "parameters"), 0), "text"));
}

static void body_names_recipient_and_template(void **state)
{
    json_t *body = build("+34600000001", "012345");
    json_t *template = json_object_get(body, "template");

    (void)state;
    assert_string_equal(
        json_string_value(json_object_get(body, "messaging_product")),
        "whatsapp");
    assert_string_equal(json_string_value(json_object_get(body, "to")),
                        "+34600000001");
    assert_string_equal(json_string_value(json_object_get(body, "type")),
                        "template");
    assert_string_equal(json_string_value(json_object_get(template, "name")),
                        "otp_code");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(template, "language"), "code")),
                        "es");
    json_decref(body);
}

static void body_puts_code_in_body_and_button(void **state)
{
    json_t *body = build("+34600000001", "012345");
    json_t *components =
        json_object_get(json_object_get(body, "template"), "components");
    json_t *text = json_array_get(components, 0);
    json_t *button = json_array_get(components, 1);

    (void)state;
    assert_int_equal(json_array_size(components), 2);
    assert_string_equal(json_string_value(json_object_get(text, "type")),
                        "body");
    assert_string_equal(text_parameter(text), "012345");
    assert_string_equal(json_string_value(json_object_get(button, "type")),
                        "button");
    assert_string_equal(json_string_value(json_object_get(button, "sub_type")),
                        "url");
    assert_string_equal(json_string_value(json_object_get(button, "index")),
                        "0");
    assert_string_equal(text_parameter(button), "012345");
    json_decref(body);
}

static void new_rejects_missing_url(void **state)
{
    struct otp_whatsapp_options opts = { NULL, "otp_code", "es", 1000, NULL };
    struct hito_error err = { 0 };

    (void)state;
    assert_null(otp_whatsapp_new(&opts, &err));
    assert_int_equal(err.code, HITO_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(body_names_recipient_and_template),
        cmocka_unit_test(body_puts_code_in_body_and_button),
        cmocka_unit_test(new_rejects_missing_url),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

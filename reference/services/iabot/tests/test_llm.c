/* Unit tests of adapters/llm: the request body and reading the reply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "llm/iabot_llm.h"

static void request_body_holds_message_only(void **state)
{
    char *body =
        iabot_llm_request_body("hito-intent", "¿dónde está mi pedido?");
    json_t *doc, *messages;

    (void)state;
    assert_non_null(body);
    doc = json_loads(body, 0, NULL);
    assert_non_null(doc);
    messages = json_object_get(doc, "messages");
    assert_int_equal(json_array_size(messages), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(messages, 1), "content")),
                        "¿dónde está mi pedido?");
    assert_string_equal(json_string_value(json_object_get(doc, "model")),
                        "hito-intent");
    assert_int_equal(json_integer_value(json_object_get(doc, "temperature")),
                     0);
    assert_null(strstr(body, "Bearer"));
    json_decref(doc);
    free(body);
}

static void client_keeps_key_out_of_body(void **state)
{
    struct iabot_llm_options opts = {"http://127.0.0.1:1/v1", "sk-test-secret",
                                     "m", 100};
    struct iabot_llm_client *client = iabot_llm_new(&opts, NULL);
    char *body = iabot_llm_request_body("m", "hola");

    (void)state;
    assert_non_null(client);
    assert_null(strstr(body, "sk-test-secret"));
    free(body);
    iabot_llm_free(client);
}

struct reply_case {
    const char *body;
    int rc;
    enum intent intent;
};

static void parse_reply_table(void **state)
{
    static const struct reply_case cases[] = {
        {"{\"choices\":[{\"message\":{\"content\":\"order_status\"}}]}",
         HITO_OK, INTENT_ORDER_STATUS},
        {"{\"choices\":[{\"message\":{\"content\":\"  Greeting.\\n\"}}]}",
         HITO_OK, INTENT_GREETING},
        {"{\"choices\":[{\"message\":{\"content\":\"handover\"}}]}",
         HITO_ERR_PROTOCOL, 0},
        {"{\"choices\":[{\"message\":{\"content\":\"I think it is a "
         "greeting\"}}]}",
         HITO_ERR_PROTOCOL, 0},
        {"{\"choices\":[]}", HITO_ERR_PROTOCOL, 0},
        {"not json", HITO_ERR_PROTOCOL, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum intent intent = INTENT_HANDOVER;
        int rc = iabot_llm_parse_reply(cases[i].body, &intent, NULL);

        assert_int_equal(rc, cases[i].rc);
        if (rc == HITO_OK)
            assert_int_equal(intent, cases[i].intent);
    }
}

static void client_rejects_long_options(void **state)
{
    char url[IABOT_LLM_URL_MAX + 10];
    struct iabot_llm_options opts = {url, "", "m", 100};
    struct hito_error err = {0};

    (void)state;
    memset(url, 'a', sizeof(url) - 1);
    url[sizeof(url) - 1] = '\0';
    assert_null(iabot_llm_new(&opts, &err));
    assert_int_equal(err.code, HITO_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_body_holds_message_only),
        cmocka_unit_test(client_keeps_key_out_of_body),
        cmocka_unit_test(parse_reply_table),
        cmocka_unit_test(client_rejects_long_options),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

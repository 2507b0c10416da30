/* test_zjson.c - ZITADEL's JSON conventions: errors, key case, omitted zero values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "zjson.h"

static void error_with_id_has_details(void **state)
{
    json_t *e = zjson_error(ZGRPC_ALREADY_EXISTS, "PROJECT-1", "Project already exists");
    json_t *detail = json_array_get(json_object_get(e, "details"), 0);

    (void)state;
    assert_int_equal(json_integer_value(json_object_get(e, "code")), 6);
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "Project already exists (PROJECT-1)");
    assert_string_equal(json_string_value(json_object_get(detail, "id")), "PROJECT-1");
    json_decref(e);
}

static void error_without_id_is_plain(void **state)
{
    json_t *e = zjson_error(ZGRPC_UNAUTHENTICATED, NULL, "auth header missing");

    (void)state;
    assert_string_equal(json_string_value(json_object_get(e, "message")), "auth header missing");
    assert_null(json_object_get(e, "details"));
    json_decref(e);
}

static void http_status_follows_grpc_code(void **state)
{
    (void)state;
    assert_int_equal(zjson_http_status(ZGRPC_INVALID_ARGUMENT), 400);
    assert_int_equal(zjson_http_status(ZGRPC_FAILED_PRECONDITION), 400);
    assert_int_equal(zjson_http_status(ZGRPC_UNAUTHENTICATED), 401);
    assert_int_equal(zjson_http_status(ZGRPC_PERMISSION_DENIED), 403);
    assert_int_equal(zjson_http_status(ZGRPC_NOT_FOUND), 404);
    assert_int_equal(zjson_http_status(ZGRPC_ALREADY_EXISTS), 409);
    assert_int_equal(zjson_http_status(ZGRPC_INTERNAL), 500);
}

static void camel_keys_converts_nested(void **state)
{
    json_t *doc = json_loads("{\"project_role_assertion\":true,"
                             "\"queries\":[{\"name_query\":{\"name\":\"x\"}}]}", 0, NULL);
    json_t *q;

    (void)state;
    assert_int_equal(zjson_camel_keys(doc), 0);
    assert_true(json_is_true(json_object_get(doc, "projectRoleAssertion")));
    assert_null(json_object_get(doc, "project_role_assertion"));
    q = json_array_get(json_object_get(doc, "queries"), 0);
    assert_non_null(json_object_get(q, "nameQuery"));
    json_decref(doc);
}

static void camel_keys_rejects_deep_nesting(void **state)
{
    char text[256] = "";
    json_t *doc;

    (void)state;
    for (int i = 0; i < ZJSON_MAX_DEPTH + 2; i++)
        strcat(text, "[");
    for (int i = 0; i < ZJSON_MAX_DEPTH + 2; i++)
        strcat(text, "]");
    doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(zjson_camel_keys(doc), -1);
    json_decref(doc);
}

static void public_omits_zero_values(void **state)
{
    json_t *obj = json_pack("{s:s, s:b, s:i, s:s, s:[], s:s, s:s, s:s}", "name", "p", "flag", 0,
                            "count", 0, "empty", "", "list", "_secret", "x", "type",
                            "OIDC_TOKEN_TYPE_BEARER", "jwt", "OIDC_TOKEN_TYPE_JWT");
    json_t *out = zjson_public(obj);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(out, "name")), "p");
    assert_null(json_object_get(out, "flag"));
    assert_null(json_object_get(out, "count"));
    assert_null(json_object_get(out, "empty"));
    assert_null(json_object_get(out, "list"));
    assert_null(json_object_get(out, "_secret"));
    assert_null(json_object_get(out, "type"));
    assert_string_equal(json_string_value(json_object_get(out, "jwt")), "OIDC_TOKEN_TYPE_JWT");
    json_decref(obj);
    json_decref(out);
}

static void details_carry_strings(void **state)
{
    json_t *d = zjson_details(42, 0.5, 1.25, "123");

    (void)state;
    assert_string_equal(json_string_value(json_object_get(d, "sequence")), "42");
    assert_string_equal(json_string_value(json_object_get(d, "creationDate")),
                        "1970-01-01T00:00:00.500000Z");
    assert_string_equal(json_string_value(json_object_get(d, "resourceOwner")), "123");
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(error_with_id_has_details),
        cmocka_unit_test(error_without_id_is_plain),
        cmocka_unit_test(http_status_follows_grpc_code),
        cmocka_unit_test(camel_keys_converts_nested),
        cmocka_unit_test(camel_keys_rejects_deep_nesting),
        cmocka_unit_test(public_omits_zero_values),
        cmocka_unit_test(details_carry_strings),
    };

    return cmocka_run_group_tests_name("zitadel_emulator_zjson", tests, NULL, NULL);
}

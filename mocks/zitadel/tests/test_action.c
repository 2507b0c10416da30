/* test_action.c - Actions on duktape: claims, no overwrite, throw, timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "action.h"

#define FLAT_ROLES                                                                       \
    "function flatRoles(ctx, api) {\n"                                                   \
    "  var roles = [];\n"                                                                \
    "  if (ctx.v1.user.grants) {\n"                                                      \
    "    ctx.v1.user.grants.grants.forEach(function (g) {\n"                             \
    "      g.roles.forEach(function (r) { roles.push(r); });\n"                          \
    "    });\n"                                                                          \
    "  }\n"                                                                              \
    "  api.v1.claims.setClaim('roles', roles);\n"                                        \
    "  api.v1.claims.setClaim('existing', 'new');\n"                                     \
    "  api.v1.claims.setClaim('urn:zitadel:iam:x', 1);\n"                                \
    "  api.v1.claims.appendLogIntoClaims('done');\n"                                     \
    "}\n"

static void flat_roles_from_grants(void **state)
{
    json_t *ctx = json_loads("{\"user\":{\"id\":\"1\",\"grants\":{\"count\":1,\"grants\":"
                             "[{\"roles\":[\"admin\",\"customer\"]}]}}}", 0, NULL);
    json_t *existing = json_pack("{s:s}", "existing", "old");
    json_t *claims = NULL;
    json_t *roles;

    (void)state;
    assert_int_equal(action_run("flatRoles", FLAT_ROLES, 5, ctx, existing, &claims, NULL),
                     HITO_OK);
    roles = json_object_get(claims, "roles");
    assert_int_equal(json_array_size(roles), 2);
    assert_string_equal(json_string_value(json_array_get(roles, 0)), "admin");
    assert_null(json_object_get(claims, "existing"));
    assert_null(json_object_get(claims, "urn:zitadel:iam:x"));
    assert_non_null(json_object_get(claims, "urn:zitadel:iam:action:flatRoles:log"));
    json_decref(claims);
    json_decref(existing);
    json_decref(ctx);
}

static void null_grants_are_guarded(void **state)
{
    json_t *ctx = json_loads("{\"user\":{\"id\":\"1\",\"grants\":null}}", 0, NULL);
    json_t *existing = json_object();
    json_t *claims = NULL;

    (void)state;
    assert_int_equal(action_run("flatRoles", FLAT_ROLES, 5, ctx, existing, &claims, NULL),
                     HITO_OK);
    assert_int_equal(json_array_size(json_object_get(claims, "roles")), 0);
    json_decref(claims);
    json_decref(existing);
    json_decref(ctx);
}

static void throwing_action_fails(void **state)
{
    json_t *ctx = json_object();
    json_t *existing = json_object();
    json_t *claims = NULL;
    struct hito_error err = {0};

    (void)state;
    assert_int_equal(action_run("boom", "function boom(ctx, api) { throw new Error('bad'); }", 5,
                                ctx, existing, &claims, &err),
                     HITO_ERR_INVALID);
    assert_null(claims);
    assert_non_null(strstr(err.message, "bad"));
    json_decref(existing);
    json_decref(ctx);
}

static void missing_function_fails(void **state)
{
    json_t *ctx = json_object();
    json_t *existing = json_object();
    json_t *claims = NULL;

    (void)state;
    assert_int_equal(action_run("other", "function nameless() {}", 5, ctx, existing, &claims,
                                NULL),
                     HITO_ERR_INVALID);
    json_decref(existing);
    json_decref(ctx);
}

static void endless_loop_times_out(void **state)
{
    json_t *ctx = json_object();
    json_t *existing = json_object();
    json_t *claims = NULL;

    (void)state;
    assert_int_equal(action_run("spin", "function spin() { for (;;) {} }", 0.3, ctx, existing,
                                &claims, NULL),
                     HITO_ERR_TIMEOUT);
    json_decref(existing);
    json_decref(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flat_roles_from_grants),
        cmocka_unit_test(null_grants_are_guarded),
        cmocka_unit_test(throwing_action_fails),
        cmocka_unit_test(missing_function_fails),
        cmocka_unit_test(endless_loop_times_out),
    };

    return cmocka_run_group_tests_name("zitadel_emulator_action", tests, NULL, NULL);
}

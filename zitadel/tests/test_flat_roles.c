/*
 * test_flat_roles.c - runs zitadel/actions/flat_roles.js in duktape (the ES5
 * engine the emulator embeds) with the ctx shapes ZITADEL passes, and checks
 * the claims it sets through a recording api.v1.claims.setClaim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <duktape.h>

#define SCRIPT_PATH "zitadel/actions/flat_roles.js"
#define SCRIPT_MAX_BYTES (64 * 1024)

/*
 * Evaluates the action, calls flat_roles(ctx, api) with ctx_json, and
 * returns the JSON of the claims it set ({} when none), or NULL when the
 * action threw. The caller frees the result.
 */
static char *run_action(const char *ctx_json)
{
    static char script[SCRIPT_MAX_BYTES];
    FILE *f = fopen(SCRIPT_PATH, "r");
    size_t len;
    char *result = NULL;
    duk_context *duk = duk_create_heap_default();

    assert_non_null(f);
    len = fread(script, 1, sizeof(script) - 1, f);
    fclose(f);
    script[len] = '\0';
    assert_int_equal(duk_peval_string_noresult(duk, script), 0);
    /* setClaim keeps the first value of a key, as ZITADEL's does. */
    assert_int_equal(duk_peval_string_noresult(
        duk, "var claims = {};"
             "var api = {v1: {claims: {setClaim: function (k, v) {"
             "  if (!(k in claims)) { claims[k] = v; } }}}};"), 0);
    duk_push_global_object(duk);
    duk_get_prop_string(duk, -1, "flat_roles");
    duk_push_string(duk, ctx_json);
    duk_json_decode(duk, -1);
    duk_get_prop_string(duk, -3, "api");
    if (duk_pcall(duk, 2) == DUK_EXEC_SUCCESS) {
        duk_pop(duk);
        duk_get_prop_string(duk, -1, "claims");
        result = strdup(duk_json_encode(duk, -1));
    }
    duk_destroy_heap(duk);
    return result;
}

static void expect_claims(const char *ctx_json, const char *expected)
{
    char *claims = run_action(ctx_json);

    assert_non_null(claims);
    assert_string_equal(claims, expected);
    free(claims);
}

static void flat_roles_from_grants(void **state)
{
    (void)state;
    expect_claims("{\"v1\":{\"user\":{\"grants\":{\"count\":2,\"grants\":["
                  "{\"projectId\":\"1\",\"projectName\":\"hito platform\","
                  "\"roles\":[\"admin\",\"support\"]},"
                  "{\"projectId\":\"1\",\"projectName\":\"hito platform\","
                  "\"roles\":[\"support\"]}]}}}}",
                  "{\"roles\":[\"admin\",\"support\"]}");
}

static void flat_roles_null_grants(void **state)
{
    (void)state;
    expect_claims("{\"v1\":{\"user\":{\"grants\":null}}}", "{}");
}

static void flat_roles_machine_user(void **state)
{
    (void)state;
    /* A machine user without project context: no user grants object at all. */
    expect_claims("{\"v1\":{\"user\":{}}}", "{}");
    expect_claims("{\"v1\":{}}", "{}");
    expect_claims("{}", "{}");
}

static void flat_roles_from_role_claim(void **state)
{
    (void)state;
    /* A service token: no grants, but the role object claim is asserted. */
    expect_claims("{\"v1\":{\"user\":{\"grants\":null},\"claims\":{"
                  "\"urn:zitadel:iam:org:project:roles\":{"
                  "\"svc-otp\":{\"1\":\"hito.localhost\"},"
                  "\"svc-orchestrator\":{\"1\":\"hito.localhost\"}}}}}",
                  "{\"roles\":[\"svc-otp\",\"svc-orchestrator\"]}");
}

static void flat_roles_malformed_role_claim(void **state)
{
    (void)state;
    expect_claims("{\"v1\":{\"claims\":{\"urn:zitadel:iam:org:project:roles\":\"admin\"}}}",
                  "{}");
    expect_claims("{\"v1\":{\"claims\":{\"urn:zitadel:iam:org:project:roles\":null}}}",
                  "{}");
    expect_claims("{\"v1\":{\"claims\":null}}", "{}");
}

static void flat_roles_other_project(void **state)
{
    (void)state;
    expect_claims("{\"v1\":{\"user\":{\"grants\":{\"grants\":["
                  "{\"projectName\":\"another\",\"roles\":[\"owner\"]},"
                  "{\"projectName\":\"hito platform\",\"roles\":[\"courier\"]}]}}}}",
                  "{\"roles\":[\"courier\"]}");
}

static void flat_roles_grant_without_roles(void **state)
{
    (void)state;
    expect_claims("{\"v1\":{\"user\":{\"grants\":{\"grants\":[{\"projectName\":"
                  "\"hito platform\"},null,{\"roles\":[\"customer\",7]}]}}}}",
                  "{\"roles\":[\"customer\"]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flat_roles_from_grants),
        cmocka_unit_test(flat_roles_null_grants),
        cmocka_unit_test(flat_roles_machine_user),
        cmocka_unit_test(flat_roles_from_role_claim),
        cmocka_unit_test(flat_roles_malformed_role_claim),
        cmocka_unit_test(flat_roles_other_project),
        cmocka_unit_test(flat_roles_grant_without_roles),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

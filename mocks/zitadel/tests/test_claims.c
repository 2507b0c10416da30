/* test_claims.c - token claims, role objects, audiences and scopes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "claims.h"

/* An org, a project with role assertion, a JWT app asserting roles and a grant. */
static const char doc_text[] =
    "{\"_zitadelProjectId\":\"900\","
    " \"orgs\":{\"10\":{\"id\":\"10\",\"name\":\"Acme\",\"primaryDomain\":\"acme.localhost\"}},"
    " \"projects\":{\"20\":{\"id\":\"20\",\"name\":\"Shop\",\"projectRoleAssertion\":true},"
    "               \"21\":{\"id\":\"21\",\"name\":\"Plain\"}},"
    " \"apps\":{\"30\":{\"id\":\"30\",\"_projectId\":\"20\",\"oidcConfig\":{\"clientId\":\"30@shop\","
    "           \"accessTokenRoleAssertion\":true}},"
    "          \"31\":{\"id\":\"31\",\"_projectId\":\"20\",\"apiConfig\":{\"clientId\":\"31@shop\"}},"
    "          \"32\":{\"id\":\"32\",\"_projectId\":\"21\",\"oidcConfig\":{\"clientId\":\"32@plain\"}}},"
    " \"users\":{\"40\":{\"id\":\"40\",\"_owner\":\"10\",\"preferredLoginName\":\"ana\","
    "           \"human\":{\"profile\":{\"firstName\":\"Ana\",\"lastName\":\"D\"}}}},"
    " \"grants\":{\"50\":{\"userId\":\"40\",\"projectId\":\"20\",\"_owner\":\"10\","
    "            \"roleKeys\":[\"admin\",\"customer\"]},"
    "            \"51\":{\"userId\":\"40\",\"projectId\":\"21\",\"_owner\":\"10\","
    "            \"roleKeys\":[\"viewer\"]}}}";

static int setup(void **state)
{
    *state = json_loads(doc_text, 0, NULL);
    return *state != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    json_decref(*state);
    return 0;
}

static json_t *context(const char *app_id, const char *scope)
{
    json_t *tctx = json_pack("{s:s, s:s, s:o, s:[s,s,s], s:i}", "sub", "40", "clientId", "30@shop",
                             "scope", claims_scope_parse(scope), "aud", "30@shop", "31@shop",
                             "20", "authTime", 1);

    if (app_id != NULL)
        json_object_set_new(tctx, "appId", json_string(app_id));
    return tctx;
}

static void scope_parse_drops_unknown(void **state)
{
    json_t *s = claims_scope_parse("openid  foo urn:zitadel:iam:org:projects:roles openid");

    (void)state;
    assert_int_equal(json_array_size(s), 2);
    assert_true(claims_scope_has(s, "openid"));
    assert_false(claims_scope_has(s, "foo"));
    json_decref(s);
}

static void scope_projects_resolve_zitadel(void **state)
{
    json_t *s = claims_scope_parse("urn:zitadel:iam:org:project:id:zitadel:aud "
                                   "urn:zitadel:iam:org:project:id:20:aud");
    json_t *p = claims_scope_projects(*state, s);

    assert_int_equal(json_array_size(p), 2);
    assert_string_equal(json_string_value(json_array_get(p, 0)), "900");
    assert_string_equal(json_string_value(json_array_get(p, 1)), "20");
    json_decref(p);
    json_decref(s);
}

static void role_object_maps_org_domain(void **state)
{
    json_t *roles = claims_role_object(*state, "40", "20", NULL);

    assert_string_equal(json_string_value(json_object_get(json_object_get(roles, "admin"), "10")),
                        "acme.localhost");
    assert_non_null(json_object_get(roles, "customer"));
    assert_null(json_object_get(roles, "viewer"));
    json_decref(roles);
}

static void audience_lists_apps_and_project(void **state)
{
    json_t *aud = claims_project_audience(*state, "20");

    assert_int_equal(json_array_size(aud), 3);
    assert_true(claims_scope_has(aud, "30@shop"));
    assert_true(claims_scope_has(aud, "31@shop"));
    assert_true(claims_scope_has(aud, "20"));
    json_decref(aud);
}

static void access_token_claim_set(void **state)
{
    json_t *tctx = context("30", "openid");
    json_t *c = claims_access_token(*state, tctx, "http://localhost:8080", 100, 200, "77");
    json_t *roles = json_object_get(c, CLAIMS_ROLES);

    assert_string_equal(json_string_value(json_object_get(c, "iss")), "http://localhost:8080");
    assert_string_equal(json_string_value(json_object_get(c, "sub")), "40");
    assert_true(json_is_array(json_object_get(c, "aud")));
    assert_int_equal(json_integer_value(json_object_get(c, "exp")), 200);
    assert_int_equal(json_integer_value(json_object_get(c, "nbf")), 100);
    assert_string_equal(json_string_value(json_object_get(c, "jti")), "77");
    assert_null(json_object_get(c, "client_id"));
    assert_null(json_object_get(c, "scope"));
    assert_null(json_object_get(c, "azp"));
    assert_non_null(json_object_get(roles, "admin"));
    assert_non_null(json_object_get(c, "urn:zitadel:iam:org:project:20:roles"));
    json_decref(c);
    json_decref(tctx);
}

static void no_roles_without_assertion(void **state)
{
    json_t *tctx = context("32", "openid");
    json_t *roles = claims_roles(*state, tctx, CLAIMS_ACCESS_TOKEN);

    assert_int_equal(json_object_size(roles), 0);
    json_decref(roles);
    json_decref(tctx);
}

static void role_scope_filters_roles(void **state)
{
    json_t *tctx = context("30", "openid urn:zitadel:iam:org:project:role:customer");
    json_t *roles = claims_roles(*state, tctx, CLAIMS_ACCESS_TOKEN);
    json_t *generic = json_object_get(roles, CLAIMS_ROLES);

    assert_non_null(json_object_get(generic, "customer"));
    assert_null(json_object_get(generic, "admin"));
    json_decref(roles);
    json_decref(tctx);
}

static void machine_roles_need_project_scopes(void **state)
{
    json_t *none = context(NULL, "openid");
    json_t *both = context(NULL, "urn:zitadel:iam:org:projects:roles "
                                 "urn:zitadel:iam:org:project:id:21:aud");
    json_t *r1 = claims_roles(*state, none, CLAIMS_ACCESS_TOKEN);
    json_t *r2 = claims_roles(*state, both, CLAIMS_ACCESS_TOKEN);

    assert_int_equal(json_object_size(r1), 0);
    assert_non_null(json_object_get(json_object_get(r2, CLAIMS_ROLES), "viewer"));
    assert_non_null(json_object_get(r2, "urn:zitadel:iam:org:project:21:roles"));
    assert_false(claims_roles_requested(*state, none));
    assert_true(claims_roles_requested(*state, both));
    json_decref(r1);
    json_decref(r2);
    json_decref(none);
    json_decref(both);
}

static void userinfo_profile_scope(void **state)
{
    json_t *tctx = context("30", "openid profile");
    json_t *info = claims_userinfo(*state, tctx);

    assert_string_equal(json_string_value(json_object_get(info, "sub")), "40");
    assert_string_equal(json_string_value(json_object_get(info, "given_name")), "Ana");
    assert_string_equal(json_string_value(json_object_get(info, "preferred_username")), "ana");
    json_decref(info);
    json_decref(tctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scope_parse_drops_unknown),
        cmocka_unit_test(scope_projects_resolve_zitadel),
        cmocka_unit_test(role_object_maps_org_domain),
        cmocka_unit_test(audience_lists_apps_and_project),
        cmocka_unit_test(access_token_claim_set),
        cmocka_unit_test(no_roles_without_assertion),
        cmocka_unit_test(role_scope_filters_roles),
        cmocka_unit_test(machine_roles_need_project_scopes),
        cmocka_unit_test(userinfo_profile_scope),
    };

    return cmocka_run_group_tests_name("zitadel_emulator_claims", tests, setup, teardown);
}

/*
 * test_provision.c - the identity model's validation, the provisioner's
 * decisions (policies, 409 and "nothing changed" handling, plan mode) with a
 * fake HTTP transport, and the outputs file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../src/model.h"
#include "../src/outputs.h"
#include "../src/provision.h"
#include "../src/zapi.h"

#define MODEL_PATH "zitadel/model.json"
#define FAKE_MAX_CALLS 256

/*
 * Returns one status and body for every request and records the calls.
 * When write_status is set, writes (not GET, not _search) get it and
 * write_body in place.
 */
struct fake {
    long status;
    const char *body;
    long write_status;
    const char *write_body;
    int calls;
    int writes;
    char last[FAKE_MAX_CALLS][128];
};

static int fake_send(void *user, const char *method, const char *url, const char *const *headers,
                     const char *body, long *status, char **response, struct hito_error *err)
{
    struct fake *f = user;
    const char *path = strstr(url, "/management/") ? strstr(url, "/management/")
                                                   : strstr(url, "/admin/");

    (void)headers;
    (void)body;
    (void)err;
    if (f->calls < FAKE_MAX_CALLS)
        snprintf(f->last[f->calls], sizeof(f->last[0]), "%s %s", method, path ? path : url);
    f->calls++;
    if (strcmp(method, "GET") != 0 && strstr(url, "_search") == NULL) {
        f->writes++;
        if (f->write_status != 0) {
            *status = f->write_status;
            *response = strdup(f->write_body);
            return HITO_OK;
        }
    }
    *status = f->status;
    *response = strdup(f->body);
    return HITO_OK;
}

static json_t *load_model(void)
{
    json_t *model = NULL;
    struct hito_error err = {0};

    assert_int_equal(model_load(MODEL_PATH, &model, &err), HITO_OK);
    return model;
}

static void expect_invalid(json_t *model, const char *message)
{
    struct hito_error err = {0};

    assert_int_equal(model_validate(model, &err), HITO_ERR_INVALID);
    assert_string_equal(err.message, message);
}

static void model_loads_repository_file(void **state)
{
    json_t *model = load_model();

    (void)state;
    assert_non_null(model_find_role(model, "admin"));
    assert_non_null(model_find_role(model, "svc-payment"));
    assert_null(model_find_role(model, "nobody"));
    json_decref(model);
}

static void model_unknown_include_named(void **state)
{
    json_t *model = load_model();
    json_t *roles = json_object_get(json_array_get(json_object_get(model, "roles"), 0),
                                    "includes");

    (void)state;
    json_array_set_new(roles, 0, json_string("suport"));
    expect_invalid(model, "roles[0].includes[0]: unknown role \"suport\"");
    json_decref(model);
}

static void model_missing_username_named(void **state)
{
    json_t *model = load_model();

    (void)state;
    json_object_del(json_array_get(json_object_get(model, "machineUsers"), 2), "userName");
    expect_invalid(model, "machineUsers[2].userName: missing");
    json_decref(model);
}

static void model_rejects_password(void **state)
{
    json_t *model = load_model();
    struct hito_error err = {0};

    (void)state;
    json_object_set_new(json_array_get(json_object_get(model, "humanUsers"), 0), "password",
                        json_string("x"));
    assert_int_equal(model_validate(model, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "humanUsers[0]: password must not be in the model"));
    json_decref(model);
}

static void model_rejects_role_cycle(void **state)
{
    json_t *model = load_model();
    json_t *customer = model_find_role(model, "customer");
    struct hito_error err = {0};

    (void)state;
    json_array_append_new(json_object_get(customer, "includes"), json_string("admin"));
    assert_int_equal(model_validate(model, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "includes form a cycle"));
    json_decref(model);
}

static void model_rejects_short_min_length(void **state)
{
    json_t *model = load_model();
    json_t *pc = json_object_get(json_object_get(model, "policies"), "passwordComplexity");

    (void)state;
    json_object_set_new(pc, "minLength", json_integer(4));
    expect_invalid(model, "policies.passwordComplexity.minLength: must be an integer 8..72");
    json_decref(model);
}

static int has_string(json_t *array, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(array, i, v) {
        if (strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}

static void permissions_follow_hierarchy(void **state)
{
    json_t *model = load_model();
    json_t *admin = model_role_permissions(model, "admin");
    json_t *customer = model_role_permissions(model, "customer");

    (void)state;
    assert_true(has_string(admin, "payments:refund"));
    assert_true(has_string(admin, "otp:issue"));        /* via support */
    assert_true(has_string(admin, "orders:create"));    /* via support, customer */
    assert_true(has_string(admin, "catalog:write"));
    assert_false(has_string(customer, "payments:refund"));
    assert_true(has_string(customer, "orders:read"));
    assert_null(model_role_permissions(model, "nobody"));
    json_decref(admin);
    json_decref(customer);
    json_decref(model);
}

static void classify_outcomes(void **state)
{
    struct zapi_response res = {0};

    (void)state;
    res.status = 201;
    assert_int_equal(zapi_classify(&res, 0), ZAPI_CHANGED);
    res.status = 409;
    res.grpc_code = 6;
    assert_int_equal(zapi_classify(&res, 0), ZAPI_EXISTS);
    res.status = 400;
    res.grpc_code = 9;
    assert_int_equal(zapi_classify(&res, 1), ZAPI_UNCHANGED);
    assert_int_equal(zapi_classify(&res, 0), ZAPI_FAILED);
    res.grpc_code = 3;
    assert_int_equal(zapi_classify(&res, 1), ZAPI_FAILED);
    res.status = 500;
    assert_int_equal(zapi_classify(&res, 1), ZAPI_FAILED);
}

static void policy_method_decisions(void **state)
{
    json_t *wanted = json_pack("{s:i,s:b}", "minLength", 12, "hasSymbol", 1);
    json_t *dflt = json_pack("{s:s,s:b,s:b}", "minLength", "8", "hasSymbol", 1, "isDefault", 1);
    json_t *same = json_pack("{s:s,s:b}", "minLength", "12", "hasSymbol", 1);
    json_t *other = json_pack("{s:s}", "minLength", "12");

    (void)state;
    assert_string_equal(provision_policy_method(NULL, wanted), "POST");
    assert_string_equal(provision_policy_method(dflt, wanted), "POST");
    assert_null(provision_policy_method(same, wanted));
    /* hasSymbol omitted means false: ZITADEL leaves zero values out. */
    assert_string_equal(provision_policy_method(other, wanted), "PUT");
    json_decref(wanted);
    json_decref(dflt);
    json_decref(same);
    json_decref(other);
}

static void password_has_every_class(void **state)
{
    char pw[64];

    (void)state;
    for (int round = 0; round < 50; round++) {
        assert_int_equal(provision_generate_password(pw, sizeof(pw), 20), HITO_OK);
        assert_int_equal(strlen(pw), 20);
        assert_non_null(strpbrk(pw, "ABCDEFGHJKLMNPQRSTUVWXYZ"));
        assert_non_null(strpbrk(pw, "abcdefghijkmnopqrstuvwxyz"));
        assert_non_null(strpbrk(pw, "23456789"));
        assert_non_null(strpbrk(pw, "!#%+-.:=?@^_"));
        assert_null(strpbrk(pw, "'\"$`\\"));
    }
    assert_int_equal(provision_generate_password(pw, 10, 20), HITO_ERR_INVALID);
}

static void outputs_round_trip_mode(void **state)
{
    char dir[] = "/tmp/hito-outputs-XXXXXX";
    char path[128];
    struct outputs *out = outputs_new(), *back = outputs_new();
    struct stat st;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/sub/zitadel.env", dir);
    assert_int_equal(outputs_set(out, "ZITADEL_B", "2"), HITO_OK);
    assert_int_equal(outputs_set(out, "ZITADEL_A", "a=b c"), HITO_OK);
    assert_int_equal(outputs_set(out, "ZITADEL_B", "3"), HITO_OK);
    assert_int_equal(outputs_save(out, path, NULL), HITO_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(outputs_load(back, path, NULL), HITO_OK);
    assert_string_equal(outputs_get(back, "ZITADEL_A"), "a=b c");
    assert_string_equal(outputs_get(back, "ZITADEL_B"), "3");
    assert_null(outputs_get(back, "ZITADEL_C"));
    unlink(path);
    snprintf(path, sizeof(path), "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
    outputs_free(out);
    outputs_free(back);
}

static void outputs_missing_file_is_empty(void **state)
{
    struct outputs *out = outputs_new();

    (void)state;
    assert_int_equal(outputs_load(out, "/nonexistent/zitadel.env", NULL), HITO_OK);
    assert_null(outputs_get(out, "ZITADEL_ORG_ID"));
    outputs_free(out);
}

static void outputs_bad_line_named(void **state)
{
    char path[] = "/tmp/hito-outputs-bad-XXXXXX";
    int fd = mkstemp(path);
    struct outputs *out = outputs_new();
    struct hito_error err = {0};

    (void)state;
    assert_true(write(fd, "A=1\nnot a pair\n", 15) == 15);
    close(fd);
    assert_int_equal(outputs_load(out, path, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, ":2: expected KEY=VALUE"));
    unlink(path);
    outputs_free(out);
}

/* Read replies: the org, a default policy and empty search results. */
#define READS_FIND_NOTHING                                                                         \
    "{\"org\":{\"id\":\"1\",\"name\":\"hito\"},\"policy\":{\"isDefault\":true},\"result\":[]}"
/* A 400 FAILED_PRECONDITION reply body, ZITADEL's NotChanged. */
#define NOT_CHANGED_BODY "{\"code\":9,\"message\":\"not changed (X-2)\"}"

static void run_with(struct fake *f, int plan, int *changes, int *rc, struct hito_error *err)
{
    struct zapi api;
    struct outputs *out = outputs_new();
    struct provision p = {0};
    FILE *log = fopen("/dev/null", "w");

    zapi_init(&api, "http://127.0.0.1:9", "token", NULL);
    api.transport = fake_send;
    api.transport_user = f;
    p.api = &api;
    p.model = load_model();
    p.model_dir = "zitadel";
    p.out = out;
    p.plan = plan;
    p.log = log;
    *rc = provision_run(&p, err);
    *changes = p.changes;
    json_decref(p.model);
    outputs_free(out);
    fclose(log);
}

static void plan_on_empty_instance_writes_nothing(void **state)
{
    struct fake f = {.status = 200, .body = "{\"org\":{\"id\":\"1\",\"name\":\"other\"}}"};
    struct hito_error err = {0};
    int changes, rc;

    (void)state;
    run_with(&f, 1, &changes, &rc, &err);
    assert_int_equal(rc, HITO_OK);
    assert_int_equal(f.writes, 0);
    /* org, 2 policies, project, every role, app, action, trigger and user. */
    assert_true(changes > 30);
}

/* Reads find nothing (and a default policy); every create gets 409. */
static void conflicts_count_as_no_change(void **state)
{
    struct fake f = {.status = 200,
                     .body = READS_FIND_NOTHING,
                     .write_status = 409,
                     .write_body = "{\"code\":6,\"message\":\"already exists (X-1)\"}"};
    struct hito_error err = {0};
    int changes, rc;

    (void)state;
    run_with(&f, 0, &changes, &rc, &err);
    assert_int_equal(rc, HITO_OK);
    assert_true(f.writes > 30);
    assert_int_equal(changes, 0);
}

/* A 400 FAILED_PRECONDITION on a create (not an update) is an error. */
static void precondition_on_create_fails(void **state)
{
    struct fake f = {.status = 200,
                     .body = READS_FIND_NOTHING,
                     .write_status = 400,
                     .write_body = NOT_CHANGED_BODY};
    struct hito_error err = {0};
    int changes, rc;

    (void)state;
    run_with(&f, 0, &changes, &rc, &err);
    assert_int_equal(rc, HITO_ERR_PROTOCOL);
    assert_string_equal(err.message, "set password complexity policy: HTTP 400: "
                                     "not changed (X-2)");
}

/* A policy that differs is updated with PUT; 400 FAILED_PRECONDITION is no change. */
static void precondition_on_update_unchanged(void **state)
{
    struct fake f = {.status = 200,
                     .body = "{\"org\":{\"id\":\"1\",\"name\":\"hito\"},"
                             "\"policy\":{\"minLength\":\"8\"},\"result\":[]}",
                     .write_status = 400,
                     .write_body = NOT_CHANGED_BODY};
    struct hito_error err = {0};
    int changes, rc;

    (void)state;
    run_with(&f, 0, &changes, &rc, &err);
    /* Both policies are PUT and unchanged; the project create then fails. */
    assert_int_equal(rc, HITO_ERR_PROTOCOL);
    assert_string_equal(f.last[2], "PUT /management/v1/policies/password/complexity");
    assert_string_equal(f.last[4], "PUT /management/v1/policies/lockout");
    assert_non_null(strstr(err.message, "create project \"hito platform\": HTTP 400"));
    assert_int_equal(changes, 0);
}

static void error_names_object_and_status(void **state)
{
    struct fake f = {.status = 403,
                     .body = "{\"code\":7,\"message\":"
                             "\"No matching permissions found (AUTH-5mWD2)\"}"};
    struct hito_error err = {0};
    int changes, rc;

    (void)state;
    run_with(&f, 0, &changes, &rc, &err);
    assert_int_equal(rc, HITO_ERR_AUTH);
    assert_string_equal(err.message, "read own organisation: HTTP 403: "
                                     "No matching permissions found (AUTH-5mWD2)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_loads_repository_file),
        cmocka_unit_test(model_unknown_include_named),
        cmocka_unit_test(model_missing_username_named),
        cmocka_unit_test(model_rejects_password),
        cmocka_unit_test(model_rejects_role_cycle),
        cmocka_unit_test(model_rejects_short_min_length),
        cmocka_unit_test(permissions_follow_hierarchy),
        cmocka_unit_test(classify_outcomes),
        cmocka_unit_test(policy_method_decisions),
        cmocka_unit_test(password_has_every_class),
        cmocka_unit_test(outputs_round_trip_mode),
        cmocka_unit_test(outputs_missing_file_is_empty),
        cmocka_unit_test(outputs_bad_line_named),
        cmocka_unit_test(plan_on_empty_instance_writes_nothing),
        cmocka_unit_test(conflicts_count_as_no_change),
        cmocka_unit_test(precondition_on_create_fails),
        cmocka_unit_test(precondition_on_update_unchanged),
        cmocka_unit_test(error_names_object_and_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * model.c - validation of zitadel/model.json.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A validation failure's location, e.g. "machineUsers[3].roles[0]". */
struct vpath {
    char text[256];
};

static int fail(struct hito_error *err, const char *path, const char *reason)
{
    return hito_error_set(err, HITO_ERR_INVALID, "%s: %s", path, reason);
}

static void sub_path(struct vpath *dst, const char *parent, const char *field, long index)
{
    if (index >= 0)
        snprintf(dst->text, sizeof(dst->text), "%s%s%s[%ld]", parent, parent[0] ? "." : "",
                 field, index);
    else
        snprintf(dst->text, sizeof(dst->text), "%s%s%s", parent, parent[0] ? "." : "", field);
}

/* Requires obj.field to be a non-empty string. */
static int need_string(json_t *obj, const char *parent, const char *field, struct hito_error *err)
{
    json_t *v = json_object_get(obj, field);
    struct vpath p;

    sub_path(&p, parent, field, -1);
    if (v == NULL)
        return fail(err, p.text, "missing");
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(err, p.text, "must be a non-empty string");
    return HITO_OK;
}

static int want_bool(json_t *obj, const char *parent, const char *field, struct hito_error *err)
{
    json_t *v = json_object_get(obj, field);
    struct vpath p;

    sub_path(&p, parent, field, -1);
    if (v != NULL && !json_is_boolean(v))
        return fail(err, p.text, "must be true or false");
    return HITO_OK;
}

static int need_array(json_t *obj, const char *parent, const char *field, int required,
                      struct hito_error *err)
{
    json_t *v = json_object_get(obj, field);
    struct vpath p;

    sub_path(&p, parent, field, -1);
    if (v == NULL)
        return required ? fail(err, p.text, "missing") : HITO_OK;
    if (!json_is_array(v))
        return fail(err, p.text, "must be an array");
    return HITO_OK;
}

static int check_output(json_t *obj, const char *parent, struct hito_error *err)
{
    const char *out = json_string_value(json_object_get(obj, "output"));
    struct vpath p;
    int rc;

    sub_path(&p, parent, "output", -1);
    if ((rc = need_string(obj, parent, "output", err)) != HITO_OK)
        return rc;
    for (const char *c = out; *c != '\0'; c++) {
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return fail(err, p.text, "must contain only A-Z, 0-9 and _");
    }
    return HITO_OK;
}

json_t *model_find_role(json_t *model, const char *role)
{
    size_t i;
    json_t *r;

    json_array_foreach(json_object_get(model, "roles"), i, r) {
        const char *key = json_string_value(json_object_get(r, "key"));

        if (key != NULL && strcmp(key, role) == 0)
            return r;
    }
    return NULL;
}

/* Every item of obj.field must be the key of a declared role. */
static int check_role_refs(json_t *model, json_t *obj, const char *parent, const char *field,
                           struct hito_error *err)
{
    json_t *list = json_object_get(obj, field), *item;
    struct vpath p;
    char reason[160];
    size_t i;
    int rc;

    if ((rc = need_array(obj, parent, field, 0, err)) != HITO_OK)
        return rc;
    json_array_foreach(list, i, item) {
        sub_path(&p, parent, field, (long)i);
        if (!json_is_string(item))
            return fail(err, p.text, "must be a role key string");
        if (model_find_role(model, json_string_value(item)) == NULL) {
            snprintf(reason, sizeof(reason), "unknown role \"%.100s\"", json_string_value(item));
            return fail(err, p.text, reason);
        }
    }
    return HITO_OK;
}

/* Walks includes depth-first; a chain deeper than the bound is a cycle. */
static int role_depth_ok(json_t *model, json_t *role, int depth)
{
    size_t i;
    json_t *inc;

    if (depth > MODEL_MAX_ROLE_DEPTH)
        return 0;
    json_array_foreach(json_object_get(role, "includes"), i, inc) {
        json_t *child = model_find_role(model, json_string_value(inc));

        if (child != NULL && !role_depth_ok(model, child, depth + 1))
            return 0;
    }
    return 1;
}

static int check_roles(json_t *model, struct hito_error *err)
{
    json_t *roles = json_object_get(model, "roles"), *role, *perm;
    struct vpath p, q;
    size_t i, j;
    int rc;

    if ((rc = need_array(model, "", "roles", 1, err)) != HITO_OK)
        return rc;
    if (json_array_size(roles) == 0 || json_array_size(roles) > MODEL_MAX_ROLES)
        return fail(err, "roles", "must list 1 to 64 roles");
    json_array_foreach(roles, i, role) {
        sub_path(&p, "", "roles", (long)i);
        if (!json_is_object(role))
            return fail(err, p.text, "must be an object");
        if ((rc = need_string(role, p.text, "key", err)) != HITO_OK ||
            (rc = need_string(role, p.text, "displayName", err)) != HITO_OK)
            return rc;
        if (model_find_role(model, json_string_value(json_object_get(role, "key"))) != role)
            return fail(err, p.text, "duplicate role key");
        if ((rc = check_role_refs(model, role, p.text, "includes", err)) != HITO_OK ||
            (rc = need_array(role, p.text, "permissions", 1, err)) != HITO_OK)
            return rc;
        json_array_foreach(json_object_get(role, "permissions"), j, perm) {
            sub_path(&q, p.text, "permissions", (long)j);
            if (!json_is_string(perm) || strchr(json_string_value(perm), ':') == NULL)
                return fail(err, q.text, "must be a \"resource:action\" string");
        }
        if (!role_depth_ok(model, role, 0))
            return fail(err, p.text, "includes form a cycle");
    }
    return HITO_OK;
}

static int check_policies(json_t *model, struct hito_error *err)
{
    json_t *pol = json_object_get(model, "policies");
    json_t *pc = json_object_get(pol, "passwordComplexity");
    json_t *lock = json_object_get(pol, "lockout");
    json_t *min = json_object_get(pc, "minLength");
    json_t *max = json_object_get(lock, "maxPasswordAttempts");
    static const char *const classes[] = {"hasUppercase", "hasLowercase", "hasNumber",
                                          "hasSymbol"};
    int rc;

    if (!json_is_object(pol))
        return fail(err, "policies", "missing or not an object");
    if (!json_is_object(pc))
        return fail(err, "policies.passwordComplexity", "missing or not an object");
    if (!json_is_integer(min) || json_integer_value(min) < 8 || json_integer_value(min) > 72)
        return fail(err, "policies.passwordComplexity.minLength", "must be an integer 8..72");
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        if ((rc = want_bool(pc, "policies.passwordComplexity", classes[i], err)) != HITO_OK)
            return rc;
    }
    if (!json_is_object(lock))
        return fail(err, "policies.lockout", "missing or not an object");
    if (!json_is_integer(max) || json_integer_value(max) < 0 || json_integer_value(max) > 100)
        return fail(err, "policies.lockout.maxPasswordAttempts",
                    "must be an integer 0..100 (0 turns lockout off)");
    return HITO_OK;
}

static int check_apps(json_t *model, struct hito_error *err)
{
    json_t *app;
    struct vpath p;
    size_t i;
    int rc;

    if ((rc = need_array(model, "", "apps", 1, err)) != HITO_OK)
        return rc;
    json_array_foreach(json_object_get(model, "apps"), i, app) {
        const char *type = json_string_value(json_object_get(app, "type"));

        sub_path(&p, "", "apps", (long)i);
        if ((rc = need_string(app, p.text, "name", err)) != HITO_OK ||
            (rc = need_string(app, p.text, "authMethodType", err)) != HITO_OK ||
            (rc = check_output(app, p.text, err)) != HITO_OK)
            return rc;
        if (type == NULL || (strcmp(type, "api") != 0 && strcmp(type, "oidc") != 0))
            return fail(err, p.text, "type must be \"api\" or \"oidc\"");
        if (strcmp(type, "oidc") != 0)
            continue;
        if ((rc = need_string(app, p.text, "appType", err)) != HITO_OK ||
            (rc = need_string(app, p.text, "accessTokenType", err)) != HITO_OK ||
            (rc = need_array(app, p.text, "redirectUris", 1, err)) != HITO_OK ||
            (rc = need_array(app, p.text, "grantTypes", 1, err)) != HITO_OK ||
            (rc = need_array(app, p.text, "responseTypes", 1, err)) != HITO_OK ||
            (rc = want_bool(app, p.text, "accessTokenRoleAssertion", err)) != HITO_OK ||
            (rc = want_bool(app, p.text, "idTokenRoleAssertion", err)) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

static int check_users(json_t *model, const char *field, int human, struct hito_error *err)
{
    json_t *user;
    struct vpath p;
    size_t i;
    int rc;

    if ((rc = need_array(model, "", field, 1, err)) != HITO_OK)
        return rc;
    json_array_foreach(json_object_get(model, field), i, user) {
        sub_path(&p, "", field, (long)i);
        if (!json_is_object(user))
            return fail(err, p.text, "must be an object");
        if ((rc = need_string(user, p.text, "userName", err)) != HITO_OK ||
            (rc = check_output(user, p.text, err)) != HITO_OK ||
            (rc = check_role_refs(model, user, p.text, "roles", err)) != HITO_OK)
            return rc;
        if (human && ((rc = need_string(user, p.text, "firstName", err)) != HITO_OK ||
                      (rc = need_string(user, p.text, "lastName", err)) != HITO_OK ||
                      (rc = need_string(user, p.text, "email", err)) != HITO_OK))
            return rc;
        if (human && json_object_get(user, "password") != NULL)
            return fail(err, p.text, "password must not be in the model: it is generated "
                                     "or read from HITO_TEST_USER_PASSWORD");
        if (!human && ((rc = need_string(user, p.text, "name", err)) != HITO_OK ||
                       (rc = want_bool(user, p.text, "clientSecret", err)) != HITO_OK ||
                       (rc = want_bool(user, p.text, "pat", err)) != HITO_OK))
            return rc;
    }
    return HITO_OK;
}

static int check_actions(json_t *model, struct hito_error *err)
{
    json_t *action, *trigger;
    struct vpath p, q;
    size_t i, j;
    int rc;

    if ((rc = need_array(model, "", "actions", 0, err)) != HITO_OK)
        return rc;
    json_array_foreach(json_object_get(model, "actions"), i, action) {
        sub_path(&p, "", "actions", (long)i);
        if ((rc = need_string(action, p.text, "name", err)) != HITO_OK ||
            (rc = need_string(action, p.text, "script", err)) != HITO_OK ||
            (rc = need_string(action, p.text, "timeout", err)) != HITO_OK ||
            (rc = check_output(action, p.text, err)) != HITO_OK ||
            (rc = need_array(action, p.text, "triggers", 1, err)) != HITO_OK)
            return rc;
        json_array_foreach(json_object_get(action, "triggers"), j, trigger) {
            sub_path(&q, p.text, "triggers", (long)j);
            if (!json_is_integer(json_object_get(trigger, "flowType")) ||
                !json_is_integer(json_object_get(trigger, "triggerType")))
                return fail(err, q.text, "needs integer flowType and triggerType");
        }
    }
    return HITO_OK;
}

int model_validate(json_t *model, struct hito_error *err)
{
    json_t *org = json_object_get(model, "org");
    json_t *project = json_object_get(model, "project");
    int rc;

    if (!json_is_object(model))
        return fail(err, "(root)", "must be an object");
    if (json_integer_value(json_object_get(model, "schemaVersion")) != 1)
        return fail(err, "schemaVersion", "must be 1");
    if (!json_is_object(org))
        return fail(err, "org", "missing or not an object");
    if ((rc = need_string(org, "org", "name", err)) != HITO_OK ||
        (rc = check_output(org, "org", err)) != HITO_OK)
        return rc;
    if (!json_is_object(project))
        return fail(err, "project", "missing or not an object");
    if ((rc = need_string(project, "project", "name", err)) != HITO_OK ||
        (rc = check_output(project, "project", err)) != HITO_OK ||
        (rc = want_bool(project, "project", "projectRoleAssertion", err)) != HITO_OK ||
        (rc = want_bool(project, "project", "projectRoleCheck", err)) != HITO_OK ||
        (rc = want_bool(project, "project", "hasProjectCheck", err)) != HITO_OK)
        return rc;
    if ((rc = check_policies(model, err)) != HITO_OK || (rc = check_roles(model, err)) != HITO_OK ||
        (rc = check_apps(model, err)) != HITO_OK ||
        (rc = check_users(model, "machineUsers", 0, err)) != HITO_OK ||
        (rc = check_users(model, "humanUsers", 1, err)) != HITO_OK ||
        (rc = check_actions(model, err)) != HITO_OK)
        return rc;
    return HITO_OK;
}

int model_load(const char *path, json_t **model, struct hito_error *err)
{
    json_error_t jerr;
    json_t *doc;
    int rc;

    *model = NULL;
    doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL)
        return hito_error_set(err, jerr.line < 0 ? HITO_ERR_IO : HITO_ERR_INVALID,
                              "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    rc = model_validate(doc, err);
    if (rc != HITO_OK) {
        char detail[HITO_ERROR_MESSAGE_MAX];

        snprintf(detail, sizeof(detail), "%s", err != NULL ? err->message : "");
        json_decref(doc);
        return hito_error_set(err, rc, "%s: %s", path, detail);
    }
    *model = doc;
    return HITO_OK;
}

static void add_permissions(json_t *model, json_t *role, json_t *set, int depth)
{
    size_t i;
    json_t *item;

    if (depth > MODEL_MAX_ROLE_DEPTH)
        return;
    json_array_foreach(json_object_get(role, "permissions"), i, item)
        json_object_set_new(set, json_string_value(item), json_true());
    json_array_foreach(json_object_get(role, "includes"), i, item) {
        json_t *child = model_find_role(model, json_string_value(item));

        if (child != NULL)
            add_permissions(model, child, set, depth + 1);
    }
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *model_role_permissions(json_t *model, const char *role)
{
    json_t *start = model_find_role(model, role), *set, *list, *unused;
    const char *names[256];
    const char *name;
    size_t n = 0;

    if (start == NULL)
        return NULL;
    set = json_object();
    add_permissions(model, start, set, 0);
    json_object_foreach(set, name, unused) {
        if (n < sizeof(names) / sizeof(names[0]))
            names[n++] = name;
    }
    qsort(names, n, sizeof(names[0]), compare_strings);
    list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(names[i]));
    json_decref(set);
    return list;
}

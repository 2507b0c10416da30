/*
 * provision.c - the provisioner's calls and the first steps: organisation,
 * policies, project, roles and applications. provision_actions.c and
 * provision_users.c hold the later steps; provision_run runs them all in
 * dependency order.
 */
#include "provision.h"
#include "provision_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

int provision_generate_password(char *buf, size_t size, size_t len)
{
    static const char *const classes[] = {"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz",
                                          "23456789", "!#%+-.:=?@^_"};
    /* Separate random bytes pick each character, its class and its swap. */
    unsigned char rnd[3 * PROVISION_MAX_PASSWORD_LEN];

    if (len < 4 || len >= size || len > PROVISION_MAX_PASSWORD_LEN)
        return HITO_ERR_INVALID;
    if (RAND_bytes(rnd, (int)(3 * len)) != 1)
        return HITO_ERR_IO;
    for (size_t i = 0; i < len; i++) {
        const char *set = classes[i < 4 ? i : rnd[len + i] % 4];

        buf[i] = set[rnd[i] % strlen(set)];
    }
    buf[len] = '\0';
    /* Move the four guaranteed characters to random places. */
    for (size_t i = 0; i < 4; i++) {
        size_t j = rnd[2 * len + i] % len;
        char t = buf[i];

        buf[i] = buf[j];
        buf[j] = t;
    }
    return HITO_OK;
}

long long provision_number(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v))
        return strtoll(json_string_value(v), NULL, 10);
    return 0;
}

int provision_value_equal(json_t *actual, json_t *wanted)
{
    /* An omitted field has its zero value: "", false, 0 or []. */
    if (actual == NULL && json_is_string(wanted))
        return json_string_length(wanted) == 0;
    if (json_is_boolean(wanted))
        return json_is_true(wanted) == json_is_true(actual);
    if (json_is_integer(wanted))
        return provision_number(actual) == json_integer_value(wanted);
    if (json_is_string(wanted))
        return json_is_string(actual) &&
               strcmp(json_string_value(actual), json_string_value(wanted)) == 0;
    if (actual == NULL)
        return json_is_array(wanted) && json_array_size(wanted) == 0;
    return json_equal(actual, wanted);
}

int provision_fields_match(json_t *actual, json_t *wanted)
{
    const char *key;
    json_t *value;

    json_object_foreach(wanted, key, value) {
        if (!provision_value_equal(json_object_get(actual, key), value))
            return 0;
    }
    return 1;
}

const char *provision_policy_method(json_t *current, json_t *wanted)
{
    if (current == NULL || json_is_true(json_object_get(current, "isDefault")))
        return "POST";
    return provision_fields_match(current, wanted) ? NULL : "PUT";
}

static int api_error(struct hito_error *err, const char *what, const struct zapi_response *res)
{
    int code = HITO_ERR_PROTOCOL;

    if (res->status == 401 || res->status == 403)
        code = HITO_ERR_AUTH;
    else if (res->status == 404)
        code = HITO_ERR_NOT_FOUND;
    return hito_error_set(err, code, "%s: HTTP %ld: %s", what, res->status,
                          res->message[0] != '\0' ? res->message : "(no message)");
}

int provision_read(struct provision *p, const char *what, const char *method, const char *path,
                   json_t *req, json_t **body, struct hito_error *err)
{
    struct zapi_response res;
    int rc = zapi_call(p->api, method, path, req, &res, err);

    *body = NULL;
    if (rc != HITO_OK)
        return rc;
    if (res.status < 200 || res.status >= 300) {
        rc = api_error(err, what, &res);
        zapi_response_free(&res);
        return rc;
    }
    *body = res.body;
    return HITO_OK;
}

int provision_write(struct provision *p, const char *what, const char *method, const char *path,
                    json_t *req, int update, json_t **body, struct hito_error *err)
{
    struct zapi_response res;
    int rc;

    if (body != NULL)
        *body = NULL;
    if (p->plan) {
        fprintf(p->log, "would %s\n", what);
        p->changes++;
        return HITO_OK;
    }
    if ((rc = zapi_call(p->api, method, path, req, &res, err)) != HITO_OK)
        return rc;
    switch (zapi_classify(&res, update)) {
    case ZAPI_CHANGED:
        fprintf(p->log, "done: %s\n", what);
        p->changes++;
        if (body != NULL) {
            *body = res.body;
            res.body = NULL;
        }
        break;
    case ZAPI_EXISTS:
        fprintf(p->log, "exists: %s\n", what);
        break;
    case ZAPI_UNCHANGED:
        fprintf(p->log, "unchanged: %s\n", what);
        break;
    case ZAPI_FAILED:
        rc = api_error(err, what, &res);
        break;
    }
    zapi_response_free(&res);
    return rc;
}

int provision_search_one(struct provision *p, const char *what, const char *path, json_t *query,
                         const char *field, const char *value, json_t **found,
                         struct hito_error *err)
{
    json_t *body = NULL, *item;
    size_t i;
    int rc;

    *found = NULL;
    rc = provision_read(p, what, "POST", path, query, &body, err);
    json_decref(query);
    if (rc != HITO_OK)
        return rc;
    json_array_foreach(json_object_get(body, "result"), i, item) {
        const char *v = json_string_value(json_object_get(item, field));

        if (v != NULL && strcmp(v, value) == 0) {
            *found = json_incref(item);
            break;
        }
    }
    json_decref(body);
    return HITO_OK;
}

json_t *provision_equals_query(const char *query_name, const char *field, const char *value)
{
    return json_pack("{s:[{s:{s:s,s:s}}]}", "queries", query_name, field, value, "method",
                     "TEXT_QUERY_METHOD_EQUALS");
}

int provision_set_output(struct provision *p, const char *prefix, const char *suffix,
                         const char *value, struct hito_error *err)
{
    char key[KEY_MAX_BYTES];

    if (value == NULL)
        return HITO_OK;
    snprintf(key, sizeof(key), "ZITADEL_%s%s%s", prefix, suffix[0] ? "_" : "", suffix);
    if (outputs_set(p->out, key, value) != HITO_OK)
        return hito_error_set(err, HITO_ERR_LIMIT, "cannot store output %s", key);
    return HITO_OK;
}

const char *provision_get_output(struct provision *p, const char *prefix, const char *suffix)
{
    char key[KEY_MAX_BYTES];

    snprintf(key, sizeof(key), "ZITADEL_%s%s%s", prefix, suffix[0] ? "_" : "", suffix);
    return outputs_get(p->out, key);
}

const char *provision_str(json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL ? s : "";
}

void provision_copy_id(char *dst, json_t *obj, const char *field)
{
    const char *id = json_string_value(json_object_get(obj, field));

    snprintf(dst, 64, "%s", id != NULL ? id : "");
}

static int step_org(struct provision *p, struct hito_error *err)
{
    json_t *org = json_object_get(p->model, "org"), *me = NULL, *found = NULL, *made = NULL;
    const char *name = json_string_value(json_object_get(org, "name"));
    const char *out = json_string_value(json_object_get(org, "output"));
    char what[WHAT_MAX_BYTES];
    int rc;

    if ((rc = provision_read(p, "read own organisation", "GET", "/management/v1/orgs/me", NULL, &me,
                             err)) != HITO_OK)
        return rc;
    if (strcmp(provision_str(json_object_get(json_object_get(me, "org"), "name")), name) == 0)
        provision_copy_id(p->org_id, json_object_get(me, "org"), "id");
    json_decref(me);
    if (p->org_id[0] == '\0') {
        rc = provision_search_one(p, "search organisations", "/admin/v1/orgs/_search",
                                  provision_equals_query("nameQuery", "name", name), "name", name,
                                  &found, err);
        if (rc != HITO_OK)
            return rc;
        provision_copy_id(p->org_id, found, "id");
        json_decref(found);
    }
    if (p->org_id[0] == '\0') {
        snprintf(what, sizeof(what), "create organisation \"%s\"", name);
        json_t *req = json_pack("{s:s}", "name", name);

        rc = provision_write(p, what, "POST", "/management/v1/orgs", req, 0, &made, err);
        json_decref(req);
        provision_copy_id(p->org_id, made, "id");
        json_decref(made);
        if (rc != HITO_OK)
            return rc;
    }
    if (p->org_id[0] != '\0')
        zapi_set_org(p->api, p->org_id);
    return provision_set_output(p, out, "ID", p->org_id[0] ? p->org_id : NULL, err);
}

static int ensure_policy(struct provision *p, const char *label, const char *path, json_t *wanted,
                         struct hito_error *err)
{
    json_t *body = NULL;
    const char *method;
    char what[WHAT_MAX_BYTES];
    int rc;

    if (p->org_id[0] == '\0') {
        snprintf(what, sizeof(what), "set %s policy", label);
        return provision_write(p, what, "POST", path, NULL, 0, NULL, err);
    }
    if ((rc = provision_read(p, label, "GET", path, NULL, &body, err)) != HITO_OK)
        return rc;
    method = provision_policy_method(json_object_get(body, "policy"), wanted);
    json_decref(body);
    if (method == NULL)
        return HITO_OK;
    snprintf(what, sizeof(what), "%s %s policy", strcmp(method, "POST") == 0 ? "set" : "update",
             label);
    return provision_write(p, what, method, path, wanted, strcmp(method, "PUT") == 0, NULL, err);
}

static int step_policies(struct provision *p, struct hito_error *err)
{
    json_t *pol = json_object_get(p->model, "policies");
    int rc;

    rc = ensure_policy(p, "password complexity", "/management/v1/policies/password/complexity",
                       json_object_get(pol, "passwordComplexity"), err);
    if (rc != HITO_OK)
        return rc;
    return ensure_policy(p, "lockout", "/management/v1/policies/lockout",
                         json_object_get(pol, "lockout"), err);
}

static json_t *project_fields(json_t *project)
{
    json_t *fields = json_deep_copy(project);

    json_object_del(fields, "output");
    return fields;
}

static int step_project(struct provision *p, struct hito_error *err)
{
    json_t *project = json_object_get(p->model, "project");
    const char *name = json_string_value(json_object_get(project, "name"));
    json_t *found = NULL, *made = NULL, *wanted = project_fields(project);
    char what[WHAT_MAX_BYTES], path[PATH_MAX_BYTES];
    int rc = HITO_OK;

    if (p->org_id[0] != '\0')
        rc = provision_search_one(p, "search projects", "/management/v1/projects/_search",
                                  provision_equals_query("nameQuery", "name", name), "name", name,
                                  &found, err);
    if (rc != HITO_OK)
        goto out;
    if (found == NULL) {
        snprintf(what, sizeof(what), "create project \"%s\"", name);
        rc = provision_write(p, what, "POST", "/management/v1/projects", wanted, 0, &made, err);
        provision_copy_id(p->project_id, made, "id");
        goto out;
    }
    provision_copy_id(p->project_id, found, "id");
    if (!provision_fields_match(found, wanted)) {
        snprintf(what, sizeof(what), "update project \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/projects/%s", p->project_id);
        rc = provision_write(p, what, "PUT", path, wanted, 1, NULL, err);
    }
out:
    json_decref(found);
    json_decref(made);
    json_decref(wanted);
    if (rc == HITO_OK && p->project_id[0] != '\0')
        rc = provision_set_output(p, json_string_value(json_object_get(project, "output")), "ID",
                                  p->project_id, err);
    return rc;
}

static int step_roles(struct provision *p, struct hito_error *err)
{
    json_t *existing = NULL, *role, *wanted;
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    size_t i, j;
    int rc = HITO_OK;

    if (p->project_id[0] != '\0') {
        snprintf(path, sizeof(path), "/management/v1/projects/%s/roles/_search", p->project_id);
        if ((rc = provision_read(p, "search roles", "POST", path, NULL, &existing, err)) != HITO_OK)
            return rc;
    }
    json_array_foreach(json_object_get(p->model, "roles"), i, role) {
        const char *key = json_string_value(json_object_get(role, "key"));
        json_t *have = NULL, *item;

        json_array_foreach(json_object_get(existing, "result"), j, item) {
            if (strcmp(provision_str(json_object_get(item, "key")), key) == 0)
                have = item;
        }
        wanted = json_pack("{s:s,s:s,s:s}", "roleKey", key, "displayName",
                           json_string_value(json_object_get(role, "displayName")), "group",
                           provision_str(json_object_get(role, "group")));
        if (have == NULL) {
            snprintf(what, sizeof(what), "create role \"%s\"", key);
            snprintf(path, sizeof(path), "/management/v1/projects/%s/roles", p->project_id);
            rc = provision_write(p, what, "POST", path, wanted, 0, NULL, err);
        } else if (!provision_value_equal(json_object_get(have, "displayName"),
                                          json_object_get(wanted, "displayName")) ||
                   !provision_value_equal(json_object_get(have, "group"),
                                          json_object_get(wanted, "group"))) {
            snprintf(what, sizeof(what), "update role \"%s\"", key);
            snprintf(path, sizeof(path), "/management/v1/projects/%s/roles/%s", p->project_id, key);
            json_object_del(wanted, "roleKey");
            rc = provision_write(p, what, "PUT", path, wanted, 1, NULL, err);
        }
        json_decref(wanted);
        if (rc != HITO_OK)
            break;
    }
    json_decref(existing);
    return rc;
}

/* The OIDC settings sent on create and compared on later runs. */
static json_t *oidc_fields(json_t *app)
{
    static const char *const keys[] = {"redirectUris",
                                       "postLogoutRedirectUris",
                                       "responseTypes",
                                       "grantTypes",
                                       "appType",
                                       "authMethodType",
                                       "accessTokenType",
                                       "accessTokenRoleAssertion",
                                       "idTokenRoleAssertion",
                                       "devMode"};
    json_t *fields = json_object();

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(app, keys[i]);

        if (v != NULL)
            json_object_set(fields, keys[i], v);
    }
    return fields;
}

static int store_app_outputs(struct provision *p, const char *out, json_t *resp, json_t *found,
                             struct hito_error *err)
{
    json_t *cfg = json_object_get(found, "oidcConfig");
    const char *app_id = json_string_value(json_object_get(resp, "appId"));
    const char *client_id = json_string_value(json_object_get(resp, "clientId"));
    const char *secret = json_string_value(json_object_get(resp, "clientSecret"));
    int rc;

    if (cfg == NULL)
        cfg = json_object_get(found, "apiConfig");
    if (app_id == NULL)
        app_id = json_string_value(json_object_get(found, "id"));
    if (client_id == NULL)
        client_id = json_string_value(json_object_get(cfg, "clientId"));
    if ((rc = provision_set_output(p, out, "APP_ID", app_id, err)) != HITO_OK ||
        (rc = provision_set_output(p, out, "CLIENT_ID", client_id, err)) != HITO_OK)
        return rc;
    return provision_set_output(p, out, "CLIENT_SECRET",
                                secret != NULL && secret[0] ? secret : NULL, err);
}

static int ensure_app(struct provision *p, json_t *app, json_t *existing, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(app, "name"));
    const char *out = json_string_value(json_object_get(app, "output"));
    int is_api = strcmp(json_string_value(json_object_get(app, "type")), "api") == 0;
    json_t *found = NULL, *item, *resp = NULL, *wanted;
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    size_t i;
    int rc = HITO_OK;

    json_array_foreach(json_object_get(existing, "result"), i, item) {
        if (strcmp(provision_str(json_object_get(item, "name")), name) == 0)
            found = item;
    }
    if (is_api)
        wanted = json_pack("{s:s,s:O}", "name", name, "authMethodType",
                           json_object_get(app, "authMethodType"));
    else
        wanted = oidc_fields(app);
    if (found == NULL) {
        json_object_set_new(wanted, "name", json_string(name));
        snprintf(what, sizeof(what), "create %s application \"%s\"", is_api ? "API" : "OIDC", name);
        snprintf(path, sizeof(path), "/management/v1/projects/%s/apps/%s", p->project_id,
                 is_api ? "api" : "oidc");
        rc = provision_write(p, what, "POST", path, wanted, 0, &resp, err);
    } else if (!is_api && !provision_fields_match(json_object_get(found, "oidcConfig"), wanted)) {
        snprintf(what, sizeof(what), "update OIDC application \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/projects/%s/apps/%s/oidc_config",
                 p->project_id, json_string_value(json_object_get(found, "id")));
        rc = provision_write(p, what, "PUT", path, wanted, 1, NULL, err);
    } else if (is_api && provision_get_output(p, out, "CLIENT_SECRET") == NULL) {
        /* The secret is shown only once; without it in the outputs, make a new one. */
        snprintf(what, sizeof(what), "generate client secret of API application \"%s\"", name);
        snprintf(path, sizeof(path),
                 "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret",
                 p->project_id, json_string_value(json_object_get(found, "id")));
        rc = provision_write(p, what, "POST", path, NULL, 0, &resp, err);
    }
    if (rc == HITO_OK)
        rc = store_app_outputs(p, out, resp, found, err);
    json_decref(wanted);
    json_decref(resp);
    return rc;
}

static int step_apps(struct provision *p, struct hito_error *err)
{
    json_t *existing = NULL, *app;
    char path[PATH_MAX_BYTES];
    size_t i;
    int rc = HITO_OK;

    if (p->project_id[0] != '\0') {
        snprintf(path, sizeof(path), "/management/v1/projects/%s/apps/_search", p->project_id);
        if ((rc = provision_read(p, "search applications", "POST", path, NULL, &existing, err)) !=
            HITO_OK)
            return rc;
    }
    json_array_foreach(json_object_get(p->model, "apps"), i, app) {
        if ((rc = ensure_app(p, app, existing, err)) != HITO_OK)
            break;
    }
    json_decref(existing);
    return rc;
}

int provision_run(struct provision *p, struct hito_error *err)
{
    int (*const steps[])(struct provision *, struct hito_error *) = {
        step_org,  step_policies,          step_project,         step_roles,
        step_apps, provision_step_actions, provision_step_users,
    };
    int rc;

    p->changes = 0;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if ((rc = steps[i](p, err)) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

/*
 * provision.c - the provisioning steps, in dependency order: organisation,
 * policies, project, roles, applications, actions and flows, machine users,
 * human users.
 */
#include "provision.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#define PATH_MAX_BYTES 512
#define WHAT_MAX_BYTES 256
#define KEY_MAX_BYTES 128

int provision_generate_password(char *buf, size_t size, size_t len)
{
    static const char *const classes[] = {"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz",
                                          "23456789", "!#%+-.:=?@^_"};
    unsigned char rnd[128];

    if (len < 4 || len >= size || len > sizeof(rnd))
        return HITO_ERR_INVALID;
    if (RAND_bytes(rnd, (int)len) != 1)
        return HITO_ERR_IO;
    for (size_t i = 0; i < len; i++) {
        const char *set = classes[i < 4 ? i : rnd[i] % 4];

        buf[i] = set[rnd[i] % strlen(set)];
    }
    buf[len] = '\0';
    /* Swap the four guaranteed characters to random places. */
    for (size_t i = 0; i < 4; i++) {
        size_t j = rnd[(i + 7) % len] % len;
        char t = buf[i];

        buf[i] = buf[j];
        buf[j] = t;
    }
    return HITO_OK;
}

/* ZITADEL writes 64-bit numbers as strings and omits zero values. */
static long long json_number_of(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v))
        return strtoll(json_string_value(v), NULL, 10);
    return 0;
}

static int json_equal_loose(json_t *actual, json_t *wanted)
{
    /* An omitted field has its zero value: "", false, 0 or []. */
    if (actual == NULL && json_is_string(wanted))
        return json_string_length(wanted) == 0;
    if (json_is_boolean(wanted))
        return json_is_true(wanted) == json_is_true(actual);
    if (json_is_integer(wanted))
        return json_number_of(actual) == json_integer_value(wanted);
    if (json_is_string(wanted))
        return json_is_string(actual) && strcmp(json_string_value(actual),
                                                json_string_value(wanted)) == 0;
    if (actual == NULL)
        return json_is_array(wanted) && json_array_size(wanted) == 0;
    return json_equal(actual, wanted);
}

/* Returns nonzero when every key of wanted has an equal value in actual. */
static int fields_match(json_t *actual, json_t *wanted)
{
    const char *key;
    json_t *value;

    json_object_foreach(wanted, key, value) {
        if (!json_equal_loose(json_object_get(actual, key), value))
            return 0;
    }
    return 1;
}

const char *provision_policy_method(json_t *current, json_t *wanted)
{
    if (current == NULL || json_is_true(json_object_get(current, "isDefault")))
        return "POST";
    return fields_match(current, wanted) ? NULL : "PUT";
}

static int api_error(struct hito_error *err, const char *what, const struct zapi_response *res)
{
    int code = res->status == 401 || res->status == 403 ? HITO_ERR_AUTH
             : res->status == 404                        ? HITO_ERR_NOT_FOUND
                                                         : HITO_ERR_PROTOCOL;

    return hito_error_set(err, code, "%s: HTTP %ld: %s", what, res->status,
                          res->message[0] != '\0' ? res->message : "(no message)");
}

/* Sends a read; the body (a new reference, may be NULL) goes to *body. */
static int read_call(struct provision *p, const char *what, const char *method, const char *path,
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

/*
 * Sends a write (or, with plan, only reports it). *body receives the
 * response of a 2xx write, else NULL. update selects the "nothing changed"
 * rule of zapi_classify.
 */
static int write_call(struct provision *p, const char *what, const char *method,
                      const char *path, json_t *req, int update, json_t **body,
                      struct hito_error *err)
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

/*
 * Searches path with a query and returns (new reference) the first result
 * whose field equals value, or NULL.
 */
static int search_one(struct provision *p, const char *what, const char *path, json_t *query,
                      const char *field, const char *value, json_t **found,
                      struct hito_error *err)
{
    json_t *body = NULL, *item;
    size_t i;
    int rc;

    *found = NULL;
    rc = read_call(p, what, "POST", path, query, &body, err);
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

static json_t *equals_query(const char *query_name, const char *field, const char *value)
{
    return json_pack("{s:[{s:{s:s,s:s}}]}", "queries", query_name, field, value, "method",
                     "TEXT_QUERY_METHOD_EQUALS");
}

static int set_output(struct provision *p, const char *prefix, const char *suffix,
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

static const char *get_output(struct provision *p, const char *prefix, const char *suffix)
{
    char key[KEY_MAX_BYTES];

    snprintf(key, sizeof(key), "ZITADEL_%s%s%s", prefix, suffix[0] ? "_" : "", suffix);
    return outputs_get(p->out, key);
}

static const char *str_or_empty(json_t *v)
{
    const char *s = json_string_value(v);

    return s != NULL ? s : "";
}

/* Copies the string id at field of obj into dst (size 64). */
static void copy_id(char *dst, json_t *obj, const char *field)
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

    if ((rc = read_call(p, "read own organisation", "GET", "/management/v1/orgs/me", NULL, &me,
                        err)) != HITO_OK)
        return rc;
    if (strcmp(str_or_empty(json_object_get(json_object_get(me, "org"), "name")),
               name) == 0)
        copy_id(p->org_id, json_object_get(me, "org"), "id");
    json_decref(me);
    if (p->org_id[0] == '\0') {
        rc = search_one(p, "search organisations", "/admin/v1/orgs/_search",
                        equals_query("nameQuery", "name", name), "name", name, &found, err);
        if (rc != HITO_OK)
            return rc;
        copy_id(p->org_id, found, "id");
        json_decref(found);
    }
    if (p->org_id[0] == '\0') {
        snprintf(what, sizeof(what), "create organisation \"%s\"", name);
        json_t *req = json_pack("{s:s}", "name", name);

        rc = write_call(p, what, "POST", "/management/v1/orgs", req, 0, &made, err);
        json_decref(req);
        copy_id(p->org_id, made, "id");
        json_decref(made);
        if (rc != HITO_OK)
            return rc;
    }
    if (p->org_id[0] != '\0')
        zapi_set_org(p->api, p->org_id);
    return set_output(p, out, "ID", p->org_id[0] ? p->org_id : NULL, err);
}

static int ensure_policy(struct provision *p, const char *label, const char *path,
                         json_t *wanted, struct hito_error *err)
{
    json_t *body = NULL;
    const char *method;
    char what[WHAT_MAX_BYTES];
    int rc;

    if (p->org_id[0] == '\0') {
        snprintf(what, sizeof(what), "set %s policy", label);
        return write_call(p, what, "POST", path, NULL, 0, NULL, err);
    }
    if ((rc = read_call(p, label, "GET", path, NULL, &body, err)) != HITO_OK)
        return rc;
    method = provision_policy_method(json_object_get(body, "policy"), wanted);
    json_decref(body);
    if (method == NULL)
        return HITO_OK;
    snprintf(what, sizeof(what), "%s %s policy", strcmp(method, "POST") == 0 ? "set" : "update",
             label);
    return write_call(p, what, method, path, wanted, strcmp(method, "PUT") == 0, NULL, err);
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
        rc = search_one(p, "search projects", "/management/v1/projects/_search",
                        equals_query("nameQuery", "name", name), "name", name, &found, err);
    if (rc != HITO_OK)
        goto out;
    if (found == NULL) {
        snprintf(what, sizeof(what), "create project \"%s\"", name);
        rc = write_call(p, what, "POST", "/management/v1/projects", wanted, 0, &made, err);
        copy_id(p->project_id, made, "id");
        goto out;
    }
    copy_id(p->project_id, found, "id");
    if (!fields_match(found, wanted)) {
        snprintf(what, sizeof(what), "update project \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/projects/%s", p->project_id);
        rc = write_call(p, what, "PUT", path, wanted, 1, NULL, err);
    }
out:
    json_decref(found);
    json_decref(made);
    json_decref(wanted);
    if (rc == HITO_OK && p->project_id[0] != '\0')
        rc = set_output(p, json_string_value(json_object_get(project, "output")), "ID",
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
        if ((rc = read_call(p, "search roles", "POST", path, NULL, &existing, err)) !=
            HITO_OK)
            return rc;
    }
    json_array_foreach(json_object_get(p->model, "roles"), i, role) {
        const char *key = json_string_value(json_object_get(role, "key"));
        json_t *have = NULL, *item;

        json_array_foreach(json_object_get(existing, "result"), j, item) {
            if (strcmp(str_or_empty(json_object_get(item, "key")), key) == 0)
                have = item;
        }
        wanted = json_pack("{s:s,s:s,s:s}", "roleKey", key, "displayName",
                           json_string_value(json_object_get(role, "displayName")), "group",
                           str_or_empty(json_object_get(role, "group")));
        if (have == NULL) {
            snprintf(what, sizeof(what), "create role \"%s\"", key);
            snprintf(path, sizeof(path), "/management/v1/projects/%s/roles", p->project_id);
            rc = write_call(p, what, "POST", path, wanted, 0, NULL, err);
        } else if (!json_equal_loose(json_object_get(have, "displayName"),
                                     json_object_get(wanted, "displayName")) ||
                   !json_equal_loose(json_object_get(have, "group"),
                                     json_object_get(wanted, "group"))) {
            snprintf(what, sizeof(what), "update role \"%s\"", key);
            snprintf(path, sizeof(path), "/management/v1/projects/%s/roles/%s", p->project_id, key);
            json_object_del(wanted, "roleKey");
            rc = write_call(p, what, "PUT", path, wanted, 1, NULL, err);
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
    static const char *const keys[] = {"redirectUris", "postLogoutRedirectUris", "responseTypes",
                                       "grantTypes", "appType", "authMethodType",
                                       "accessTokenType", "accessTokenRoleAssertion",
                                       "idTokenRoleAssertion", "devMode"};
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
    if ((rc = set_output(p, out, "APP_ID", app_id, err)) != HITO_OK ||
        (rc = set_output(p, out, "CLIENT_ID", client_id, err)) != HITO_OK)
        return rc;
    return set_output(p, out, "CLIENT_SECRET", secret != NULL && secret[0] ? secret : NULL, err);
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
        if (strcmp(str_or_empty(json_object_get(item, "name")), name) == 0)
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
        rc = write_call(p, what, "POST", path, wanted, 0, &resp, err);
    } else if (!is_api && !fields_match(json_object_get(found, "oidcConfig"), wanted)) {
        snprintf(what, sizeof(what), "update OIDC application \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/projects/%s/apps/%s/oidc_config",
                 p->project_id, json_string_value(json_object_get(found, "id")));
        rc = write_call(p, what, "PUT", path, wanted, 1, NULL, err);
    } else if (is_api && get_output(p, out, "CLIENT_SECRET") == NULL) {
        /* The secret is shown only once; without it in the outputs, make a new one. */
        snprintf(what, sizeof(what), "generate client secret of API application \"%s\"", name);
        snprintf(path, sizeof(path),
                 "/management/v1/projects/%s/apps/%s/api_config/_generate_client_secret",
                 p->project_id, json_string_value(json_object_get(found, "id")));
        rc = write_call(p, what, "POST", path, NULL, 0, &resp, err);
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
        if ((rc = read_call(p, "search applications", "POST", path, NULL, &existing,
                            err)) != HITO_OK)
            return rc;
    }
    json_array_foreach(json_object_get(p->model, "apps"), i, app) {
        if ((rc = ensure_app(p, app, existing, err)) != HITO_OK)
            break;
    }
    json_decref(existing);
    return rc;
}

static char *read_script(struct provision *p, const char *rel, struct hito_error *err)
{
    char path[PATH_MAX_BYTES];
    char *buf = NULL;
    size_t len;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", p->model_dir, rel);
    f = fopen(path, "r");
    if (f == NULL) {
        hito_error_set(err, HITO_ERR_IO, "action script %s: cannot open", path);
        return NULL;
    }
    buf = malloc(PROVISION_MAX_SCRIPT_BYTES + 1);
    len = buf != NULL ? fread(buf, 1, PROVISION_MAX_SCRIPT_BYTES + 1, f) : 0;
    fclose(f);
    if (buf == NULL || len > PROVISION_MAX_SCRIPT_BYTES) {
        free(buf);
        hito_error_set(err, HITO_ERR_LIMIT, "action script %s: larger than %d bytes", path,
                       PROVISION_MAX_SCRIPT_BYTES);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Accepts a trigger type as {"id":"5"}, "5", 5 or an object with a numeric id. */
static int trigger_matches(json_t *type, long trigger)
{
    if (json_is_object(type))
        type = json_object_get(type, "id");
    return json_number_of(type) == trigger;
}

static int ensure_trigger(struct provision *p, const char *action_id, json_t *trigger,
                          const char *name, struct hito_error *err)
{
    long flow = (long)json_integer_value(json_object_get(trigger, "flowType"));
    long type = (long)json_integer_value(json_object_get(trigger, "triggerType"));
    json_t *body = NULL, *ids = json_array(), *ta, *act, *req;
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    size_t i, j;
    int present = 0, rc = HITO_OK;

    if (action_id != NULL) {
        snprintf(path, sizeof(path), "/management/v1/flows/%ld", flow);
        if ((rc = read_call(p, "read flow", "GET", path, NULL, &body, err)) != HITO_OK)
            goto out;
    }
    json_array_foreach(json_object_get(json_object_get(body, "flow"), "triggerActions"), i, ta) {
        if (!trigger_matches(json_object_get(ta, "triggerType"), type))
            continue;
        json_array_foreach(json_object_get(ta, "actions"), j, act) {
            const char *id = json_string_value(json_object_get(act, "id"));

            if (id == NULL)
                continue;
            present |= strcmp(id, action_id) == 0;
            json_array_append_new(ids, json_string(id));
        }
    }
    if (present)
        goto out;
    json_array_append_new(ids, json_string(action_id != NULL ? action_id : "(new)"));
    snprintf(what, sizeof(what), "set action \"%s\" on flow %ld trigger %ld", name, flow, type);
    snprintf(path, sizeof(path), "/management/v1/flows/%ld/trigger/%ld", flow, type);
    req = json_pack("{s:O}", "actionIds", ids);
    rc = write_call(p, what, "POST", path, req, 1, NULL, err);
    json_decref(req);
out:
    json_decref(body);
    json_decref(ids);
    return rc;
}

static int ensure_action(struct provision *p, json_t *action, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(action, "name"));
    const char *out = json_string_value(json_object_get(action, "output"));
    char *script = read_script(p, json_string_value(json_object_get(action, "script")), err);
    json_t *found = NULL, *made = NULL, *wanted = NULL, *trigger;
    char what[WHAT_MAX_BYTES], path[PATH_MAX_BYTES], id[64] = "";
    size_t i;
    int rc = HITO_OK;

    if (script == NULL)
        return err != NULL ? err->code : HITO_ERR_IO;
    wanted = json_pack("{s:s,s:s,s:O,s:b}", "name", name, "script", script, "timeout",
                       json_object_get(action, "timeout"), "allowedToFail",
                       json_is_true(json_object_get(action, "allowedToFail")));
    if (p->org_id[0] != '\0')
        rc = search_one(p, "search actions", "/management/v1/actions/_search",
                        equals_query("actionNameQuery", "name", name), "name", name, &found, err);
    if (rc != HITO_OK)
        goto out;
    copy_id(id, found, "id");
    if (found == NULL) {
        snprintf(what, sizeof(what), "create action \"%s\"", name);
        rc = write_call(p, what, "POST", "/management/v1/actions", wanted, 0, &made, err);
        copy_id(id, made, "id");
    } else if (!fields_match(found, wanted)) {
        snprintf(what, sizeof(what), "update action \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/actions/%s", id);
        rc = write_call(p, what, "PUT", path, wanted, 1, NULL, err);
    }
    if (rc != HITO_OK)
        goto out;
    json_array_foreach(json_object_get(action, "triggers"), i, trigger) {
        if ((rc = ensure_trigger(p, id[0] ? id : NULL, trigger, name, err)) != HITO_OK)
            goto out;
    }
    rc = set_output(p, out, "ID", id[0] ? id : NULL, err);
out:
    free(script);
    json_decref(found);
    json_decref(made);
    json_decref(wanted);
    return rc;
}

static int step_actions(struct provision *p, struct hito_error *err)
{
    json_t *action;
    size_t i;
    int rc;

    json_array_foreach(json_object_get(p->model, "actions"), i, action) {
        if ((rc = ensure_action(p, action, err)) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

static int ensure_grant(struct provision *p, const char *user_id, json_t *user,
                        struct hito_error *err)
{
    json_t *roles = json_object_get(user, "roles"), *query, *found = NULL, *body = NULL, *item;
    const char *name = json_string_value(json_object_get(user, "userName"));
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    size_t i;
    int rc = HITO_OK;

    if (json_array_size(roles) == 0)
        return HITO_OK;
    if (user_id != NULL && p->project_id[0] != '\0') {
        query = json_pack("{s:[{s:{s:s}},{s:{s:s}}]}", "queries", "userIdQuery", "userId",
                          user_id, "projectIdQuery", "projectId", p->project_id);
        rc = read_call(p, "search grants", "POST", "/management/v1/users/grants/_search", query,
                       &body, err);
        json_decref(query);
        if (rc != HITO_OK)
            return rc;
        json_array_foreach(json_object_get(body, "result"), i, item)
            found = item;
    }
    query = json_pack("{s:s,s:O}", "projectId", p->project_id, "roleKeys", roles);
    if (found == NULL) {
        snprintf(what, sizeof(what), "grant roles to \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/grants", user_id ? user_id : "-");
        rc = write_call(p, what, "POST", path, query, 0, NULL, err);
    } else if (!json_equal_loose(json_object_get(found, "roleKeys"), roles)) {
        snprintf(what, sizeof(what), "update roles of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/grants/%s", user_id,
                 json_string_value(json_object_get(found, "id")));
        json_object_del(query, "projectId");
        rc = write_call(p, what, "PUT", path, query, 1, NULL, err);
    }
    json_decref(query);
    json_decref(body);
    return rc;
}

static int find_user(struct provision *p, const char *name, json_t **found,
                     struct hito_error *err)
{
    *found = NULL;
    if (p->org_id[0] == '\0')
        return HITO_OK;
    return search_one(p, "search users", "/management/v1/users/_search",
                      equals_query("userNameQuery", "userName", name), "userName", name, found,
                      err);
}

/* Generates a client secret, a PAT and IAM roles the outputs still lack. */
static int machine_credentials(struct provision *p, json_t *user, const char *id,
                               struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(user, "userName"));
    const char *out = json_string_value(json_object_get(user, "output"));
    json_t *resp = NULL, *req;
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    int rc = HITO_OK;

    /* Each PUT .../secret returns a new secret: only when the outputs lack one. */
    if (json_is_true(json_object_get(user, "clientSecret")) &&
        get_output(p, out, "CLIENT_SECRET") == NULL) {
        snprintf(what, sizeof(what), "generate client secret of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/secret", id ? id : "-");
        if ((rc = write_call(p, what, "PUT", path, NULL, 0, &resp, err)) != HITO_OK)
            return rc;
        rc = set_output(p, out, "CLIENT_SECRET",
                        json_string_value(json_object_get(resp, "clientSecret")), err);
        json_decref(resp);
        resp = NULL;
    }
    if (rc == HITO_OK && json_is_true(json_object_get(user, "pat")) &&
        get_output(p, out, "PAT") == NULL) {
        snprintf(what, sizeof(what), "create personal access token of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/pats", id ? id : "-");
        if ((rc = write_call(p, what, "POST", path, NULL, 0, &resp, err)) != HITO_OK)
            return rc;
        rc = set_output(p, out, "PAT", json_string_value(json_object_get(resp, "token")), err);
        json_decref(resp);
    }
    if (rc == HITO_OK && json_array_size(json_object_get(user, "iamMemberRoles")) > 0 &&
        get_output(p, out, "IAM_MEMBER") == NULL) {
        snprintf(what, sizeof(what), "make \"%s\" an instance member", name);
        req = json_pack("{s:s,s:O}", "userId", id ? id : "-", "roles",
                        json_object_get(user, "iamMemberRoles"));
        rc = write_call(p, what, "POST", "/admin/v1/members", req, 0, NULL, err);
        json_decref(req);
        if (rc == HITO_OK && !p->plan)
            rc = set_output(p, out, "IAM_MEMBER", "yes", err);
    }
    return rc;
}

static int ensure_machine(struct provision *p, json_t *user, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(user, "userName"));
    const char *out = json_string_value(json_object_get(user, "output"));
    const char *desc = json_string_value(json_object_get(user, "description"));
    json_t *found = NULL, *made = NULL, *wanted;
    char what[WHAT_MAX_BYTES], path[PATH_MAX_BYTES], id[64] = "";
    const char *login;
    int rc;

    wanted = json_pack("{s:s,s:s,s:s}", "name", json_string_value(json_object_get(user, "name")),
                       "description", desc != NULL ? desc : "", "accessTokenType",
                       "ACCESS_TOKEN_TYPE_JWT");
    if ((rc = find_user(p, name, &found, err)) != HITO_OK)
        goto out;
    copy_id(id, found, "id");
    if (found == NULL) {
        json_object_set_new(wanted, "userName", json_string(name));
        snprintf(what, sizeof(what), "create machine user \"%s\"", name);
        rc = write_call(p, what, "POST", "/management/v1/users/machine", wanted, 0, &made, err);
        copy_id(id, made, "userId");
    } else if (!fields_match(json_object_get(found, "machine"), wanted)) {
        snprintf(what, sizeof(what), "update machine user \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/machine", id);
        rc = write_call(p, what, "PUT", path, wanted, 1, NULL, err);
    }
    if (rc != HITO_OK)
        goto out;
    login = json_string_value(json_object_get(found, "preferredLoginName"));
    if ((rc = set_output(p, out, "USER_ID", id[0] ? id : NULL, err)) != HITO_OK ||
        (rc = set_output(p, out, "CLIENT_ID", login != NULL ? login : name, err)) != HITO_OK ||
        (rc = machine_credentials(p, user, id[0] ? id : NULL, err)) != HITO_OK)
        goto out;
    rc = ensure_grant(p, id[0] ? id : NULL, user, err);
out:
    json_decref(found);
    json_decref(made);
    json_decref(wanted);
    return rc;
}

/* The test users' password: outputs, else HITO_TEST_USER_PASSWORD, else generated. */
static int user_password(struct provision *p, const char *out, char *buf, size_t size)
{
    const char *known = get_output(p, out, "PASSWORD");
    const char *env = getenv("HITO_TEST_USER_PASSWORD");
    long min = (long)json_integer_value(json_object_get(
        json_object_get(json_object_get(p->model, "policies"), "passwordComplexity"), "minLength"));
    size_t len = min > PROVISION_PASSWORD_LEN ? (size_t)min : PROVISION_PASSWORD_LEN;

    if (known != NULL || (env != NULL && env[0] != '\0')) {
        snprintf(buf, size, "%s", known != NULL ? known : env);
        return HITO_OK;
    }
    return provision_generate_password(buf, size, len);
}

static int ensure_human(struct provision *p, json_t *user, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(user, "userName"));
    const char *out = json_string_value(json_object_get(user, "output"));
    int had_password = get_output(p, out, "PASSWORD") != NULL;
    json_t *found = NULL, *made = NULL, *req = NULL;
    char what[WHAT_MAX_BYTES], path[PATH_MAX_BYTES], id[64] = "", password[128];
    const char *login;
    int rc;

    if (user_password(p, out, password, sizeof(password)) != HITO_OK)
        return hito_error_set(err, HITO_ERR_IO, "cannot generate a password for \"%s\"", name);
    if ((rc = find_user(p, name, &found, err)) != HITO_OK)
        goto out;
    copy_id(id, found, "id");
    if (found == NULL) {
        req = json_pack("{s:s,s:{s:s,s:s},s:{s:s,s:b},s:s,s:b}", "userName", name, "profile",
                        "firstName", json_string_value(json_object_get(user, "firstName")),
                        "lastName", json_string_value(json_object_get(user, "lastName")),
                        "email", "email", json_string_value(json_object_get(user, "email")),
                        "isEmailVerified", 1, "password", password, "passwordChangeRequired", 0);
        snprintf(what, sizeof(what), "create human user \"%s\"", name);
        rc = write_call(p, what, "POST", "/management/v1/users/human/_import", req, 0, &made,
                        err);
        copy_id(id, made, "userId");
    } else if (!had_password) {
        req = json_pack("{s:s,s:b}", "password", password, "noChangeRequired", 1);
        snprintf(what, sizeof(what), "set password of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/password", id);
        rc = write_call(p, what, "POST", path, req, 0, NULL, err);
    }
    if (rc != HITO_OK)
        goto out;
    login = json_string_value(json_object_get(found, "preferredLoginName"));
    if ((rc = set_output(p, out, "USER_ID", id[0] ? id : NULL, err)) != HITO_OK ||
        (rc = set_output(p, out, "LOGIN", login != NULL ? login : name, err)) != HITO_OK ||
        (rc = set_output(p, out, "PASSWORD", password, err)) != HITO_OK)
        goto out;
    rc = ensure_grant(p, id[0] ? id : NULL, user, err);
out:
    json_decref(found);
    json_decref(made);
    json_decref(req);
    return rc;
}

static int step_users(struct provision *p, struct hito_error *err)
{
    json_t *user;
    size_t i;
    int rc;

    json_array_foreach(json_object_get(p->model, "machineUsers"), i, user) {
        if ((rc = ensure_machine(p, user, err)) != HITO_OK)
            return rc;
    }
    json_array_foreach(json_object_get(p->model, "humanUsers"), i, user) {
        if ((rc = ensure_human(p, user, err)) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

int provision_run(struct provision *p, struct hito_error *err)
{
    int (*const steps[])(struct provision *, struct hito_error *) = {
        step_org, step_policies, step_project, step_roles, step_apps, step_actions, step_users,
    };
    int rc;

    p->changes = 0;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if ((rc = steps[i](p, err)) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

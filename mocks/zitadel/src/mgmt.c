/*
 * mgmt.c - Management and Admin API: orgs, projects, roles and apps, with
 * ZITADEL v2.40's paths, field names and errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "zjson.h"

#define SECRET_TEXT 80

static const char *const oidc_grant_types[] = {
    "OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_IMPLICIT",
    "OIDC_GRANT_TYPE_REFRESH_TOKEN", "OIDC_GRANT_TYPE_DEVICE_CODE",
    "OIDC_GRANT_TYPE_TOKEN_EXCHANGE", NULL,
};
static const char *const oidc_app_types[] = {
    "OIDC_APP_TYPE_WEB", "OIDC_APP_TYPE_USER_AGENT", "OIDC_APP_TYPE_NATIVE", NULL,
};
static const char *const oidc_auth_methods[] = {
    "OIDC_AUTH_METHOD_TYPE_BASIC", "OIDC_AUTH_METHOD_TYPE_POST", "OIDC_AUTH_METHOD_TYPE_NONE",
    "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT", NULL,
};
static const char *const oidc_token_types[] = {
    "OIDC_TOKEN_TYPE_BEARER", "OIDC_TOKEN_TYPE_JWT", NULL,
};
static const char *const oidc_response_types[] = {
    "OIDC_RESPONSE_TYPE_CODE", "OIDC_RESPONSE_TYPE_ID_TOKEN",
    "OIDC_RESPONSE_TYPE_ID_TOKEN_TOKEN", NULL,
};
static const char *const api_auth_methods[] = {
    "API_AUTH_METHOD_TYPE_BASIC", "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT", NULL,
};

/* Returns nonzero when s is one of the names in list. */
static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        if (strcmp(s, list[i]) == 0)
            return 1;
    }
    return 0;
}

/*
 * Reads an enum field: absent gives the first (0) value; a name outside list
 * is a 400. Returns the name or NULL after the error.
 */
static const char *enum_field(struct zreq *z, const json_t *body, const char *key,
                              const char *const *list)
{
    const char *v;

    if (zreq_string(z, body, key, ZSRV_MAX_FIELD, 0, &v) < 0)
        return NULL;
    if (v == NULL)
        return list[0];
    if (!in_list(v, list)) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ENUM1", "invalid %s: unknown value %s", key,
                   v);
        return NULL;
    }
    return v;
}

/* Returns the objects of a collection that pass keep (borrowed entries, new array). */
static json_t *collect(struct zreq *z, const char *collection,
                       int (*keep)(const struct zreq *, const json_t *, const void *),
                       const void *arg)
{
    json_t *out = json_array();
    const char *id;
    json_t *obj;

    json_object_foreach(json_object_get(z->doc, collection), id, obj) {
        if (keep == NULL || keep(z, obj, arg))
            json_array_append(out, obj);
    }
    return out;
}

static int keep_project(const struct zreq *z, const json_t *obj, const void *arg)
{
    (void)z;
    return strcmp(zjson_str(obj, "_projectId", ""), (const char *)arg) == 0;
}

/* Finds an object of the collection whose field equals value, optionally in one org. */
static json_t *find_by(struct zreq *z, const char *collection, const char *field,
                       const char *value, const char *org_id)
{
    const char *id;
    json_t *obj;

    json_object_foreach(json_object_get(z->doc, collection), id, obj) {
        if (org_id != NULL && strcmp(zjson_str(obj, "_owner", ""), org_id) != 0)
            continue;
        if (strcmp(zjson_str(obj, field, ""), value) == 0)
            return obj;
    }
    return NULL;
}

/* ---- orgs ---- */

/* Derives an org's primary domain as ZITADEL does: "<name>.<instance domain>". */
static void org_domain(const char *name, const char *instance_domain, char *out, size_t size)
{
    size_t n = 0;

    for (const char *p = name; *p != '\0' && n + 1 < size; p++) {
        unsigned char c = (unsigned char)*p;

        if (isalnum(c))
            out[n++] = (char)tolower(c);
        else if (c == ' ' || c == '-' || c == '_')
            out[n++] = '-';
    }
    snprintf(out + n, size - n, ".%s", instance_domain);
}

json_t *mgmt_org_create(struct zreq *z, const char *name)
{
    char domain[ZSRV_MAX_FIELD * 2];
    json_t *org;

    if (find_by(z, STORE_ORGS, "name", name, NULL) != NULL) {
        api_conflict(z, "Organisation");
        return NULL;
    }
    if (api_check_room(z, STORE_ORGS) < 0)
        return NULL;
    org_domain(name, z->srv->settings.domain, domain, sizeof(domain));
    org = api_insert(z, STORE_ORGS, json_pack("{s:s, s:s, s:s}", "name", name, "state",
                                          "ORG_STATE_ACTIVE", "primaryDomain", domain), NULL);
    /* An org is its own resource owner. */
    json_object_set(org, "_owner", json_object_get(org, "id"));
    return org;
}

static void orgs_me(struct zreq *z)
{
    json_t *org = json_object_get(json_object_get(z->doc, STORE_ORGS), z->org_id);

    zreq_json(z, 200, json_pack("{s:o}", "org", api_object(org)));
}

static void orgs_add(struct zreq *z)
{
    json_t *body = zreq_body(z);
    const char *name;
    json_t *org;

    if (body == NULL || zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &name) < 0)
        goto out;
    org = mgmt_org_create(z, name);
    /* NOTE: ZITADEL makes the caller the new org's owner; only IAM owners act on it here. */
    if (org != NULL)
        api_created_reply(z, "id", org);
out:
    json_decref(body);
}

static void orgs_search(struct zreq *z)
{
    json_t *body = zreq_body(z);
    json_t *orgs;

    if (body == NULL)
        return;
    if (!zjson_bool(z->caller, "_iamOwner")) {
        zreq_error(z, ZGRPC_PERMISSION_DENIED, "AUTH-5mWD2", "No matching permissions found");
    } else {
        orgs = collect(z, STORE_ORGS, NULL, NULL);
        api_list_reply(z, body, orgs);
        json_decref(orgs);
    }
    json_decref(body);
}

/* ---- projects ---- */

static json_t *project_in_org(struct zreq *z)
{
    json_t *project = api_get(z, STORE_PROJECTS, "pid");

    if (project == NULL)
        project = api_get(z, STORE_PROJECTS, "id");
    if (!api_in_org(z, project)) {
        api_not_found(z, "Project");
        return NULL;
    }
    return project;
}

/* Reads the project's boolean settings into project; -1 after a 400. */
static int project_flags(struct zreq *z, const json_t *body, json_t *project)
{
    static const char *const flags[] = {
        "projectRoleAssertion", "projectRoleCheck", "hasProjectCheck", NULL,
    };

    for (size_t i = 0; flags[i] != NULL; i++) {
        int v;

        if (zreq_bool(z, body, flags[i], &v) < 0)
            return -1;
        json_object_set_new(project, flags[i], json_boolean(v));
    }
    return 0;
}

static void projects_add(struct zreq *z)
{
    json_t *body = zreq_body(z);
    json_t *project;
    const char *name;

    if (body == NULL || zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &name) < 0)
        goto out;
    if (find_by(z, STORE_PROJECTS, "name", name, z->org_id) != NULL) {
        api_conflict(z, "Project");
        goto out;
    }
    if (api_check_room(z, STORE_PROJECTS) < 0)
        goto out;
    project = json_pack("{s:s, s:s}", "name", name, "state", "PROJECT_STATE_ACTIVE");
    if (project_flags(z, body, project) < 0) {
        json_decref(project);
        goto out;
    }
    api_insert(z, STORE_PROJECTS, project, z->org_id);
    api_created_reply(z, "id", project);
out:
    json_decref(body);
}

static void projects_search(struct zreq *z)
{
    api_search_org(z, STORE_PROJECTS);
}

static void projects_get(struct zreq *z)
{
    json_t *project = project_in_org(z);

    if (project != NULL)
        zreq_json(z, 200, json_pack("{s:o}", "project", api_object(project)));
}

static void projects_update(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *body = project ? zreq_body(z) : NULL;
    json_t *next = json_object();
    const char *name;

    if (body == NULL || zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &name) < 0 ||
        project_flags(z, body, next) < 0)
        goto out;
    json_object_set_new(next, "name", json_string(name));
    if (strcmp(name, zjson_str(project, "name", "")) != 0 &&
        find_by(z, STORE_PROJECTS, "name", name, z->org_id) != NULL)
        api_conflict(z, "Project");
    else
        api_apply_update(z, project, next, "Project");
out:
    json_decref(next);
    json_decref(body);
}

/* ---- roles ---- */

/* Adds one role to a project; sets the error reply and returns -1 on failure. */
static int role_add(struct zreq *z, json_t *project, const json_t *spec, const char *key_field)
{
    json_t *roles = json_object_get(project, "_roles");
    const char *key;
    const char *display;
    const char *group;
    json_t *role;

    if (zreq_string(z, spec, key_field, ZSRV_MAX_FIELD, 1, &key) < 0 ||
        zreq_string(z, spec, "displayName", ZSRV_MAX_FIELD, 0, &display) < 0 ||
        zreq_string(z, spec, "group", ZSRV_MAX_FIELD, 0, &group) < 0)
        return -1;
    if (roles == NULL) {
        roles = json_object();
        json_object_set_new(project, "_roles", roles);
    }
    if (json_object_get(roles, key) != NULL) {
        api_conflict(z, "Role");
        return -1;
    }
    if (json_object_size(roles) >= ZSRV_MAX_ITEMS * 10) {
        zreq_error(z, ZGRPC_RESOURCE_EXHAUSTED, "EMU-FULL2", "the project has too many roles");
        return -1;
    }
    role = json_pack("{s:s, s:s, s:s}", "key", key, "displayName", display ? display : "",
                     "group", group ? group : "");
    store_stamp_new(z->srv->store, role, zjson_str(project, "_owner", ""));
    json_object_set_new(roles, key, role);
    return 0;
}

static void roles_add(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *body = project ? zreq_body(z) : NULL;

    if (body == NULL)
        return;
    if (role_add(z, project, body, "roleKey") == 0) {
        z->dirty = 1;
        api_details_reply(z, json_object_get(json_object_get(project, "_roles"),
                                             zjson_str(body, "roleKey", "")));
    }
    json_decref(body);
}

static void roles_bulk(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *body = project ? zreq_body(z) : NULL;
    json_t *roles = json_object_get(body, "roles");
    json_t *before;
    size_t i;
    json_t *spec;

    if (body == NULL)
        return;
    if (!json_is_array(roles) || json_array_size(roles) == 0 ||
        json_array_size(roles) > ZSRV_MAX_ITEMS) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG05", "invalid roles: expected 1 to %d roles",
                   ZSRV_MAX_ITEMS);
        goto out;
    }
    /* All or nothing: restore the roles when one of them fails. */
    before = json_deep_copy(json_object_get(project, "_roles"));
    json_array_foreach(roles, i, spec) {
        if (role_add(z, project, spec, "key") < 0) {
            if (before != NULL)
                json_object_set(project, "_roles", before);
            else
                json_object_del(project, "_roles");
            json_decref(before);
            goto out;
        }
    }
    json_decref(before);
    store_stamp_change(z->srv->store, project);
    z->dirty = 1;
    api_details_reply(z, project);
out:
    json_decref(body);
}

static void roles_update(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *role = json_object_get(json_object_get(project, "_roles"),
                                   httpd_param(z->http, "key"));
    json_t *body = role ? zreq_body(z) : NULL;
    const char *display;
    const char *group;

    if (project != NULL && role == NULL)
        api_not_found(z, "Role");
    if (body == NULL || zreq_string(z, body, "displayName", ZSRV_MAX_FIELD, 0, &display) < 0 ||
        zreq_string(z, body, "group", ZSRV_MAX_FIELD, 0, &group) < 0)
        goto out;
    api_apply_update_new(z, role, json_pack("{s:s, s:s}", "displayName", display ? display : "",
                                            "group", group ? group : ""), "Role");
out:
    json_decref(body);
}

static void roles_search(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *body = project ? zreq_body(z) : NULL;
    json_t *list = json_array();
    const char *key;
    json_t *role;

    if (body != NULL) {
        json_object_foreach(json_object_get(project, "_roles"), key, role) {
            json_array_append(list, role);
        }
        api_list_reply(z, body, list);
    }
    json_decref(list);
    json_decref(body);
}

/* ---- apps ---- */

/* Builds a client id as ZITADEL does: "<id>@<project name lowercased, spaces to _>". */
static void client_id(struct zreq *z, const json_t *project, char *out, size_t size)
{
    char id[STORE_ID_SIZE];
    size_t n;

    store_next_id(z->srv->store, id, sizeof(id));
    n = (size_t)snprintf(out, size, "%s@", id);
    for (const char *p = zjson_str(project, "name", ""); *p != '\0' && n + 1 < size; p++)
        out[n++] = *p == ' ' ? '_' : (char)tolower((unsigned char)*p);
    out[n] = '\0';
}

/* Checks name and room for a new app; -1 after the error. */
static int app_precheck(struct zreq *z, json_t *project, const char *name)
{
    const char *id;
    json_t *app;

    json_object_foreach(json_object_get(z->doc, STORE_APPS), id, app) {
        if (strcmp(zjson_str(app, "_projectId", ""), zjson_str(project, "id", "")) == 0 &&
            strcmp(zjson_str(app, "name", ""), name) == 0) {
            api_conflict(z, "Application");
            return -1;
        }
    }
    return api_check_room(z, STORE_APPS);
}

/* Reads the OIDC config fields of an AddOIDCApp request; NULL after a 400. */
static json_t *oidc_config(struct zreq *z, const json_t *body)
{
    json_t *cfg = json_object();
    const char *app_type = enum_field(z, body, "appType", oidc_app_types);
    const char *method = app_type ? enum_field(z, body, "authMethodType", oidc_auth_methods) : NULL;
    const char *token = method ? enum_field(z, body, "accessTokenType", oidc_token_types) : NULL;
    static const char *const arrays[] = {"redirectUris", "postLogoutRedirectUris",
                                         "responseTypes", "grantTypes", NULL};
    static const char *const bools[] = {"accessTokenRoleAssertion", "idTokenRoleAssertion",
                                        "idTokenUserinfoAssertion", "devMode", NULL};

    if (token == NULL)
        goto fail;
    json_object_set_new(cfg, "appType", json_string(app_type));
    json_object_set_new(cfg, "authMethodType", json_string(method));
    json_object_set_new(cfg, "accessTokenType", json_string(token));
    for (size_t i = 0; arrays[i] != NULL; i++) {
        json_t *v = zreq_strings(z, body, arrays[i], ZSRV_MAX_URL);
        size_t j;
        json_t *item;

        if (v == NULL)
            goto fail;
        json_array_foreach(v, j, item) {
            const char *s = json_string_value(item);

            if ((i == 2 && !in_list(s, oidc_response_types)) ||
                (i == 3 && !in_list(s, oidc_grant_types))) {
                zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ENUM1", "invalid %s: unknown value %s",
                           arrays[i], s);
                json_decref(v);
                goto fail;
            }
        }
        json_object_set_new(cfg, arrays[i], v);
    }
    if (json_array_size(json_object_get(cfg, "responseTypes")) == 0)
        json_object_set_new(cfg, "responseTypes", json_pack("[s]", oidc_response_types[0]));
    if (json_array_size(json_object_get(cfg, "grantTypes")) == 0)
        json_object_set_new(cfg, "grantTypes", json_pack("[s]", oidc_grant_types[0]));
    for (size_t i = 0; bools[i] != NULL; i++) {
        int v;

        if (zreq_bool(z, body, bools[i], &v) < 0)
            goto fail;
        json_object_set_new(cfg, bools[i], json_boolean(v));
    }
    json_object_set_new(cfg, "version", json_string("OIDC_VERSION_1_0"));
    return cfg;
fail:
    json_decref(cfg);
    return NULL;
}

/* Stores a new app of the project and replies {appId, details, clientId, clientSecret}. */
static void app_insert(struct zreq *z, json_t *project, const char *name, const char *cfg_key,
                       json_t *cfg, int with_secret)
{
    char cid[ZSRV_MAX_FIELD * 2];
    char secret[SECRET_TEXT];
    json_t *app = json_pack("{s:s, s:s, s:s, s:o}", "name", name, "state", "APP_STATE_ACTIVE",
                            "_projectId", zjson_str(project, "id", ""), cfg_key, cfg);
    json_t *reply;

    client_id(z, project, cid, sizeof(cid));
    json_object_set_new(cfg, "clientId", json_string(cid));
    secret[0] = '\0';
    if (with_secret && api_new_secret(app, secret, sizeof(secret)) < 0) {
        json_decref(app);
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "secret generation failed");
        return;
    }
    api_insert(z, STORE_APPS, app, z->org_id);
    reply = json_pack("{s:s, s:o, s:s}", "appId", zjson_str(app, "id", ""), "details",
                      store_details(app), "clientId", cid);
    if (secret[0] != '\0')
        json_object_set_new(reply, "clientSecret", json_string(secret));
    zreq_json(z, 200, reply);
}

static void apps_add_oidc(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *body = project ? zreq_body(z) : NULL;
    json_t *cfg;
    const char *name;

    if (body == NULL || zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &name) < 0 ||
        app_precheck(z, project, name) < 0)
        goto out;
    cfg = oidc_config(z, body);
    if (cfg == NULL)
        goto out;
    app_insert(z, project, name, "oidcConfig", cfg,
               strcmp(zjson_str(cfg, "authMethodType", ""), "OIDC_AUTH_METHOD_TYPE_BASIC") == 0 ||
               strcmp(zjson_str(cfg, "authMethodType", ""), "OIDC_AUTH_METHOD_TYPE_POST") == 0);
out:
    json_decref(body);
}

static void apps_add_api(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *body = project ? zreq_body(z) : NULL;
    const char *name;
    const char *method;

    if (body == NULL || zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &name) < 0 ||
        app_precheck(z, project, name) < 0)
        goto out;
    method = enum_field(z, body, "authMethodType", api_auth_methods);
    if (method == NULL)
        goto out;
    app_insert(z, project, name, "apiConfig", json_pack("{s:s}", "authMethodType", method),
               strcmp(method, api_auth_methods[0]) == 0);
out:
    json_decref(body);
}

/* Returns the app of the path's project and app id, or NULL after a 404. */
static json_t *app_in_project(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *app = project ? api_get(z, STORE_APPS, "appId") : NULL;

    if (project != NULL && (app == NULL || strcmp(zjson_str(app, "_projectId", ""),
                                                  zjson_str(project, "id", "")) != 0)) {
        api_not_found(z, "Application");
        return NULL;
    }
    return app;
}

static void apps_update_oidc(struct zreq *z)
{
    json_t *app = app_in_project(z);
    json_t *current = json_object_get(app, "oidcConfig");
    json_t *body = current ? zreq_body(z) : NULL;
    json_t *next = body ? oidc_config(z, body) : NULL;

    if (app != NULL && current == NULL)
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "EMU-APP01", "Application is not an OIDC app");
    if (next != NULL) {
        json_object_set(next, "clientId", json_object_get(current, "clientId"));
        /* The details of the app change with its config. */
        if (!json_equal(next, current)) {
            json_object_set(app, "oidcConfig", next);
            store_stamp_change(z->srv->store, app);
            z->dirty = 1;
            api_details_reply(z, app);
        } else {
            api_not_changed(z, "Application");
        }
    }
    json_decref(next);
    json_decref(body);
}

static void apps_generate_secret(struct zreq *z)
{
    json_t *app = app_in_project(z);
    const char *method;
    char secret[SECRET_TEXT];

    if (app == NULL)
        return;
    method = zjson_str(json_object_get(app, "apiConfig"), "authMethodType",
                       zjson_str(json_object_get(app, "oidcConfig"), "authMethodType", ""));
    if (strcmp(method, "API_AUTH_METHOD_TYPE_BASIC") != 0 &&
        strcmp(method, "OIDC_AUTH_METHOD_TYPE_BASIC") != 0 &&
        strcmp(method, "OIDC_AUTH_METHOD_TYPE_POST") != 0) {
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "EMU-APP02",
                   "Application does not authenticate with a secret");
        return;
    }
    if (api_new_secret(app, secret, sizeof(secret)) < 0) {
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "secret generation failed");
        return;
    }
    store_stamp_change(z->srv->store, app);
    z->dirty = 1;
    zreq_json(z, 200, json_pack("{s:s, s:o}", "clientSecret", secret, "details",
                                store_details(app)));
}

static void apps_search(struct zreq *z)
{
    json_t *project = project_in_org(z);
    json_t *body = project ? zreq_body(z) : NULL;
    json_t *apps;

    if (body == NULL)
        return;
    apps = collect(z, STORE_APPS, keep_project, zjson_str(project, "id", ""));
    api_list_reply(z, body, apps);
    json_decref(apps);
    json_decref(body);
}

int zsrv_routes_mgmt(struct zsrv *srv)
{
    const int f = ZROUTE_INSTANCE | ZROUTE_AUTH;
    int rc = 0;

    rc |= zsrv_route(srv, "GET", "/management/v1/orgs/me", f, orgs_me);
    rc |= zsrv_route(srv, "POST", "/management/v1/orgs", f, orgs_add);
    rc |= zsrv_route(srv, "POST", "/admin/v1/orgs/_search", f, orgs_search);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects", f, projects_add);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects/_search", f, projects_search);
    rc |= zsrv_route(srv, "GET", "/management/v1/projects/{id}", f, projects_get);
    rc |= zsrv_route(srv, "PUT", "/management/v1/projects/{id}", f, projects_update);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects/{pid}/roles", f, roles_add);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects/{pid}/roles/_bulk", f, roles_bulk);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects/{pid}/roles/_search", f, roles_search);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects/{pid}/apps/oidc", f, apps_add_oidc);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects/{pid}/apps/api", f, apps_add_api);
    rc |= zsrv_route(srv, "POST", "/management/v1/projects/{pid}/apps/_search", f, apps_search);
    rc |= zsrv_route(srv, "PUT", "/management/v1/projects/{pid}/roles/{key}", f, roles_update);
    rc |= zsrv_route(srv, "PUT", "/management/v1/projects/{pid}/apps/{appId}/oidc_config", f,
                     apps_update_oidc);
    rc |= zsrv_route(srv, "POST",
                     "/management/v1/projects/{pid}/apps/{appId}/api_config/_generate_client_secret",
                     f, apps_generate_secret);
    rc |= zsrv_route(srv, "POST",
                     "/management/v1/projects/{pid}/apps/{appId}/oidc_config/_generate_client_secret",
                     f, apps_generate_secret);
    return rc != 0 ? HITO_ERR_LIMIT : HITO_OK;
}

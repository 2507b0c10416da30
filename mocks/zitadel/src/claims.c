/* claims.c - token, ID token and userinfo claims in ZITADEL v2.40's shape. */
#include "claims.h"

#include <stdio.h>
#include <string.h>

#include "store.h"
#include "zjson.h"

static const char *const standard_scopes[] = {
    "openid", "profile", "email", "phone", "address", "offline_access", NULL,
};

json_t *claims_scope_parse(const char *scope)
{
    char buf[CLAIMS_MAX_SCOPE + 1];
    json_t *out;
    char *save = NULL;

    if (scope == NULL)
        return json_array();
    if (strlen(scope) > CLAIMS_MAX_SCOPE)
        return NULL;
    snprintf(buf, sizeof(buf), "%s", scope);
    out = json_array();
    for (char *s = strtok_r(buf, " ", &save); s != NULL; s = strtok_r(NULL, " ", &save)) {
        int known = strncmp(s, "urn:zitadel:iam:", 16) == 0;

        for (size_t i = 0; !known && standard_scopes[i] != NULL; i++)
            known = strcmp(s, standard_scopes[i]) == 0;
        if (!known || claims_scope_has(out, s))
            continue;
        if (json_array_size(out) >= CLAIMS_MAX_SCOPES) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, json_string(s));
    }
    return out;
}

int claims_scope_has(const json_t *scopes, const char *s)
{
    size_t i;
    json_t *item;

    json_array_foreach(scopes, i, item) {
        if (strcmp(json_string_value(item), s) == 0)
            return 1;
    }
    return 0;
}

json_t *claims_scope_projects(const json_t *doc, const json_t *scopes)
{
    const size_t plen = strlen(CLAIMS_SCOPE_PROJECT_AUD_PREFIX);
    json_t *out = json_array();
    size_t i;
    json_t *item;

    json_array_foreach(scopes, i, item) {
        const char *s = json_string_value(item);
        size_t len = strlen(s);
        char id[64];

        if (strncmp(s, CLAIMS_SCOPE_PROJECT_AUD_PREFIX, plen) != 0 || len < plen + 5 ||
            strcmp(s + len - 4, ":aud") != 0 || len - plen - 4 >= sizeof(id))
            continue;
        snprintf(id, sizeof(id), "%.*s", (int)(len - plen - 4), s + plen);
        if (strcmp(id, "zitadel") == 0)
            snprintf(id, sizeof(id), "%s", zjson_str(doc, "_zitadelProjectId", "zitadel"));
        if (!claims_scope_has(out, id))
            json_array_append_new(out, json_string(id));
    }
    return out;
}

/* Returns the role keys named by role scopes (new array). */
static json_t *scope_role_keys(const json_t *scopes)
{
    const size_t plen = strlen(CLAIMS_SCOPE_ROLE_PREFIX);
    json_t *out = json_array();
    size_t i;
    json_t *item;

    json_array_foreach(scopes, i, item) {
        const char *s = json_string_value(item);

        if (strncmp(s, CLAIMS_SCOPE_ROLE_PREFIX, plen) == 0 && s[plen] != '\0')
            json_array_append_new(out, json_string(s + plen));
    }
    return out;
}

json_t *claims_role_object(const json_t *doc, const char *user_id, const char *project_id,
                           const json_t *role_keys)
{
    json_t *grants = json_object_get(doc, STORE_GRANTS);
    json_t *orgs = json_object_get(doc, STORE_ORGS);
    json_t *out = json_object();
    const char *gid;
    json_t *grant;

    json_object_foreach(grants, gid, grant) {
        const char *org_id = zjson_str(grant, "_owner", "");
        json_t *org = json_object_get(orgs, org_id);
        json_t *keys = json_object_get(grant, "roleKeys");
        size_t i;
        json_t *key;

        if (strcmp(zjson_str(grant, "userId", ""), user_id) != 0 ||
            strcmp(zjson_str(grant, "projectId", ""), project_id) != 0)
            continue;
        json_array_foreach(keys, i, key) {
            const char *k = json_string_value(key);
            json_t *entry;

            if (json_array_size(role_keys) > 0 && !claims_scope_has(role_keys, k))
                continue;
            entry = json_object_get(out, k);
            if (entry == NULL) {
                entry = json_object();
                json_object_set_new(out, k, entry);
            }
            json_object_set_new(entry, org_id, json_string(zjson_str(org, "primaryDomain", "")));
        }
    }
    return out;
}

json_t *claims_project_audience(const json_t *doc, const char *project_id)
{
    json_t *apps = json_object_get(doc, STORE_APPS);
    json_t *out = json_array();
    const char *id;
    json_t *app;

    json_object_foreach(apps, id, app) {
        json_t *cfg = json_object_get(app, "oidcConfig");

        if (strcmp(zjson_str(app, "_projectId", ""), project_id) != 0)
            continue;
        if (cfg == NULL)
            cfg = json_object_get(app, "apiConfig");
        if (json_string_value(json_object_get(cfg, "clientId")) != NULL)
            json_array_append(out, json_object_get(cfg, "clientId"));
    }
    json_array_append_new(out, json_string(project_id));
    return out;
}

/* Returns the app of a login-flow token context, or NULL for machine grants. */
static json_t *tctx_app(const json_t *doc, const json_t *tctx)
{
    const char *app_id = zjson_str(tctx, "appId", NULL);

    if (app_id == NULL)
        return NULL;
    return json_object_get(json_object_get(doc, STORE_APPS), app_id);
}

int claims_roles_requested(const json_t *doc, const json_t *tctx)
{
    json_t *scopes = json_object_get(tctx, "scope");
    json_t *app = tctx_app(doc, tctx);
    json_t *project;
    json_t *keys = scope_role_keys(scopes);
    int requested = json_array_size(keys) > 0 ||
                    claims_scope_has(scopes, CLAIMS_SCOPE_ALL_PROJECT_ROLES);

    json_decref(keys);
    if (requested || app == NULL)
        return requested;
    project = json_object_get(json_object_get(doc, STORE_PROJECTS),
                              zjson_str(app, "_projectId", ""));
    return zjson_bool(project, "projectRoleAssertion");
}

/* Adds the per-project role claim (and the generic one when first is set). */
static void add_roles(json_t *out, json_t *roles, const char *project_id, int generic)
{
    char key[128];

    if (json_object_size(roles) == 0) {
        json_decref(roles);
        return;
    }
    snprintf(key, sizeof(key), "urn:zitadel:iam:org:project:%s:roles", project_id);
    json_object_set(out, key, roles);
    if (generic && json_object_get(out, CLAIMS_ROLES) == NULL)
        json_object_set(out, CLAIMS_ROLES, roles);
    json_decref(roles);
}

/* Returns nonzero when the app asserts roles in tokens of this kind. */
static int app_asserts(const json_t *app, enum claims_kind kind)
{
    json_t *cfg = json_object_get(app, "oidcConfig");

    if (kind == CLAIMS_USERINFO)
        return 1;
    if (kind == CLAIMS_ACCESS_TOKEN)
        return zjson_bool(cfg, "accessTokenRoleAssertion");
    return zjson_bool(cfg, "idTokenRoleAssertion");
}

json_t *claims_roles(const json_t *doc, const json_t *tctx, enum claims_kind kind)
{
    json_t *scopes = json_object_get(tctx, "scope");
    const char *sub = zjson_str(tctx, "sub", "");
    json_t *app = tctx_app(doc, tctx);
    json_t *keys = scope_role_keys(scopes);
    json_t *out = json_object();

    if (app != NULL) {
        const char *pid = zjson_str(app, "_projectId", "");
        json_t *project = json_object_get(json_object_get(doc, STORE_PROJECTS), pid);
        int wanted = zjson_bool(project, "projectRoleAssertion") || json_array_size(keys) > 0;

        if (wanted && app_asserts(app, kind))
            add_roles(out, claims_role_object(doc, sub, pid, keys), pid, 1);
    }
    if (claims_scope_has(scopes, CLAIMS_SCOPE_ALL_PROJECT_ROLES)) {
        json_t *projects = claims_scope_projects(doc, scopes);
        size_t i;
        json_t *p;

        /*
         * NOTE: without an app (client_credentials, JWT profile) the generic
         * claim is filled from the first audience project. This is unverified
         * against ZITADEL 2.40, which derives it from the request's project.
         */
        json_array_foreach(projects, i, p) {
            const char *pid = json_string_value(p);

            add_roles(out, claims_role_object(doc, sub, pid, keys), pid, app == NULL);
        }
        json_decref(projects);
    } else if (app == NULL && json_array_size(keys) > 0) {
        json_t *projects = claims_scope_projects(doc, scopes);
        size_t i;
        json_t *p;

        json_array_foreach(projects, i, p) {
            const char *pid = json_string_value(p);

            add_roles(out, claims_role_object(doc, sub, pid, keys), pid, 1);
        }
        json_decref(projects);
    }
    json_decref(keys);
    return out;
}

/* Adds the resource owner claims of the user's org when the scope requests them. */
static void add_resourceowner(json_t *out, const json_t *doc, const json_t *tctx)
{
    json_t *user = json_object_get(json_object_get(doc, STORE_USERS), zjson_str(tctx, "sub", ""));
    const char *org_id = zjson_str(user, "_owner", "");
    json_t *org = json_object_get(json_object_get(doc, STORE_ORGS), org_id);

    if (!claims_scope_has(json_object_get(tctx, "scope"), CLAIMS_SCOPE_RESOURCEOWNER) ||
        org == NULL)
        return;
    json_object_set_new(out, "urn:zitadel:iam:user:resourceowner:id", json_string(org_id));
    json_object_set_new(out, "urn:zitadel:iam:user:resourceowner:name",
                        json_string(zjson_str(org, "name", "")));
    json_object_set_new(out, "urn:zitadel:iam:user:resourceowner:primary_domain",
                        json_string(zjson_str(org, "primaryDomain", "")));
}

json_t *claims_access_token(const json_t *doc, const json_t *tctx, const char *issuer,
                            long long iat, long long exp, const char *jti)
{
    json_t *out = json_pack("{s:s, s:s, s:O, s:I, s:I, s:I, s:s}", "iss", issuer, "sub",
                            zjson_str(tctx, "sub", ""), "aud", json_object_get(tctx, "aud"),
                            "exp", (json_int_t)exp, "iat", (json_int_t)iat, "nbf",
                            (json_int_t)iat, "jti", jti);

    json_t *roles;

    if (out == NULL)
        return NULL;
    roles = claims_roles(doc, tctx, CLAIMS_ACCESS_TOKEN);
    json_object_update(out, roles);
    json_decref(roles);
    add_resourceowner(out, doc, tctx);
    return out;
}

/* Adds the profile and email claims of a user to out, as scopes ask. */
static void add_profile(json_t *out, const json_t *user, const json_t *scopes)
{
    json_t *human = json_object_get(user, "human");
    json_t *profile = json_object_get(human, "profile");
    json_t *email = json_object_get(human, "email");

    if (claims_scope_has(scopes, "profile")) {
        const char *display = zjson_str(profile, "displayName", NULL);
        const char *name = zjson_str(json_object_get(user, "machine"), "name", display);

        if (name != NULL)
            json_object_set_new(out, "name", json_string(name));
        if (profile != NULL) {
            json_object_set_new(out, "given_name",
                                json_string(zjson_str(profile, "firstName", "")));
            json_object_set_new(out, "family_name",
                                json_string(zjson_str(profile, "lastName", "")));
        }
        json_object_set_new(out, "preferred_username",
                            json_string(zjson_str(user, "preferredLoginName", "")));
    }
    if (claims_scope_has(scopes, "email") && email != NULL) {
        json_object_set_new(out, "email", json_string(zjson_str(email, "email", "")));
        json_object_set_new(out, "email_verified",
                            json_boolean(zjson_bool(email, "isEmailVerified")));
    }
}

json_t *claims_id_token(const json_t *doc, const json_t *tctx, const char *issuer,
                        long long iat, long long exp, const char *at_hash)
{
    const char *client_id = zjson_str(tctx, "clientId", "");
    json_t *out = json_pack("{s:s, s:s, s:O, s:I, s:I, s:I, s:s, s:s, s:[s]}", "iss", issuer,
                            "sub", zjson_str(tctx, "sub", ""), "aud",
                            json_object_get(tctx, "aud"), "exp", (json_int_t)exp, "iat",
                            (json_int_t)iat, "auth_time",
                            (json_int_t)json_number_value(json_object_get(tctx, "authTime")),
                            "azp", client_id, "client_id", client_id, "amr", "pwd");
    json_t *roles;

    if (out == NULL)
        return NULL;
    if (zjson_str(tctx, "nonce", NULL) != NULL)
        json_object_set(out, "nonce", json_object_get(tctx, "nonce"));
    if (zjson_str(tctx, "sessionId", NULL) != NULL)
        json_object_set(out, "sid", json_object_get(tctx, "sessionId"));
    if (at_hash != NULL)
        json_object_set_new(out, "at_hash", json_string(at_hash));
    roles = claims_roles(doc, tctx, CLAIMS_ID_TOKEN);
    json_object_update(out, roles);
    json_decref(roles);
    add_resourceowner(out, doc, tctx);
    return out;
}

json_t *claims_userinfo(const json_t *doc, const json_t *tctx)
{
    json_t *user = json_object_get(json_object_get(doc, STORE_USERS), zjson_str(tctx, "sub", ""));
    json_t *out = json_pack("{s:s}", "sub", zjson_str(tctx, "sub", ""));
    json_t *roles;

    if (out == NULL)
        return NULL;
    add_profile(out, user, json_object_get(tctx, "scope"));
    roles = claims_roles(doc, tctx, CLAIMS_USERINFO);
    json_object_update(out, roles);
    json_decref(roles);
    add_resourceowner(out, doc, tctx);
    return out;
}

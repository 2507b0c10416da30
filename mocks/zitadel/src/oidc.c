/*
 * oidc.c - ZITADEL v2.40's OIDC endpoints: discovery, JWKS, authorize,
 * token, introspect, userinfo, revoke and end_session.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "action.h"
#include "claims.h"
#include "hito/log.h"
#include "policy.h"
#include "server.h"
#include "zjson.h"

#define GRANT_JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"
/* Sizes of form values the OAuth endpoints accept. */
#define FORM_VALUE_MAX 4096
#define CLIENT_ID_MAX 256
#define TOKEN_BYTES 32
#define TOKEN_TEXT 64
/* Flow and trigger types of ZITADEL's v1 Actions (proto enums). */
#define FLOW_COMPLEMENT_TOKEN "2"
#define TRIGGER_PRE_USERINFO "4"
#define TRIGGER_PRE_ACCESS_TOKEN "5"

static void discovery(struct zreq *z)
{
    const char *iss = z->issuer;
    char url[9][ZSRV_MAX_ISSUER + 64];
    static const char *const paths[9] = {
        "/oauth/v2/authorize", "/oauth/v2/token",   "/oauth/v2/introspect",
        "/oidc/v1/userinfo",   "/oauth/v2/revoke",  "/oidc/v1/end_session",
        "/oauth/v2/device_authorization", "/oauth/v2/keys", "",
    };

    for (size_t i = 0; i < 9; i++)
        snprintf(url[i], sizeof(url[i]), "%s%s", iss, paths[i]);
    zreq_json(z, 200, json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
        " s:[s,s,s,s,s,s,s,s,s], s:[s,s,s], s:[s,s], s:[s,s,s,s,s],"
        " s:[s], s:[s], s:[s], s:[s], s:[s], s:[s,s,s,s], s:[s], s:[s],"
        " s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s], s:b, s:b}",
        "issuer", iss, "authorization_endpoint", url[0], "token_endpoint", url[1],
        "introspection_endpoint", url[2], "userinfo_endpoint", url[3],
        "revocation_endpoint", url[4], "end_session_endpoint", url[5],
        "device_authorization_endpoint", url[6], "jwks_uri", url[7],
        "scopes_supported", "openid", "profile", "email", "phone", "address",
        "offline_access", "urn:zitadel:iam:org:project:roles",
        "urn:zitadel:iam:user:resourceowner", "urn:zitadel:iam:org:projects:roles",
        "response_types_supported", "code", "id_token", "id_token token",
        "response_modes_supported", "query", "fragment",
        "grant_types_supported", "authorization_code", "implicit", "refresh_token",
        "client_credentials", GRANT_JWT_BEARER,
        "subject_types_supported", "public",
        "id_token_signing_alg_values_supported", "RS256",
        "request_object_signing_alg_values_supported", "RS256",
        "introspection_endpoint_auth_signing_alg_values_supported", "RS256",
        "revocation_endpoint_auth_signing_alg_values_supported", "RS256",
        "token_endpoint_auth_methods_supported", "none", "client_secret_basic",
        "client_secret_post", "private_key_jwt",
        "code_challenge_methods_supported", "S256",
        "ui_locales_supported", "en",
        "claims_supported", "sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "acr",
        "amr", "c_hash", "at_hash", "act", "scopes", "client_id", "azp",
        "request_parameter_supported", 0, "request_uri_parameter_supported", 0));
}

static void jwks(struct zreq *z)
{
    zreq_json(z, 200, jose_keyring_jwks(z->srv->keys));
}

/* ---- token issuance ---- */

/* Returns the user's grants for the token's projects in ZITADEL's Actions shape. */
static json_t *action_grants(const json_t *doc, const json_t *tctx)
{
    json_t *projects = claims_scope_projects(doc, json_object_get(tctx, "scope"));
    json_t *app = json_object_get(json_object_get(doc, STORE_APPS), zjson_str(tctx, "appId", ""));
    json_t *list = json_array();
    const char *id;
    json_t *grant;

    if (app != NULL)
        json_array_append_new(projects, json_string(zjson_str(app, "_projectId", "")));
    json_object_foreach(json_object_get(doc, STORE_GRANTS), id, grant) {
        const char *pid = zjson_str(grant, "projectId", "");
        json_t *project = json_object_get(json_object_get(doc, STORE_PROJECTS), pid);

        if (strcmp(zjson_str(grant, "userId", ""), zjson_str(tctx, "sub", "")) != 0 ||
            !claims_scope_has(projects, pid))
            continue;
        json_array_append_new(list, json_pack(
            "{s:s, s:s, s:s, s:O, s:s, s:s, s:s}", "id", id, "projectId", pid, "projectName",
            zjson_str(project, "name", ""), "roles", json_object_get(grant, "roleKeys"),
            "userId", zjson_str(grant, "userId", ""), "userGrantResourceOwner",
            zjson_str(grant, "_owner", ""), "state", "active"));
    }
    json_decref(projects);
    return json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list), "grants", list);
}

/*
 * Builds ctx.v1 for the complement-token flow. As in ZITADEL 2.40, grants
 * is null unless roles were requested, and always null for machine users,
 * which have no project context in Actions.
 * NOTE: taken as null even when a client_credentials request names the
 * project in an audience scope; later ZITADEL versions may differ.
 */
static json_t *action_context(const json_t *doc, const json_t *tctx, const json_t *claims)
{
    json_t *user = json_object_get(json_object_get(doc, STORE_USERS), zjson_str(tctx, "sub", ""));
    json_t *pub = zjson_public(user);
    json_t *grants = json_null();

    if (json_object_get(user, "machine") == NULL && claims_roles_requested(doc, tctx))
        grants = action_grants(doc, tctx);
    json_object_set_new(pub, "grants", grants);
    return json_pack("{s:o, s:O}", "user", pub, "claims", claims);
}

/*
 * Runs the actions set on a complement-token trigger of the user's org and
 * adds the claims they set to claims. Returns -1 when an action that is not
 * allowed to fail failed.
 */
static int run_flow(struct zreq *z, const json_t *tctx, const char *trigger, json_t *claims)
{
    json_t *user = json_object_get(json_object_get(z->doc, STORE_USERS),
                                   zjson_str(tctx, "sub", ""));
    char key[128];
    json_t *ids;
    size_t i;
    json_t *id;

    snprintf(key, sizeof(key), "%s/%s/%s", zjson_str(user, "_owner", ""),
             FLOW_COMPLEMENT_TOKEN, trigger);
    ids = json_object_get(json_object_get(z->doc, STORE_FLOWS), key);
    json_array_foreach(ids, i, id) {
        json_t *action = json_object_get(json_object_get(z->doc, STORE_ACTIONS),
                                         json_string_value(id));
        json_t *ctx_v1;
        json_t *added = NULL;
        struct hito_error err = {0};
        int rc;

        if (action == NULL)
            continue;
        ctx_v1 = action_context(z->doc, tctx, claims);
        rc = action_run(zjson_str(action, "name", ""), zjson_str(action, "script", ""),
                        json_number_value(json_object_get(action, "_timeoutS")), ctx_v1, claims,
                        &added, &err);
        json_decref(ctx_v1);
        if (rc != HITO_OK) {
            LOG_WARN("action failed", "action", zjson_str(action, "name", ""), "error",
                     err.message);
            if (zjson_bool(action, "allowedToFail"))
                continue;
            return -1;
        }
        json_object_update_missing(claims, added);
        json_decref(added);
    }
    return 0;
}

/* Stores a token entry under key, evicting expired entries when the collection is full. */
static void token_store(struct zreq *z, const char *key, const char *type, double exp,
                        const json_t *tctx)
{
    json_t *tokens = store_coll(z->srv->store, STORE_TOKENS);

    if (!store_has_room(z->srv->store, STORE_TOKENS))
        store_prune_expired(z->srv->store, STORE_TOKENS, store_now());
    if (!store_has_room(z->srv->store, STORE_TOKENS)) {
        /* NOTE: full of live tokens: the oldest entry goes, so its token stops verifying here. */
        void *it = json_object_iter(tokens);

        json_object_del(tokens, json_object_iter_key(it));
    }
    json_object_set_new(tokens, key, json_pack("{s:s, s:f, s:O}", "type", type, "exp", exp,
                                               "ctx", tctx));
    z->dirty = 1;
}

/* Creates a random token, stores it by hash and returns it in out. */
static int opaque_token(struct zreq *z, const char *type, double exp, const json_t *tctx,
                        char out[TOKEN_TEXT])
{
    char hash[65];

    if (jose_random_token(out, TOKEN_TEXT, TOKEN_BYTES) != HITO_OK)
        return -1;
    jose_sha256_hex(out, strlen(out), hash);
    token_store(z, hash, type, exp, tctx);
    return 0;
}

/* Returns nonzero when the app or machine user requests JWT access tokens. */
static int wants_jwt(const json_t *doc, const json_t *tctx)
{
    json_t *app = json_object_get(json_object_get(doc, STORE_APPS), zjson_str(tctx, "appId", ""));
    json_t *user = json_object_get(json_object_get(doc, STORE_USERS), zjson_str(tctx, "sub", ""));

    if (app != NULL)
        return strcmp(zjson_str(json_object_get(app, "oidcConfig"), "accessTokenType", ""),
                      "OIDC_TOKEN_TYPE_JWT") == 0;
    return strcmp(zjson_str(json_object_get(user, "machine"), "accessTokenType", ""),
                  "ACCESS_TOKEN_TYPE_JWT") == 0;
}

/* Mints the JWT access token: claims, complement-token actions, signature. */
static char *jwt_access_token(struct zreq *z, const json_t *tctx, long long iat, long long exp)
{
    char jti[STORE_ID_SIZE];
    char key[STORE_ID_SIZE + 8];
    json_t *claims;
    char *token = NULL;

    store_next_id(z->srv->store, jti, sizeof(jti));
    z->dirty = 1;
    claims = claims_access_token(z->doc, tctx, z->issuer, iat, exp, jti);
    if (claims == NULL)
        return NULL;
    if (run_flow(z, tctx, TRIGGER_PRE_ACCESS_TOKEN, claims) == 0)
        token = jose_sign(z->srv->keys, claims, "JWT");
    json_decref(claims);
    if (token != NULL) {
        snprintf(key, sizeof(key), "jti:%s", jti);
        token_store(z, key, "jwt", (double)exp, tctx);
    }
    return token;
}

/*
 * Issues the token response for tctx. The ID token comes with login flows
 * (scope openid and an app), the refresh token with offline_access when the
 * app allows the refresh grant.
 */
static void issue(struct zreq *z, const json_t *tctx)
{
    const struct zsrv_settings *s = &z->srv->settings;
    long long now = (long long)store_now();
    long long exp = now + s->access_token_lifetime_s;
    json_t *scopes = json_object_get(tctx, "scope");
    json_t *app = json_object_get(json_object_get(z->doc, STORE_APPS), zjson_str(tctx, "appId", ""));
    char opaque[TOKEN_TEXT];
    char refresh[TOKEN_TEXT];
    char *access = NULL;
    json_t *out;

    if (wants_jwt(z->doc, tctx)) {
        access = jwt_access_token(z, tctx, now, exp);
        if (access == NULL) {
            zreq_oauth_error(z, 500, "server_error", "an action failed or signing failed");
            return;
        }
    } else if (opaque_token(z, "access", (double)exp, tctx, opaque) == 0) {
        access = strdup(opaque);
    }
    if (access == NULL) {
        zreq_oauth_error(z, 500, "server_error", "token generation failed");
        return;
    }
    out = json_pack("{s:s, s:s, s:I}", "access_token", access, "token_type", "Bearer",
                    "expires_in", (json_int_t)s->access_token_lifetime_s);
    if (app != NULL && claims_scope_has(scopes, "openid")) {
        char *at_hash = jose_half_hash(access);
        json_t *idc = claims_id_token(z->doc, tctx, z->issuer, now,
                                      now + s->id_token_lifetime_s, at_hash);
        char *id_token = jose_sign(z->srv->keys, idc, "JWT");

        if (id_token != NULL)
            json_object_set_new(out, "id_token", json_string(id_token));
        free(id_token);
        free(at_hash);
        json_decref(idc);
    }
    if (app != NULL && claims_scope_has(scopes, "offline_access") &&
        claims_scope_has(json_object_get(json_object_get(app, "oidcConfig"), "grantTypes"),
                         "OIDC_GRANT_TYPE_REFRESH_TOKEN") &&
        opaque_token(z, "refresh", (double)(now + s->refresh_idle_s), tctx, refresh) == 0)
        json_object_set_new(out, "refresh_token", json_string(refresh));
    free(access);
    zreq_json(z, 200, out);
}

/* ---- grants ---- */

static const char *form(struct zreq *z, const char *key, char *buf, size_t size)
{
    size_t len;
    const char *body = httpd_body(z->http, &len);

    return zsrv_form_value(body, len, key, buf, size) >= 0 ? buf : NULL;
}

/* Builds the token context of a machine user: aud only from audience scopes. */
static json_t *machine_context(struct zreq *z, const json_t *user, const char *scope)
{
    json_t *scopes = claims_scope_parse(scope);
    json_t *aud;

    if (scopes == NULL)
        return NULL;
    aud = claims_scope_projects(z->doc, scopes);
    return json_pack("{s:s, s:s, s:o, s:o, s:f}", "sub", zjson_str(user, "id", ""), "clientId",
                     zjson_str(user, "userName", ""), "scope", scopes, "aud", aud, "authTime",
                     store_now());
}

/* Issues tokens to a machine user for the request's scope. */
static void issue_machine(struct zreq *z, const json_t *user)
{
    char scope[FORM_VALUE_MAX];
    json_t *tctx = machine_context(z, user, form(z, "scope", scope, sizeof(scope)));

    if (tctx == NULL) {
        zreq_oauth_error(z, 400, "invalid_scope", "scope is too long");
        return;
    }
    issue(z, tctx);
    json_decref(tctx);
}

static void grant_client_credentials(struct zreq *z)
{
    char id[CLIENT_ID_MAX];
    char secret[CLIENT_ID_MAX];
    json_t *user;

    if (zsrv_client_credentials(z, id, sizeof(id), secret, sizeof(secret)) < 0) {
        zreq_oauth_error(z, 401, "invalid_client", "client credentials are missing");
        return;
    }
    user = zsrv_user_by_login_name(z->doc, id);
    if (user == NULL || json_object_get(user, "machine") == NULL ||
        !zsrv_secret_ok(zjson_str(user, "_secretHash", NULL), secret)) {
        zreq_oauth_error(z, 401, "invalid_client", "client authentication failed");
        return;
    }
    issue_machine(z, user);
}

/* Checks a JWT profile assertion (RFC 7523) signed with a machine user key. */
static void grant_jwt_bearer(struct zreq *z)
{
    char assertion[JOSE_MAX_TOKEN];
    json_t *header = jose_peek_header(form(z, "assertion", assertion, sizeof(assertion))
                                          ? assertion : "");
    json_t *key = json_object_get(json_object_get(z->doc, STORE_USER_KEYS),
                                  zjson_str(header, "kid", ""));
    json_t *claims = NULL;
    json_t *user;

    json_decref(header);
    if (key == NULL || jose_verify_pem(zjson_str(key, "publicKey", ""), assertion, NULL, &claims,
                                       NULL) != HITO_OK) {
        zreq_oauth_error(z, 400, "invalid_grant", "assertion is invalid or its key unknown");
        return;
    }
    user = json_object_get(json_object_get(z->doc, STORE_USERS), zjson_str(key, "userId", ""));
    if (user == NULL || strcmp(zjson_str(claims, "sub", ""), zjson_str(key, "userId", "")) != 0 ||
        json_number_value(json_object_get(claims, "exp")) < store_now() ||
        (!claims_scope_has(json_object_get(claims, "aud"), z->issuer) &&
         strcmp(zjson_str(claims, "aud", ""), z->issuer) != 0)) {
        json_decref(claims);
        zreq_oauth_error(z, 400, "invalid_grant", "assertion sub, aud or exp is invalid");
        return;
    }
    json_decref(claims);
    issue_machine(z, user);
}

/*
 * Authenticates the app of a code or refresh grant: by secret for BASIC and
 * POST apps, by client_id alone for NONE (PKCE) apps. Returns the app or NULL
 * after setting the error.
 */
static json_t *authenticate_app(struct zreq *z)
{
    char id[CLIENT_ID_MAX];
    char secret[CLIENT_ID_MAX];
    json_t *app;
    json_t *cfg;

    if (zsrv_client_credentials(z, id, sizeof(id), secret, sizeof(secret)) < 0) {
        zreq_oauth_error(z, 401, "invalid_client", "client_id is missing");
        return NULL;
    }
    app = zsrv_app_by_client_id(z->doc, id);
    cfg = json_object_get(app, "oidcConfig");
    if (cfg == NULL) {
        zreq_oauth_error(z, 401, "invalid_client", "client not found");
        return NULL;
    }
    if (strcmp(zjson_str(cfg, "authMethodType", ""), "OIDC_AUTH_METHOD_TYPE_NONE") == 0)
        return app;
    /* NOTE: private_key_jwt client assertions are not emulated; such apps are rejected. */
    if (!zsrv_secret_ok(zjson_str(app, "_secretHash", NULL), secret)) {
        zreq_oauth_error(z, 401, "invalid_client", "client authentication failed");
        return NULL;
    }
    return app;
}

static void grant_authorization_code(struct zreq *z)
{
    char code[TOKEN_TEXT * 2];
    char redirect[ZSRV_MAX_URL];
    char verifier[256];
    char hash[65];
    json_t *codes = store_coll(z->srv->store, STORE_CODES);
    json_t *entry;
    json_t *app = authenticate_app(z);
    const char *challenge;

    if (app == NULL)
        return;
    if (form(z, "code", code, sizeof(code)) == NULL) {
        zreq_oauth_error(z, 400, "invalid_request", "code is missing");
        return;
    }
    jose_sha256_hex(code, strlen(code), hash);
    entry = json_incref(json_object_get(codes, hash));
    /* A code is good for one exchange, whatever its outcome. */
    json_object_del(codes, hash);
    z->dirty = 1;
    if (entry == NULL || json_number_value(json_object_get(entry, "exp")) < store_now() ||
        strcmp(zjson_str(json_object_get(entry, "ctx"), "appId", ""), zjson_str(app, "id", "")) != 0) {
        zreq_oauth_error(z, 400, "invalid_grant", "code is invalid or expired");
        goto out;
    }
    if (form(z, "redirect_uri", redirect, sizeof(redirect)) == NULL ||
        strcmp(redirect, zjson_str(entry, "redirectUri", "")) != 0) {
        zreq_oauth_error(z, 400, "invalid_grant", "redirect_uri does not match the auth request");
        goto out;
    }
    challenge = zjson_str(entry, "codeChallenge", NULL);
    if (challenge != NULL && (form(z, "code_verifier", verifier, sizeof(verifier)) == NULL ||
                              !jose_pkce_s256_ok(verifier, challenge))) {
        zreq_oauth_error(z, 400, "invalid_grant", "code_verifier does not match the challenge");
        goto out;
    }
    issue(z, json_object_get(entry, "ctx"));
out:
    json_decref(entry);
}

static void grant_refresh_token(struct zreq *z)
{
    char token[TOKEN_TEXT * 2];
    char hash[65];
    json_t *tokens = store_coll(z->srv->store, STORE_TOKENS);
    json_t *entry;
    json_t *app = authenticate_app(z);

    if (app == NULL)
        return;
    if (form(z, "refresh_token", token, sizeof(token)) == NULL) {
        zreq_oauth_error(z, 400, "invalid_request", "refresh_token is missing");
        return;
    }
    jose_sha256_hex(token, strlen(token), hash);
    entry = json_object_get(tokens, hash);
    if (entry == NULL || strcmp(zjson_str(entry, "type", ""), "refresh") != 0 ||
        json_number_value(json_object_get(entry, "exp")) < store_now() ||
        strcmp(zjson_str(json_object_get(entry, "ctx"), "appId", ""), zjson_str(app, "id", "")) != 0) {
        zreq_oauth_error(z, 400, "invalid_grant", "refresh token is invalid");
        return;
    }
    /*
     * Rotation: the used refresh token is gone once issue() has handed out a
     * new one; a failed issuance (an action threw) leaves it usable.
     */
    json_incref(entry);
    json_object_del(tokens, hash);
    z->dirty = 1;
    issue(z, json_object_get(entry, "ctx"));
    if (z->status != 200)
        json_object_set(tokens, hash, entry);
    json_decref(entry);
}

static void token(struct zreq *z)
{
    char grant[128];

    if (form(z, "grant_type", grant, sizeof(grant)) == NULL) {
        zreq_oauth_error(z, 400, "invalid_request", "grant_type missing");
        return;
    }
    if (strcmp(grant, "client_credentials") == 0)
        grant_client_credentials(z);
    else if (strcmp(grant, GRANT_JWT_BEARER) == 0)
        grant_jwt_bearer(z);
    else if (strcmp(grant, "authorization_code") == 0)
        grant_authorization_code(z);
    else if (strcmp(grant, "refresh_token") == 0)
        grant_refresh_token(z);
    else
        zreq_oauth_error(z, 400, "unsupported_grant_type", "grant_type is not supported");
}

/* ---- authorize ---- */

static const char *query(struct zreq *z, const char *key, char *buf, size_t size)
{
    const char *q = httpd_query_string(z->http);

    return zsrv_form_value(q, strlen(q), key, buf, size) >= 0 ? buf : NULL;
}

/* Redirects to the client with an OAuth error, as RFC 6749 4.1.2.1 requires. */
static void authorize_error(struct zreq *z, const char *redirect, const char *error,
                            const char *description, const char *state)
{
    char *a = zsrv_url_add(redirect, "error", error);
    char *b = a ? zsrv_url_add(a, "error_description", description) : NULL;
    char *c = b && state ? zsrv_url_add(b, "state", state) : NULL;

    if (c != NULL)
        zreq_redirect(z, c);
    else if (b != NULL)
        zreq_redirect(z, b);
    else
        zreq_redirect(z, redirect);
    free(a);
    free(b);
    free(c);
}

/* Stores the auth request and returns its id ("V2_<id>") in id. */
static void authorize_store(struct zreq *z, json_t *app, json_t *scopes, const char *redirect,
                            const char *login_client, char id[STORE_ID_SIZE + 4])
{
    char raw[STORE_ID_SIZE];
    char buf[FORM_VALUE_MAX];
    json_t *req;

    store_next_id(z->srv->store, raw, sizeof(raw));
    snprintf(id, STORE_ID_SIZE + 4, "V2_%s", raw);
    req = json_pack("{s:s, s:s, s:s, s:O, s:s, s:f}", "id", id, "appId", zjson_str(app, "id", ""),
                    "clientId", zjson_str(json_object_get(app, "oidcConfig"), "clientId", ""),
                    "scope", scopes, "redirectUri", redirect, "exp",
                    store_now() + (double)z->srv->settings.code_lifetime_s);
    if (login_client != NULL)
        json_object_set_new(req, "loginClient", json_string(login_client));
    if (query(z, "state", buf, sizeof(buf)) != NULL)
        json_object_set_new(req, "state", json_string(buf));
    if (query(z, "nonce", buf, sizeof(buf)) != NULL)
        json_object_set_new(req, "nonce", json_string(buf));
    if (query(z, "code_challenge", buf, sizeof(buf)) != NULL)
        json_object_set_new(req, "codeChallenge", json_string(buf));
    if (query(z, "login_hint", buf, sizeof(buf)) != NULL)
        json_object_set_new(req, "loginHint", json_string(buf));
    store_prune_expired(z->srv->store, STORE_AUTH_REQUESTS, store_now());
    if (!store_has_room(z->srv->store, STORE_AUTH_REQUESTS))
        json_object_clear(store_coll(z->srv->store, STORE_AUTH_REQUESTS));
    json_object_set_new(store_coll(z->srv->store, STORE_AUTH_REQUESTS), id, req);
    z->dirty = 1;
}

static void authorize(struct zreq *z)
{
    char client_id[CLIENT_ID_MAX];
    char redirect[ZSRV_MAX_URL];
    char buf[FORM_VALUE_MAX];
    char state[FORM_VALUE_MAX];
    char challenge[256];
    char id[STORE_ID_SIZE + 4];
    char location[STORE_ID_SIZE + 64];
    const char *has_state;
    const char *login_client = httpd_header(z->http, "x-zitadel-login-client");
    json_t *app;
    json_t *cfg;
    json_t *scopes;
    const char *method;

    app = zsrv_app_by_client_id(z->doc, query(z, "client_id", client_id, sizeof(client_id))
                                            ? client_id : "");
    cfg = json_object_get(app, "oidcConfig");
    if (cfg == NULL) {
        zreq_oauth_error(z, 400, "invalid_request", "client_id is missing or unknown");
        return;
    }
    if (query(z, "redirect_uri", redirect, sizeof(redirect)) == NULL ||
        !claims_scope_has(json_object_get(cfg, "redirectUris"), redirect)) {
        zreq_oauth_error(z, 400, "invalid_request",
                         "redirect_uri is missing or not registered for the client");
        return;
    }
    has_state = query(z, "state", state, sizeof(state));
    if (query(z, "response_type", buf, sizeof(buf)) == NULL || strcmp(buf, "code") != 0) {
        authorize_error(z, redirect, "unsupported_response_type",
                        "only response_type code is emulated", has_state);
        return;
    }
    scopes = claims_scope_parse(query(z, "scope", buf, sizeof(buf)));
    if (scopes == NULL || !claims_scope_has(scopes, "openid")) {
        authorize_error(z, redirect, "invalid_scope", "The scope openid is missing in your "
                        "request. Please ensure the scope openid is added to the request.",
                        has_state);
        json_decref(scopes);
        return;
    }
    method = query(z, "code_challenge_method", buf, sizeof(buf));
    if (query(z, "code_challenge", challenge, sizeof(challenge)) != NULL &&
        (method == NULL || strcmp(method, "S256") != 0)) {
        authorize_error(z, redirect, "invalid_request",
                        "code_challenge_method must be S256", has_state);
        json_decref(scopes);
        return;
    }
    /* NOTE: public clients (auth method NONE) must use PKCE, as zitadel/oidc requires. */
    if (query(z, "code_challenge", challenge, sizeof(challenge)) == NULL &&
        strcmp(zjson_str(cfg, "authMethodType", ""), "OIDC_AUTH_METHOD_TYPE_NONE") == 0) {
        authorize_error(z, redirect, "invalid_request",
                        "code_challenge is required for a client without authentication",
                        has_state);
        json_decref(scopes);
        return;
    }
    authorize_store(z, app, scopes, redirect, login_client, id);
    json_decref(scopes);
    if (login_client != NULL)
        snprintf(location, sizeof(location), "/login?authRequest=%s", id);
    else
        /* NOTE: the hosted login UI (v1) is not emulated; that page returns 404. */
        snprintf(location, sizeof(location), "/ui/login/login?authRequestID=%s", id + 3);
    zreq_redirect(z, location);
}

/* ---- introspect, userinfo, revoke, end_session ---- */

/* Resolves an access token (JWT or opaque) to its token context (new reference). */
static json_t *access_context(struct zreq *z, const char *token)
{
    json_t *tctx = NULL;
    json_t *user = zsrv_token_user(z->srv, z->doc, token, &tctx);

    if (user == NULL || tctx == NULL || policy_is_locked(user)) {
        json_decref(tctx);
        return NULL;
    }
    return tctx;
}

/* Joins a scope array with spaces, as RFC 7662 2.2 sends it. */
static json_t *scope_string(const json_t *scopes)
{
    char buf[CLAIMS_MAX_SCOPE + 1] = "";
    size_t len = 0;
    size_t i;
    json_t *s;

    json_array_foreach(scopes, i, s) {
        int n = snprintf(buf + len, sizeof(buf) - len, "%s%s", i > 0 ? " " : "",
                         json_string_value(s));

        if (n < 0 || (size_t)n >= sizeof(buf) - len)
            break;
        len += (size_t)n;
    }
    return json_string(buf);
}

static void introspect(struct zreq *z)
{
    char id[CLIENT_ID_MAX];
    char secret[CLIENT_ID_MAX];
    char tok[JOSE_MAX_TOKEN];
    json_t *app = NULL;
    json_t *tctx;
    json_t *aud;
    json_t *out;
    long long now = (long long)store_now();

    if (zsrv_client_credentials(z, id, sizeof(id), secret, sizeof(secret)) == 0)
        app = zsrv_app_by_client_id(z->doc, id);
    if (json_object_get(app, "apiConfig") == NULL ||
        !zsrv_secret_ok(zjson_str(app, "_secretHash", NULL), secret)) {
        zreq_oauth_error(z, 401, "invalid_client", "introspection needs an API app's credentials");
        return;
    }
    tctx = form(z, "token", tok, sizeof(tok)) ? access_context(z, tok) : NULL;
    aud = json_object_get(tctx, "aud");
    if (tctx == NULL || (!claims_scope_has(aud, id) &&
                         !claims_scope_has(aud, zjson_str(app, "_projectId", "")))) {
        json_decref(tctx);
        zreq_json(z, 200, json_pack("{s:b}", "active", 0));
        return;
    }
    out = claims_access_token(z->doc, tctx, z->issuer, now, now, "");
    json_object_del(out, "exp");
    json_object_del(out, "iat");
    json_object_del(out, "nbf");
    json_object_del(out, "jti");
    json_object_set_new(out, "active", json_true());
    json_object_set_new(out, "client_id", json_string(zjson_str(tctx, "clientId", "")));
    json_object_set_new(out, "token_type", json_string("Bearer"));
    json_object_set_new(out, "scope", scope_string(json_object_get(tctx, "scope")));
    json_decref(tctx);
    zreq_json(z, 200, out);
}

static void userinfo(struct zreq *z)
{
    const char *auth = httpd_header(z->http, "Authorization");
    json_t *tctx = NULL;
    json_t *out;

    if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
        tctx = access_context(z, auth + 7);
    if (tctx == NULL) {
        zreq_oauth_error(z, 401, "invalid_token", "access token is missing, invalid or expired");
        return;
    }
    out = claims_userinfo(z->doc, tctx);
    if (run_flow(z, tctx, TRIGGER_PRE_USERINFO, out) < 0) {
        json_decref(out);
        json_decref(tctx);
        zreq_oauth_error(z, 500, "server_error", "an action failed");
        return;
    }
    json_decref(tctx);
    zreq_json(z, 200, out);
}

static void revoke(struct zreq *z)
{
    char id[CLIENT_ID_MAX];
    char secret[CLIENT_ID_MAX];
    char tok[JOSE_MAX_TOKEN];
    char hash[65];
    json_t *tokens = store_coll(z->srv->store, STORE_TOKENS);
    json_t *claims = NULL;

    if (zsrv_client_credentials(z, id, sizeof(id), secret, sizeof(secret)) < 0 ||
        zsrv_app_by_client_id(z->doc, id) == NULL) {
        zreq_oauth_error(z, 401, "invalid_client", "client authentication failed");
        return;
    }
    if (form(z, "token", tok, sizeof(tok)) == NULL) {
        zreq_oauth_error(z, 400, "invalid_request", "token is missing");
        return;
    }
    jose_sha256_hex(tok, strlen(tok), hash);
    json_object_del(tokens, hash);
    if (jose_verify(z->srv->keys, tok, &claims, NULL) == HITO_OK) {
        char key[128];

        snprintf(key, sizeof(key), "jti:%s", zjson_str(claims, "jti", ""));
        json_object_del(tokens, key);
        json_decref(claims);
    }
    z->dirty = 1;
    /* RFC 7009 2.2: unknown tokens also get 200. */
    zreq_text(z, 200, "text/plain", "");
}

static void end_session(struct zreq *z)
{
    char redirect[ZSRV_MAX_URL];
    char state[FORM_VALUE_MAX];

    if (query(z, "post_logout_redirect_uri", redirect, sizeof(redirect)) == NULL) {
        zreq_text(z, 200, "text/plain", "logged out");
        return;
    }
    if (query(z, "state", state, sizeof(state)) != NULL) {
        char *url = zsrv_url_add(redirect, "state", state);

        zreq_redirect(z, url != NULL ? url : redirect);
        free(url);
        return;
    }
    zreq_redirect(z, redirect);
}

static void device_authorization(struct zreq *z)
{
    /* NOTE: ZITADEL 2.40 supports the device flow; the emulator does not. */
    zreq_oauth_error(z, 400, "invalid_request", "device authorization is not emulated");
}

int zsrv_routes_oidc(struct zsrv *srv)
{
    const int f = ZROUTE_INSTANCE;
    int rc = 0;

    rc |= zsrv_route(srv, "GET", "/.well-known/openid-configuration", f, discovery);
    rc |= zsrv_route(srv, "GET", "/oauth/v2/keys", f, jwks);
    rc |= zsrv_route(srv, "GET", "/oauth/v2/authorize", f, authorize);
    rc |= zsrv_route(srv, "POST", "/oauth/v2/token", f, token);
    rc |= zsrv_route(srv, "POST", "/oauth/v2/introspect", f, introspect);
    rc |= zsrv_route(srv, "GET", "/oidc/v1/userinfo", f, userinfo);
    rc |= zsrv_route(srv, "POST", "/oidc/v1/userinfo", f, userinfo);
    rc |= zsrv_route(srv, "POST", "/oauth/v2/revoke", f, revoke);
    rc |= zsrv_route(srv, "GET", "/oidc/v1/end_session", f, end_session);
    rc |= zsrv_route(srv, "POST", "/oauth/v2/device_authorization", f, device_authorization);
    return rc != 0 ? HITO_ERR_LIMIT : HITO_OK;
}

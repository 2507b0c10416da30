/*
 * login.c - login without the hosted UI (session API v2beta and auth request
 * finalisation), health endpoints and the emulator's test-only controls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "claims.h"
#include "hito/log.h"
#include "policy.h"
#include "users.h"
#include "zjson.h"

#define SESSION_TOKEN_BYTES 32
#define SESSION_TOKEN_TEXT 64
#define PASSWORD_MAX 256
#define CODE_BYTES 32
/* Sessions live this long without use (ZITADEL's default has no expiry). */
#define SESSION_LIFETIME_S (24 * 3600)

/* Authenticates the caller of the session and OIDC v2beta APIs. */
static json_t *bearer_user(struct zreq *z)
{
    const char *auth = httpd_header(z->http, "Authorization");

    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
        zreq_error(z, ZGRPC_UNAUTHENTICATED, NULL, "auth header missing");
        return NULL;
    }
    z->caller = zsrv_token_user(z->srv, z->doc, auth + 7, &z->caller_token);
    if (z->caller == NULL)
        zreq_error(z, ZGRPC_UNAUTHENTICATED, "AUTH-7fs1e", "Errors.Token.Invalid");
    return z->caller;
}

/*
 * Checks a password for the session API. Lockout follows the user's org
 * policy unless the emulator reproduces 2.40's session API, which ignores it.
 * Returns 0 when the password is right, else sets the error.
 */
static int check_password(struct zreq *z, json_t *user, const char *password)
{
    json_t *lockout = users_policy(z->doc, "lockout", zjson_str(user, "_owner", ""));
    int enforce = !z->srv->settings.session_ignores_lockout;

    if (enforce && policy_is_locked(user)) {
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "COMMAND-JLK35", "User is locked");
        return -1;
    }
    if (users_password_ok(user, password)) {
        policy_reset_failures(user);
        z->dirty = 1;
        return 0;
    }
    if (enforce && policy_record_failure(user, lockout))
        LOG_INFO("user locked after failed password checks", "user_id", zjson_str(user, "id", ""));
    z->dirty = 1;
    zreq_error(z, ZGRPC_INVALID_ARGUMENT, "COMMAND-3M0fs", "Password is invalid");
    return -1;
}

static void session_create(struct zreq *z)
{
    json_t *body = bearer_user(z) ? zreq_body(z) : NULL;
    json_t *checks = json_object_get(body, "checks");
    json_t *ucheck = json_object_get(checks, "user");
    json_t *pcheck = json_object_get(checks, "password");
    const char *login_name;
    const char *user_id;
    const char *password;
    char token[SESSION_TOKEN_TEXT];
    char hash[65];
    char id[STORE_ID_SIZE];
    json_t *user;
    json_t *session;

    if (body == NULL || zreq_string(z, ucheck, "loginName", ZSRV_MAX_FIELD, 0, &login_name) < 0 ||
        zreq_string(z, ucheck, "userId", STORE_ID_SIZE, 0, &user_id) < 0 ||
        zreq_string(z, pcheck, "password", PASSWORD_MAX, 0, &password) < 0)
        goto out;
    user = login_name ? zsrv_user_by_login_name(z->doc, login_name)
                      : json_object_get(json_object_get(z->doc, STORE_USERS), user_id ? user_id : "");
    if (login_name == NULL && user_id == NULL) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG09", "checks.user needs loginName or userId");
        goto out;
    }
    if (user == NULL) {
        zreq_error(z, ZGRPC_NOT_FOUND, "QUERY-Dfbg2", "User could not be found");
        goto out;
    }
    if (password != NULL && check_password(z, user, password) < 0)
        goto out;
    if (jose_random_token(token, sizeof(token), SESSION_TOKEN_BYTES) != HITO_OK) {
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "token generation failed");
        goto out;
    }
    store_prune_expired(z->srv->store, STORE_SESSIONS, store_now());
    if (api_check_room(z, STORE_SESSIONS) < 0)
        goto out;
    jose_sha256_hex(token, strlen(token), hash);
    store_next_id(z->srv->store, id, sizeof(id));
    session = json_pack("{s:s, s:s, s:s, s:f, s:f}", "id", id, "userId",
                        zjson_str(user, "id", ""), "tokenHash", hash, "exp",
                        store_now() + SESSION_LIFETIME_S, "passwordCheckedAt",
                        password != NULL ? store_now() : 0.0);
    store_stamp_new(z->srv->store, session, zjson_str(user, "_owner", ""));
    json_object_set_new(store_coll(z->srv->store, STORE_SESSIONS), id, session);
    z->dirty = 1;
    zreq_json(z, 201, json_pack("{s:o, s:s, s:s}", "details", store_details(session),
                                "sessionId", id, "sessionToken", token));
out:
    json_decref(body);
}

/* Returns the pending auth request named by the path, or NULL after a 404. */
static json_t *auth_request(struct zreq *z)
{
    json_t *req = api_get(z, STORE_AUTH_REQUESTS, "id");

    if (req == NULL || json_number_value(json_object_get(req, "exp")) < store_now()) {
        zreq_error(z, ZGRPC_NOT_FOUND, "OIDCv2-Aevuu", "Auth request not found");
        return NULL;
    }
    return req;
}

static void auth_request_get(struct zreq *z)
{
    json_t *req = bearer_user(z) ? auth_request(z) : NULL;
    char created[64];
    json_t *scopes;

    if (req == NULL)
        return;
    zjson_time(json_number_value(json_object_get(req, "exp")) -
                   (double)z->srv->settings.code_lifetime_s, created, sizeof(created));
    scopes = json_object_get(req, "scope");
    zreq_json(z, 200, json_pack("{s:{s:s, s:s, s:s, s:O, s:s}}", "authRequest", "id",
                                zjson_str(req, "id", ""), "creationDate", created, "clientId",
                                zjson_str(req, "clientId", ""), "scope", scopes, "redirectUri",
                                zjson_str(req, "redirectUri", "")));
}

/* Returns the session of the request body when its token matches, else sets the error. */
static json_t *body_session(struct zreq *z, const json_t *body)
{
    json_t *spec = json_object_get(body, "session");
    const char *sid;
    const char *token;
    json_t *session;

    if (zreq_string(z, spec, "sessionId", STORE_ID_SIZE, 1, &sid) < 0 ||
        zreq_string(z, spec, "sessionToken", SESSION_TOKEN_TEXT, 1, &token) < 0)
        return NULL;
    session = json_object_get(json_object_get(z->doc, STORE_SESSIONS), sid);
    if (session == NULL || !zsrv_secret_ok(zjson_str(session, "tokenHash", NULL), token) ||
        json_number_value(json_object_get(session, "exp")) < store_now()) {
        zreq_error(z, ZGRPC_PERMISSION_DENIED, "COMMAND-sGr42", "Session token is invalid");
        return NULL;
    }
    if (json_number_value(json_object_get(session, "passwordCheckedAt")) <= 0) {
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "OIDCv2-Ahp5e", "Session is not authenticated");
        return NULL;
    }
    return session;
}

/* Creates the code of a finalised auth request; returns the callback URL. */
static char *issue_code(struct zreq *z, const json_t *req, const json_t *session)
{
    json_t *app = json_object_get(json_object_get(z->doc, STORE_APPS), zjson_str(req, "appId", ""));
    json_t *scopes = json_object_get(req, "scope");
    json_t *aud = claims_project_audience(z->doc, zjson_str(app, "_projectId", ""));
    json_t *extra = claims_scope_projects(z->doc, scopes);
    json_t *tctx;
    json_t *entry;
    char code[SESSION_TOKEN_TEXT];
    char hash[65];
    char *url;
    char *with_state;
    size_t i;
    json_t *p;

    json_array_foreach(extra, i, p) {
        if (!claims_scope_has(aud, json_string_value(p)))
            json_array_append(aud, p);
    }
    json_decref(extra);
    tctx = json_pack("{s:s, s:s, s:s, s:O, s:o, s:O, s:s}", "sub",
                     zjson_str(session, "userId", ""), "clientId", zjson_str(req, "clientId", ""),
                     "appId", zjson_str(req, "appId", ""), "scope", scopes, "aud", aud,
                     "authTime", json_object_get(session, "passwordCheckedAt"), "sessionId",
                     zjson_str(session, "id", ""));
    if (zjson_str(req, "nonce", NULL) != NULL)
        json_object_set(tctx, "nonce", json_object_get(req, "nonce"));
    if (jose_random_token(code, sizeof(code), CODE_BYTES) != HITO_OK) {
        json_decref(tctx);
        return NULL;
    }
    jose_sha256_hex(code, strlen(code), hash);
    entry = json_pack("{s:o, s:s, s:f}", "ctx", tctx, "redirectUri",
                      zjson_str(req, "redirectUri", ""), "exp",
                      store_now() + (double)z->srv->settings.code_lifetime_s);
    if (zjson_str(req, "codeChallenge", NULL) != NULL)
        json_object_set(entry, "codeChallenge", json_object_get(req, "codeChallenge"));
    store_prune_expired(z->srv->store, STORE_CODES, store_now());
    json_object_set_new(store_coll(z->srv->store, STORE_CODES), hash, entry);
    url = zsrv_url_add(zjson_str(req, "redirectUri", ""), "code", code);
    if (url == NULL || zjson_str(req, "state", NULL) == NULL)
        return url;
    with_state = zsrv_url_add(url, "state", zjson_str(req, "state", ""));
    free(url);
    return with_state;
}

static void auth_request_finalize(struct zreq *z)
{
    json_t *caller = bearer_user(z);
    json_t *req = caller ? auth_request(z) : NULL;
    json_t *body = req ? zreq_body(z) : NULL;
    json_t *session = body ? body_session(z, body) : NULL;
    const char *login_client;
    char *url;

    if (session == NULL)
        goto out;
    /* NOTE: the caller must be the login client named at /authorize; 2.40's exact check is unverified. */
    login_client = zjson_str(req, "loginClient", NULL);
    if (login_client == NULL || strcmp(login_client, zjson_str(caller, "id", "")) != 0) {
        zreq_error(z, ZGRPC_PERMISSION_DENIED, "OIDCv2-x9zlj",
                   "the auth request belongs to another login client");
        goto out;
    }
    url = issue_code(z, req, session);
    if (url == NULL) {
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "code generation failed");
        goto out;
    }
    json_object_del(store_coll(z->srv->store, STORE_AUTH_REQUESTS), zjson_str(req, "id", ""));
    z->dirty = 1;
    zreq_json(z, 200, json_pack("{s:o, s:s}", "details", store_details(session), "callbackUrl",
                                url));
    free(url);
out:
    json_decref(body);
}

/* ---- health and test-only controls ---- */

static void healthz(struct zreq *z)
{
    zreq_text(z, 200, "text/plain; charset=utf-8", "ok");
}

static void ready(struct zreq *z)
{
    if (jose_keyring_size(z->srv->keys) == 0) {
        zreq_text(z, 412, "text/plain; charset=utf-8", "no signing key");
        return;
    }
    zreq_text(z, 200, "text/plain; charset=utf-8", "ok");
}

static void keys_rotate(struct zreq *z)
{
    char kid[STORE_ID_SIZE];
    struct hito_error err = {0};

    store_next_id(z->srv->store, kid, sizeof(kid));
    if (jose_keyring_rotate(z->srv->keys, kid, &err) != HITO_OK) {
        zreq_error(z, ZGRPC_INTERNAL, "EMU-KEY01", "%s", err.message);
        return;
    }
    zsrv_keys_store(z->srv, z->doc);
    z->dirty = 1;
    LOG_INFO("signing key rotated", "kid", kid);
    zreq_json(z, 200, json_pack("{s:s, s:i}", "kid", kid, "keys",
                                (int)jose_keyring_size(z->srv->keys)));
}

static void keys_retire(struct zreq *z)
{
    int dropped = jose_keyring_retire(z->srv->keys);

    zsrv_keys_store(z->srv, z->doc);
    z->dirty = 1;
    LOG_INFO("old public keys retired");
    zreq_json(z, 200, json_pack("{s:i}", "retired", dropped));
}

int zsrv_routes_login(struct zsrv *srv)
{
    const int f = ZROUTE_INSTANCE;
    int rc = 0;

    rc |= zsrv_route(srv, "POST", "/v2beta/sessions", f, session_create);
    rc |= zsrv_route(srv, "GET", "/v2beta/oidc/auth_requests/{id}", f, auth_request_get);
    rc |= zsrv_route(srv, "POST", "/v2beta/oidc/auth_requests/{id}", f, auth_request_finalize);
    rc |= zsrv_route(srv, "GET", "/debug/healthz", 0, healthz);
    rc |= zsrv_route(srv, "GET", "/debug/ready", 0, ready);
    /* Test-only controls; the emulator listens on loopback only. */
    rc |= zsrv_route(srv, "POST", "/__emulator/keys/rotate", 0, keys_rotate);
    rc |= zsrv_route(srv, "POST", "/__emulator/keys/retire", 0, keys_retire);
    return rc != 0 ? HITO_ERR_LIMIT : HITO_OK;
}

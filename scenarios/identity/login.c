/*
 * login.c - checkpoint 2: a human user logs in without the hosted UI
 * (session API + authorization code with PKCE), the tokens carry the
 * expected claims, and refresh-token rotation rejects a used token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "identity.h"

#define LOGIN_USER "USER_ADMIN"
#define LOGIN_ROLE "admin"

struct login_tokens {
    const char *access;
    const char *id;
    const char *refresh;
};

/* Unpadded base64url of len bytes into out (size >= 4 * len / 3 + 4). */
static void base64url(const unsigned char *in, size_t len, char *out)
{
    int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);

    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *c = out; *c != '\0'; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
    }
}

static const struct httpc_response *send_json(struct scenario_ctx *ctx, const char *method,
                                              const char *path, const char *bearer,
                                              const char *body, const char *extra_header)
{
    char url[1024], auth[4200];
    const char *headers[] = {"Content-Type: application/json", auth, extra_header, NULL};
    struct httpc_request req = {.method = method, .url = url, .headers = headers, .body = body,
                                .body_len = body != NULL ? strlen(body) : 0};

    snprintf(url, sizeof(url), "%s%s", identity_issuer(ctx), path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
    return http_request(ctx, &req);
}

static const struct httpc_response *post_form(struct scenario_ctx *ctx, const char *form)
{
    char url[512];
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    struct httpc_request req = {.method = "POST", .url = url, .headers = headers, .body = form,
                                .body_len = strlen(form)};

    snprintf(url, sizeof(url), "%s/oauth/v2/token", identity_issuer(ctx));
    return http_request(ctx, &req);
}

/* Copies the query parameter name of url into buf; fails when absent. */
static void query_param(struct scenario_ctx *ctx, const char *url, const char *name, char *buf,
                        size_t size)
{
    char pattern[64];
    const char *start;
    size_t len;

    snprintf(pattern, sizeof(pattern), "%s=", name);
    start = strstr(url, pattern);
    if (start == NULL)
        scenario_fail(ctx, "no %s parameter in %s", name, url);
    start += strlen(pattern);
    len = strcspn(start, "&#");
    if (len == 0 || len >= size)
        scenario_fail(ctx, "the %s parameter is empty or too long", name);
    memcpy(buf, start, len);
    buf[len] = '\0';
}

/* Starts an auth request as the login client; returns its id in buf. */
static void authorize(struct scenario_ctx *ctx, const char *challenge, char *buf, size_t size)
{
    const char *client_id = scenario_require(ctx, "ZITADEL_WEB_CLIENT_ID");
    const char *project = scenario_require(ctx, "ZITADEL_PROJECT_ID");
    char url[2048], header[256];
    char *cid = httpc_escape(client_id);
    const char *headers[] = {header, NULL};
    struct httpc_request req = {.url = url, .headers = headers};
    const struct httpc_response *res;
    const char *location;

    snprintf(header, sizeof(header), "x-zitadel-login-client: %s",
             scenario_require(ctx, "ZITADEL_LOGIN_CLIENT_USER_ID"));
    snprintf(url, sizeof(url),
             "%s/oauth/v2/authorize?client_id=%s&response_type=code&redirect_uri=%s"
             "&scope=openid%%20profile%%20offline_access%%20urn%%3Azitadel%%3Aiam%%3Aorg%%3A"
             "project%%3Aid%%3A%s%%3Aaud&code_challenge=%s&code_challenge_method=S256"
             "&state=checkpoint2",
             identity_issuer(ctx), cid, "http%3A%2F%2Flocalhost%3A3000%2Fcallback", project,
             challenge);
    free(cid);
    res = http_request(ctx, &req);
    expect_http_status(ctx, res, 302);
    location = httpc_response_header(res, "Location");
    expect_true(ctx, location != NULL, "the authorize response has a Location header");
    query_param(ctx, location, "authRequest", buf, size);
}

static void login(struct scenario_ctx *ctx, struct login_tokens *tokens)
{
    const char *pat = scenario_require(ctx, "ZITADEL_LOGIN_CLIENT_PAT");
    unsigned char raw[32], digest[SHA256_DIGEST_LENGTH];
    char verifier[64], challenge[64], request_id[256], body[1024], code[512], path[512];
    char *form;
    json_t *doc;
    const struct httpc_response *res;

    step_begin(ctx, "the login client starts an authorization request with PKCE S256");
    RAND_bytes(raw, sizeof(raw));
    base64url(raw, sizeof(raw), verifier);
    SHA256((const unsigned char *)verifier, strlen(verifier), digest);
    base64url(digest, sizeof(digest), challenge);
    authorize(ctx, challenge, request_id, sizeof(request_id));

    step_begin(ctx, "the user's password opens a session");
    snprintf(body, sizeof(body),
             "{\"checks\":{\"user\":{\"loginName\":\"%s\"},\"password\":{\"password\":\"%s\"}}}",
             scenario_require(ctx, "ZITADEL_" LOGIN_USER "_LOGIN"),
             scenario_require(ctx, "ZITADEL_" LOGIN_USER "_PASSWORD"));
    res = send_json(ctx, "POST", "/v2beta/sessions", pat, body, NULL);
    expect_http_status(ctx, res, 201);
    doc = scenario_json(ctx, res);

    step_begin(ctx, "the session finalises the authorization request");
    snprintf(body, sizeof(body), "{\"session\":{\"sessionId\":\"%s\",\"sessionToken\":\"%s\"}}",
             json_string_value(json_object_get(doc, "sessionId")),
             json_string_value(json_object_get(doc, "sessionToken")));
    snprintf(path, sizeof(path), "/v2beta/oidc/auth_requests/%s", request_id);
    res = send_json(ctx, "POST", path, pat, body, NULL);
    expect_http_status(ctx, res, 200);
    doc = scenario_json(ctx, res);
    query_param(ctx, json_string_value(json_object_get(doc, "callbackUrl")), "code", code,
                sizeof(code));

    step_begin(ctx, "the code and verifier give access, ID and refresh tokens");
    form = malloc(4096);
    snprintf(form, 4096, "grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=%s"
             "&code_verifier=%s", code, "http%3A%2F%2Flocalhost%3A3000%2Fcallback",
             scenario_require(ctx, "ZITADEL_WEB_CLIENT_ID"), verifier);
    res = post_form(ctx, form);
    free(form);
    expect_http_status(ctx, res, 200);
    doc = scenario_json(ctx, res);
    tokens->access = json_string_value(json_object_get(doc, "access_token"));
    tokens->id = json_string_value(json_object_get(doc, "id_token"));
    tokens->refresh = json_string_value(json_object_get(doc, "refresh_token"));
    expect_true(ctx, tokens->access != NULL, "an access token was issued");
    expect_true(ctx, tokens->id != NULL, "an ID token was issued");
    expect_true(ctx, tokens->refresh != NULL, "a refresh token was issued");
}

/* Returns the verified token's payload as JSON (lives until the scenario ends). */
static json_t *payload_of(struct scenario_ctx *ctx, const char *token)
{
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
    unsigned char *raw = NULL;
    size_t len = 0;
    struct httpc_response fake = {.status = 200};
    json_t *doc;

    if (dot2 == NULL || jwks_base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &raw, &len))
        scenario_fail(ctx, "the token is not a JWT");
    identity_keep(ctx, (char *)raw);
    fake.body = (char *)raw;
    fake.body_len = len;
    doc = scenario_json(ctx, &fake);
    return doc;
}

static void check_access_token(struct scenario_ctx *ctx, struct jwks *keys, const char *token)
{
    const char *user_id = scenario_require(ctx, "ZITADEL_" LOGIN_USER "_USER_ID");
    struct jwt_claims claims;
    json_t *payload, *flat;

    step_begin(ctx, "the access token verifies and names the user, project and roles");
    identity_verify(ctx, keys, token, &claims);
    expect_str_eq(ctx, "sub", user_id, claims.sub);
    expect_true(ctx, claims.exp > (long)time(NULL), "exp (%ld) is in the future", claims.exp);
    jwt_claims_free(&claims);
    payload = payload_of(ctx, token);
    expect_json_str(ctx, payload, "iss", identity_issuer(ctx));
    expect_true(ctx, json_object_get(json_object_get(payload, "urn:zitadel:iam:org:project:roles"),
                                     LOGIN_ROLE) != NULL,
                "the role object holds %s", LOGIN_ROLE);
    flat = expect_json_array(ctx, payload, "roles", 1);
    expect_int_eq(ctx, "flat roles count", 1, (long long)json_array_size(flat));
    expect_json_str(ctx, payload, "roles.0", LOGIN_ROLE);
}

static void check_id_token(struct scenario_ctx *ctx, struct jwks *keys, const char *token)
{
    struct jwt_verify_options opts = {.issuer = identity_issuer(ctx),
                                      .audience = scenario_require(ctx, "ZITADEL_WEB_CLIENT_ID")};
    struct jwt_claims claims;
    struct hito_error err = {0};
    int rc;

    step_begin(ctx, "the ID token verifies for the web client");
    rc = jwt_verify_token(keys, &opts, token, &claims, NULL, &err);
    expect_ok(ctx, "verify the ID token", rc, &err);
    expect_str_eq(ctx, "sub", scenario_require(ctx, "ZITADEL_" LOGIN_USER "_USER_ID"), claims.sub);
    jwt_claims_free(&claims);
}

static void check_refresh(struct scenario_ctx *ctx, const char *refresh)
{
    char *token = httpc_escape(refresh);
    char form[4096];
    const struct httpc_response *res;

    snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=%s&client_id=%s", token,
             scenario_require(ctx, "ZITADEL_WEB_CLIENT_ID"));
    free(token);
    step_begin(ctx, "the refresh token gives new tokens once");
    res = post_form(ctx, form);
    expect_http_status(ctx, res, 200);
    expect_true(ctx, json_is_string(json_object_get(scenario_json(ctx, res), "access_token")),
                "the refresh returned an access token");
    step_begin(ctx, "the used refresh token is rejected");
    res = post_form(ctx, form);
    expect_http_status(ctx, res, 400);
    expect_json_str(ctx, scenario_json(ctx, res), "error", "invalid_grant");
}

static void run_login(struct scenario_ctx *ctx)
{
    struct jwks *keys = identity_jwks(ctx);
    struct login_tokens tokens = {0};

    login(ctx, &tokens);
    check_access_token(ctx, keys, tokens.access);
    check_id_token(ctx, keys, tokens.id);
    check_refresh(ctx, tokens.refresh);
}

const struct scenario identity_login_pkce = {
    .name = "identity-login-pkce",
    .title = "A user logs in through the session API and PKCE and refreshes once",
    .tags = "identity,oidc,login",
    .run = run_login,
};

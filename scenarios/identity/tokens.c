/*
 * tokens.c - checkpoint 2: discovery and JWKS, client-credentials tokens of
 * every internal service, signatures and forgeries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "identity.h"

static void run_discovery(struct scenario_ctx *ctx)
{
    const char *issuer = identity_issuer(ctx);
    const struct httpc_response *res;
    json_t *doc, *jwks, *key;
    const char *jwks_uri;
    char expected[512];
    size_t i;

    step_begin(ctx, "the discovery document names the issuer");
    res = http_get(ctx, issuer, "/.well-known/openid-configuration");
    expect_http_status(ctx, res, 200);
    doc = scenario_json(ctx, res);
    expect_json_str(ctx, doc, "issuer", issuer);
    snprintf(expected, sizeof(expected), "%s/oauth/v2/keys", issuer);
    expect_json_str(ctx, doc, "jwks_uri", expected);
    expect_json_array(ctx, doc, "code_challenge_methods_supported", 1);
    expect_json_str(ctx, doc, "code_challenge_methods_supported.0", "S256");

    step_begin(ctx, "the JWKS lists RSA signing keys with kids");
    jwks_uri = json_string_value(json_object_get(doc, "jwks_uri"));
    res = http_get(ctx, jwks_uri, "");
    expect_http_status(ctx, res, 200);
    jwks = expect_json_array(ctx, scenario_json(ctx, res), "keys", 1);
    json_array_foreach(jwks, i, key) {
        expect_str_eq(ctx, "kty", "RSA", json_string_value(json_object_get(key, "kty")));
        expect_true(ctx, json_is_string(json_object_get(key, "kid")), "key %zu has a kid", i);
    }
}

const struct scenario identity_discovery = {
    .name = "identity-discovery",
    .title = "Discovery and the JWKS are served and consistent with the issuer",
    .tags = "identity,oidc",
    .run = run_discovery,
};

/* Flips one character in the middle of the payload. */
static char *tamper(const char *token)
{
    char *copy = strdup(token);
    char *dot1 = copy != NULL ? strchr(copy, '.') : NULL;
    char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
    char *mid;

    if (dot2 == NULL)
        return copy;
    mid = dot1 + (dot2 - dot1) / 2;
    *mid = *mid == 'A' ? 'B' : 'A';
    return copy;
}

/*
 * Re-signs token's payload as HS256 with key as the HMAC secret, or with
 * alg "none" when key is NULL; the caller frees the result.
 */
static char *resign(const char *token, const char *kid, const char *key)
{
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
    unsigned char *payload = NULL;
    size_t len = 0;
    jwt_t *jwt = NULL;
    char *out = NULL;

    if (dot2 == NULL ||
        jwks_base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload, &len) != HITO_OK)
        return NULL;
    if (jwt_new(&jwt) == 0 && jwt_add_grants_json(jwt, (const char *)payload) == 0 &&
        jwt_add_header(jwt, "kid", kid) == 0 &&
        jwt_set_alg(jwt, key != NULL ? JWT_ALG_HS256 : JWT_ALG_NONE,
                    (const unsigned char *)key, key != NULL ? (int)strlen(key) : 0) == 0)
        out = jwt_encode_str(jwt);
    jwt_free(jwt);
    free(payload);
    return out;
}

/* Checks that a forged copy of a token is rejected for reason. */
static void expect_rejected(struct scenario_ctx *ctx, struct jwks *keys, char *forged,
                            const char *what, const char *reason_name)
{
    struct jwt_verify_options opts = {.issuer = identity_issuer(ctx),
                                      .audience = scenario_require(ctx, "ZITADEL_PROJECT_ID")};
    enum jwt_verify_reason reason = JWT_VERIFY_OK;
    struct jwt_claims claims;
    int rc;

    identity_keep(ctx, forged);
    rc = jwt_verify_token(keys, &opts, forged, &claims, &reason, NULL);
    jwt_claims_free(&claims);
    expect_int_eq(ctx, what, HITO_ERR_AUTH, rc);
    expect_str_eq(ctx, "rejection reason", reason_name, jwt_verify_reason_name(reason));
}

/* Returns the kid of a JWT's header (lives until the scenario ends). */
static const char *header_kid(struct scenario_ctx *ctx, const char *token)
{
    unsigned char *raw = NULL;
    size_t len = 0;
    json_t *header;
    const char *kid;

    if (jwks_base64url_decode(token, strcspn(token, "."), &raw, &len) != HITO_OK)
        scenario_fail(ctx, "the token header is not base64url");
    header = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    kid = json_string_value(json_object_get(header, "kid"));
    kid = identity_keep(ctx, kid != NULL ? strdup(kid) : NULL);
    json_decref(header);
    return kid;
}

static void run_client_credentials(struct scenario_ctx *ctx)
{
    struct jwks *keys = identity_jwks(ctx);

    for (size_t i = 0; i < IDENTITY_SERVICE_COUNT; i++) {
        const char *prefix = identity_services[i];
        char key[128], role[64];
        struct jwt_claims claims;
        struct hito_error err = {0};
        const char *token, *kid;
        char *pem = NULL;

        step_begin(ctx, "%s gets a token by client credentials", prefix);
        token = identity_client_token(ctx, prefix);
        identity_verify(ctx, keys, token, &claims);
        snprintf(key, sizeof(key), "ZITADEL_%s_USER_ID", prefix);
        expect_str_eq(ctx, "sub", scenario_require(ctx, key), claims.sub);
        /* SVC_ORCHESTRATOR -> svc-orchestrator */
        snprintf(role, sizeof(role), "%s", prefix);
        for (char *c = role; *c != '\0'; c++)
            *c = *c == '_' ? '-' : (char)(*c | 0x20);
        expect_true(ctx, jwt_claims_has_role(&claims, role), "the token holds role %s", role);
        jwt_claims_free(&claims);

        step_begin(ctx, "tampered and re-signed copies of %s's token are rejected", prefix);
        kid = header_kid(ctx, token);
        expect_ok(ctx, "read the public key of the token's kid",
                  jwks_get_pem(keys, kid, &pem, &err), &err);
        identity_keep(ctx, pem);
        expect_rejected(ctx, keys, tamper(token), "a tampered payload", "bad_signature");
        /* HS256 keyed with the public PEM: libjwt 1.10 alone accepts it. */
        expect_rejected(ctx, keys, resign(token, kid, pem), "an HS256 re-signed copy", "bad_alg");
        expect_rejected(ctx, keys, resign(token, kid, NULL), "an alg none copy", "bad_alg");
    }
}

const struct scenario identity_client_credentials = {
    .name = "identity-client-credentials",
    .title = "Each internal service gets a verifiable token by client credentials",
    .tags = "identity,oidc,services",
    .run = run_client_credentials,
};

/* POSTs to a control endpoint of the target and fails unless it returns 200. */
static void post_control(struct scenario_ctx *ctx, const char *path)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    char url[512];
    struct httpc_request req = {.method = "POST", .url = url, .headers = headers, .body = "{}",
                                .body_len = 2};

    snprintf(url, sizeof(url), "%s%s", identity_issuer(ctx), path);
    expect_http_status(ctx, http_request(ctx, &req), 200);
}

static size_t jwks_size(struct scenario_ctx *ctx)
{
    const struct httpc_response *res = http_get(ctx, identity_issuer(ctx), "/oauth/v2/keys");

    expect_http_status(ctx, res, 200);
    return json_array_size(expect_json_array(ctx, scenario_json(ctx, res), "keys", 1));
}

static void run_key_rotation(struct scenario_ctx *ctx)
{
    const char *rotate = scenario_setting(ctx, "ZITADEL_ROTATE_KEYS_PATH");
    const char *retire = scenario_setting(ctx, "ZITADEL_RETIRE_KEYS_PATH");
    struct jwt_verify_options opts = {.issuer = identity_issuer(ctx),
                                      .audience = scenario_require(ctx, "ZITADEL_PROJECT_ID")};
    enum jwt_verify_reason reason;
    struct jwt_claims claims;
    const char *old_token;
    size_t before;
    int rc;

    /* The local stack runs the emulator, whose test-only endpoints these are. */
    if (rotate == NULL && retire == NULL && scenario_target_is_local(ctx)) {
        rotate = "/__emulator/keys/rotate";
        retire = "/__emulator/keys/retire";
    }
    if (rotate == NULL || rotate[0] == '\0' || retire == NULL || retire[0] == '\0')
        scenario_skip(ctx, "the target has no key-rotation control endpoints "
                           "(ZITADEL_ROTATE_KEYS_PATH and ZITADEL_RETIRE_KEYS_PATH are unset): "
                           "a real ZITADEL rotates on its own schedule");

    step_begin(ctx, "a token issued before the rotation verifies");
    old_token = identity_client_token(ctx, identity_services[0]);
    identity_verify(ctx, identity_jwks(ctx), old_token, &claims);
    jwt_claims_free(&claims);
    before = jwks_size(ctx);

    step_begin(ctx, "the rotation adds a key to the JWKS");
    post_control(ctx, rotate);
    expect_int_eq(ctx, "JWKS keys after the rotation", (long long)before + 1,
                  (long long)jwks_size(ctx));

    step_begin(ctx, "old and new tokens both verify while both keys are listed");
    identity_verify(ctx, identity_jwks(ctx), old_token, &claims);
    jwt_claims_free(&claims);
    identity_verify(ctx, identity_jwks(ctx), identity_client_token(ctx, identity_services[0]),
                    &claims);
    jwt_claims_free(&claims);

    step_begin(ctx, "once the old key leaves the JWKS, the old token is rejected");
    post_control(ctx, retire);
    expect_int_eq(ctx, "JWKS keys after retiring", 1, (long long)jwks_size(ctx));
    rc = jwt_verify_token(identity_jwks(ctx), &opts, old_token, &claims, &reason, NULL);
    expect_int_eq(ctx, "verification result", HITO_ERR_AUTH, rc);
    expect_str_eq(ctx, "rejection reason", "unknown_kid", jwt_verify_reason_name(reason));
}

const struct scenario identity_key_rotation = {
    .name = "identity-key-rotation",
    .title = "Tokens stay valid after a key rotation until their key leaves the JWKS",
    .tags = "identity,oidc,keys",
    .run = run_key_rotation,
};

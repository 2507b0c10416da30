/*
 * Token validation: every token the gateway must not accept gets 401 on a
 * protected route, and the same route accepts a valid token.
 *
 * Tokens with one wrong claim (expired, other audience, other issuer, no
 * org id) are a real token of the identity emulator with that claim
 * changed, signed again with the emulator's own key and kid, read from its
 * state file. A control token re-signed the same way without a change must
 * pass, which shows the 401s come from the changed claim alone.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "gateway.h"

#define PROTECTED_PATH "/v1/gateway/echo"
#define SERVICE "SVC_ORCHESTRATOR"
#define PART_MAX 8192

static void free_claims(void *claims)
{
    json_decref(claims);
}

/* Returns a deep copy of claims, freed when the scenario ends. */
static json_t *copy_claims(struct scenario_ctx *ctx, json_t *claims)
{
    json_t *copy = json_deep_copy(claims);

    if (copy == NULL)
        scenario_fail(ctx, "out of memory");
    scenario_defer(ctx, free_claims, copy);
    return copy;
}

static void expect_status_with(struct scenario_ctx *ctx, const char *token, long status)
{
    const struct httpc_response *res =
        gateway_call(ctx, "GET", PROTECTED_PATH, token, NULL, NULL, 0);

    expect_http_status(ctx, res, status);
}

/* Encodes len bytes as base64url without padding into a kept string. */
static const char *base64url(struct scenario_ctx *ctx, const char *data, size_t len)
{
    char *out = malloc(len * 4 / 3 + 8);
    int n;

    if (out == NULL || len > PART_MAX)
        scenario_fail(ctx, "cannot encode %zu bytes", len);
    n = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (int i = 0; i < n; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    scenario_defer(ctx, free, out);
    return out;
}

/* Returns token with its payload replaced by claims and its signature kept. */
static const char *tamper(struct scenario_ctx *ctx, const char *token, json_t *claims)
{
    const char *first = strchr(token, '.');
    const char *second = first != NULL ? strchr(first + 1, '.') : NULL;
    char *payload = json_dumps(claims, JSON_COMPACT);
    const char *encoded;
    size_t size;
    char *out;

    if (second == NULL || payload == NULL)
        scenario_fail(ctx, "cannot tamper with a token that is not a JWS");
    encoded = base64url(ctx, payload, strlen(payload));
    free(payload);
    size = strlen(token) + strlen(encoded) + 2;
    out = malloc(size);
    if (out == NULL)
        scenario_fail(ctx, "out of memory");
    snprintf(out, size, "%.*s.%s%s", (int)(first - token), token, encoded, second);
    scenario_defer(ctx, free, out);
    return out;
}

static void invalid_run(struct scenario_ctx *ctx)
{
    const char *token;
    json_t *claims;
    const char *kid;

    step_begin(ctx, "A valid token of %s is accepted on %s", SERVICE, PROTECTED_PATH);
    token = gateway_service_token(ctx, SERVICE);
    expect_status_with(ctx, token, 200);
    claims = copy_claims(ctx, gateway_token_part(ctx, token, 1));
    kid = json_string_value(json_object_get(gateway_token_part(ctx, token, 0), "kid"));

    step_begin(ctx, "No token gives 401");
    expect_status_with(ctx, NULL, 401);

    step_begin(ctx, "A malformed token gives 401");
    expect_status_with(ctx, "not-a-jwt", 401);
    expect_status_with(ctx, "e30.e30.", 401);

    step_begin(ctx, "A token whose payload was changed after signing gives 401");
    json_object_set_new(claims, "sub", json_string("someone-else"));
    expect_status_with(ctx, tamper(ctx, token, claims), 401);
    json_object_set(claims, "sub", json_object_get(gateway_token_part(ctx, token, 1), "sub"));

    step_begin(ctx, "An unsigned token (alg none) gives 401");
    expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_NONE, NULL, 0, kid, claims), 401);

    step_begin(ctx, "A token signed by a key the issuer does not publish gives 401");
    {
        const char *pem = gateway_new_rsa_key(ctx);

        expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_RS256, pem, strlen(pem), kid, claims),
                           401);
    }
}

const struct scenario gateway_invalid_tokens = {
    .name = "gateway-invalid-tokens",
    .title = "Missing, malformed, tampered, unsigned and foreign-key tokens get 401",
    .tags = "gateway,krakend,jwt",
    .run = invalid_run,
};

static void claims_run(struct scenario_ctx *ctx)
{
    const char *token = NULL;
    const char *key;
    const char *kid;
    json_t *base;
    json_t *claims;
    long long now = (long long)time(NULL);

    step_begin(ctx, "A token of %s and the emulator's signing key", SERVICE);
    token = gateway_service_token(ctx, SERVICE);
    kid = json_string_value(json_object_get(gateway_token_part(ctx, token, 0), "kid"));
    expect_true(ctx, kid != NULL, "the token header has a kid");
    key = gateway_issuer_key(ctx, kid);
    base = gateway_token_part(ctx, token, 1);

    step_begin(ctx, "The token re-signed without a change is accepted (control)");
    expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_RS256, key, strlen(key), kid, base), 200);

    step_begin(ctx, "An expired token gives 401");
    claims = copy_claims(ctx, base);
    json_object_set_new(claims, "iat", json_integer(now - 7200));
    json_object_set_new(claims, "nbf", json_integer(now - 7200));
    json_object_set_new(claims, "exp", json_integer(now - 3600));
    expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_RS256, key, strlen(key), kid, claims),
                       401);

    step_begin(ctx, "A token for another audience gives 401");
    claims = copy_claims(ctx, base);
    json_object_set_new(claims, "aud", json_pack("[s]", "another-project"));
    expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_RS256, key, strlen(key), kid, claims),
                       401);

    step_begin(ctx, "A token from another issuer gives 401");
    claims = copy_claims(ctx, base);
    json_object_set_new(claims, "iss", json_string("http://attacker.example"));
    expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_RS256, key, strlen(key), kid, claims),
                       401);

    step_begin(ctx, "A token without the org id claim gives 401 (identity headers need it)");
    claims = copy_claims(ctx, base);
    json_object_del(claims, GATEWAY_CLAIM_ORG);
    expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_RS256, key, strlen(key), kid, claims),
                       401);

    step_begin(ctx, "An HS256 token keyed with the issuer's public key gives 401");
    {
        const char *pub = gateway_public_pem(ctx, key);

        expect_status_with(ctx, gateway_sign(ctx, JWT_ALG_HS256, pub, strlen(pub), kid, base),
                           401);
    }
}

const struct scenario gateway_claim_checks = {
    .name = "gateway-claim-checks",
    .title = "Expired, other-audience, other-issuer, org-less and HS256 tokens get 401",
    .tags = "gateway,krakend,jwt",
    .run = claims_run,
};

/*
 * gateway.c - helpers of checkpoint 3's scenarios.
 */
#include "gateway.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../identity/identity.h"

#define TOKEN_PART_MAX 8192
#define STATE_FILE_MAX (16 * 1024 * 1024)
#define RSA_BITS 2048
#define HEADER_MAX 8192
#define EXTRA_HEADERS_MAX 8

static void free_string(void *p)
{
    free(p);
}

/* Keeps s (malloc'd) until the scenario ends and returns it. */
static const char *keep(struct scenario_ctx *ctx, char *s)
{
    if (s == NULL)
        scenario_fail(ctx, "out of memory");
    scenario_defer(ctx, free_string, s);
    return s;
}

static void free_json(void *p)
{
    json_decref(p);
}

const char *gateway_url(struct scenario_ctx *ctx)
{
    return scenario_url(ctx, "KRAKEND");
}

const char *gateway_service_token(struct scenario_ctx *ctx, const char *prefix)
{
    const char *project = scenario_require(ctx, "ZITADEL_PROJECT_ID");
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    char key[128], url[512], form[1024];
    char *user, *password;
    struct httpc_request req = {.method = "POST", .url = url, .headers = headers, .body = form};
    const struct httpc_response *res;
    const char *token;
    json_t *body;

    snprintf(key, sizeof(key), "ZITADEL_%s_CLIENT_ID", prefix);
    user = httpc_escape(scenario_require(ctx, key));
    keep(ctx, user);
    snprintf(key, sizeof(key), "ZITADEL_%s_CLIENT_SECRET", prefix);
    password = httpc_escape(scenario_require(ctx, key));
    keep(ctx, password);
    snprintf(url, sizeof(url), "%s/oauth/v2/token", identity_issuer(ctx));
    /* scope: openid, the project audience, the project roles and the org id */
    snprintf(form, sizeof(form),
             "grant_type=client_credentials&scope=openid"
             "%%20urn%%3Azitadel%%3Aiam%%3Aorg%%3Aproject%%3Aid%%3A%s%%3Aaud"
             "%%20urn%%3Azitadel%%3Aiam%%3Aorg%%3Aprojects%%3Aroles"
             "%%20urn%%3Azitadel%%3Aiam%%3Auser%%3Aresourceowner",
             project);
    req.body_len = strlen(form);
    req.basic_user = user;
    req.basic_password = password;
    res = http_request(ctx, &req);
    expect_http_status(ctx, res, 200);
    body = scenario_json(ctx, res);
    expect_true(ctx, json_is_string(json_object_get(body, "access_token")),
                "the token response for %s has an access_token", prefix);
    token = json_string_value(json_object_get(body, "access_token"));
    /* The gateway matches roles in the flat claim only (docs/gateway.md). */
    expect_true(ctx, json_is_array(json_object_get(gateway_token_part(ctx, token, 1), "roles")),
                "the token of %s has the flat \"roles\" claim that the flat_roles action "
                "adds", prefix);
    return token;
}

const struct httpc_response *gateway_call(struct scenario_ctx *ctx, const char *method,
                                          const char *path, const char *token,
                                          const char *const *headers, const char *body,
                                          size_t body_len)
{
    const char *all[EXTRA_HEADERS_MAX + 2] = {NULL};
    char url[1024];
    char auth[HEADER_MAX];
    struct httpc_request req = {.method = method, .url = url, .body = body,
                                .body_len = body_len};
    size_t n = 0;

    snprintf(url, sizeof(url), "%s%s", gateway_url(ctx), path);
    if (token != NULL) {
        if ((size_t)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token) >=
            sizeof(auth))
            scenario_fail(ctx, "the token is longer than %d bytes", HEADER_MAX - 32);
        all[n++] = auth;
    }
    while (headers != NULL && *headers != NULL && n < EXTRA_HEADERS_MAX + 1)
        all[n++] = *headers++;
    /* An empty list is passed as NULL: no extra header at all. */
    req.headers = n > 0 ? all : NULL;
    return http_request(ctx, &req);
}

/* Decodes base64url (no padding) into out; returns the length or -1. */
static int base64url_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
    char buf[TOKEN_PART_MAX + 4] = {0};
    size_t i, padded = len;
    int n;

    if (len > TOKEN_PART_MAX || (len * 3) / 4 + 3 > size)
        return -1;
    for (i = 0; i < len; i++) {
        buf[i] = in[i];
        if (in[i] == '-')
            buf[i] = '+';
        else if (in[i] == '_')
            buf[i] = '/';
    }
    while (padded % 4 != 0)
        buf[padded++] = '=';
    n = EVP_DecodeBlock(out, (const unsigned char *)buf, (int)padded);
    if (n < 0)
        return -1;
    return n - (int)(padded - len);
}

json_t *gateway_token_part(struct scenario_ctx *ctx, const char *token, int part)
{
    unsigned char decoded[TOKEN_PART_MAX];
    const char *start = token;
    const char *end;
    json_t *value;
    int n;

    for (int i = 0; i < part && start != NULL; i++) {
        start = strchr(start, '.');
        start = start != NULL ? start + 1 : NULL;
    }
    if (start == NULL)
        scenario_fail(ctx, "the token has no part %d", part);
    end = strchr(start, '.');
    if (end == NULL)
        end = start + strlen(start);
    n = base64url_decode(start, (size_t)(end - start), decoded, sizeof(decoded));
    if (n < 0)
        scenario_fail(ctx, "part %d of the token is not base64url", part);
    value = json_loadb((const char *)decoded, (size_t)n, 0, NULL);
    if (value == NULL)
        scenario_fail(ctx, "part %d of the token is not JSON", part);
    scenario_defer(ctx, free_json, value);
    return value;
}

const char *gateway_sign(struct scenario_ctx *ctx, jwt_alg_t alg, const char *key,
                         size_t key_len, const char *kid, json_t *claims)
{
    jwt_t *jwt = NULL;
    char *grants = json_dumps(claims, JSON_COMPACT);
    char *token = NULL;
    const char *failure = NULL;

    if (grants == NULL || jwt_new(&jwt) != 0)
        failure = "out of memory";
    else if (jwt_add_grants_json(jwt, grants) != 0)
        failure = "libjwt rejected the claims";
    else if (kid != NULL && jwt_add_header(jwt, "kid", kid) != 0)
        failure = "libjwt rejected the kid header";
    else if (jwt_set_alg(jwt, alg, (const unsigned char *)key, (int)key_len) != 0)
        failure = "libjwt rejected the algorithm for this key";
    else if ((token = jwt_encode_str(jwt)) == NULL)
        failure = "libjwt could not sign the token";
    jwt_free(jwt);
    free(grants);
    if (failure != NULL)
        scenario_fail(ctx, "signing a %s token failed: %s", jwt_alg_str(alg), failure);
    return keep(ctx, token);
}

const char *gateway_issuer_key(struct scenario_ctx *ctx, const char *kid)
{
    const char *env = scenario_setting(ctx, "HITO_ENV");
    char path[512];
    json_error_t error;
    json_t *state, *keys, *item;
    size_t i;

    if (!scenario_target_is_local(ctx))
        scenario_skip(ctx, "the identity emulator's signing key is only reachable on the "
                           "local target");
    snprintf(path, sizeof(path), "run/%s/zitadel/state.json", env != NULL ? env : "dev");
    state = json_load_file(path, 0, &error);
    if (state == NULL)
        scenario_fail(ctx, "cannot read the emulator state %s: %s", path, error.text);
    scenario_defer(ctx, free_json, state);
    keys = json_object_get(state, "_keys");
    json_array_foreach(keys, i, item) {
        const char *id = json_string_value(json_object_get(item, "kid"));
        const char *pem = json_string_value(json_object_get(item, "pem"));

        if (id != NULL && pem != NULL && strcmp(id, kid) == 0)
            return pem;
    }
    scenario_fail(ctx, "the emulator state %s has no key with kid %s", path, kid);
}

/* Writes pkey as PEM (private or public) into a kept string. */
static const char *pem_of(struct scenario_ctx *ctx, EVP_PKEY *pkey, int private_part)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    char *copy = NULL;
    long len;
    int ok;

    if (bio == NULL)
        scenario_fail(ctx, "out of memory");
    ok = private_part ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
                      : PEM_write_bio_PUBKEY(bio, pkey);
    len = BIO_get_mem_data(bio, &data);
    if (ok == 1 && len > 0) {
        copy = malloc((size_t)len + 1);
        if (copy != NULL) {
            memcpy(copy, data, (size_t)len);
            copy[len] = '\0';
        }
    }
    BIO_free(bio);
    if (ok != 1)
        scenario_fail(ctx, "OpenSSL could not write the key as PEM");
    return keep(ctx, copy);
}

const char *gateway_new_rsa_key(struct scenario_ctx *ctx)
{
    EVP_PKEY *pkey = EVP_RSA_gen(RSA_BITS);
    const char *pem;

    if (pkey == NULL)
        scenario_fail(ctx, "OpenSSL could not generate an RSA key");
    pem = pem_of(ctx, pkey, 1);
    EVP_PKEY_free(pkey);
    return pem;
}

const char *gateway_public_pem(struct scenario_ctx *ctx, const char *private_pem)
{
    BIO *bio = BIO_new_mem_buf(private_pem, -1);
    EVP_PKEY *pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    const char *pem;

    BIO_free(bio);
    if (pkey == NULL)
        scenario_fail(ctx, "OpenSSL could not read the private key");
    pem = pem_of(ctx, pkey, 0);
    EVP_PKEY_free(pkey);
    return pem;
}

struct burst_call {
    char url[1024];
    char auth[HEADER_MAX];
    long status;
};

static void *burst_send(void *arg)
{
    struct burst_call *call = arg;
    const char *headers[] = {call->auth, NULL};
    struct httpc_request req = {.url = call->url, .headers = headers, .timeout_ms = 5000};
    struct httpc_response res = {0};

    call->status = httpc_do(&req, &res, NULL) == HITO_OK ? res.status : 0;
    httpc_response_free(&res);
    return NULL;
}

struct gateway_counts gateway_burst(struct scenario_ctx *ctx, const char *path,
                                    const char *const *tokens, int count)
{
    struct gateway_counts counts = {0};
    struct burst_call *calls;
    pthread_t threads[GATEWAY_BURST_MAX];
    char summary[256], received[256];
    double started;
    int started_threads = 0;
    int i;

    if (count > GATEWAY_BURST_MAX)
        scenario_fail(ctx, "a burst has at most %d requests, not %d", GATEWAY_BURST_MAX, count);
    calls = calloc((size_t)count, sizeof(*calls));
    keep(ctx, (char *)calls);
    for (i = 0; i < count; i++) {
        snprintf(calls[i].url, sizeof(calls[i].url), "%s%s", gateway_url(ctx), path);
        snprintf(calls[i].auth, sizeof(calls[i].auth), "Authorization: Bearer %s", tokens[i]);
    }
    started = scenario_now_ms();
    for (i = 0; i < count; i++) {
        if (pthread_create(&threads[i], NULL, burst_send, &calls[i]) != 0)
            break;
        started_threads++;
    }
    for (i = 0; i < started_threads; i++)
        pthread_join(threads[i], NULL);
    for (i = 0; i < count; i++) {
        if (calls[i].status == 200)
            counts.ok++;
        else if (calls[i].status == 429)
            counts.limited++;
        else if (calls[i].status == 503)
            counts.overload++;
        else
            counts.other++;
    }
    snprintf(summary, sizeof(summary), "burst of %d concurrent GET %s", count, path);
    snprintf(received, sizeof(received), "200: %d, 429: %d, 503: %d, other: %d", counts.ok,
             counts.limited, counts.overload, counts.other);
    scenario_record(ctx, summary, NULL, received, scenario_now_ms() - started);
    if (started_threads < count)
        scenario_fail(ctx, "only %d of %d request threads started", started_threads, count);
    return counts;
}

/*
 * jwks.c - JSON Web Key Set cache: fetch, TTL, refetch on unknown kid, and
 * RSA JWK to PEM conversion with OpenSSL 3.
 */
#include "hito/jwks.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "hito/httpc.h"

/* RSA moduli above 8192 bits are rejected because nothing legitimate uses them. */
#define JWKS_MAX_RSA_BYTES 1024

struct jwks_key {
    char kid[JWKS_MAX_KID_LEN + 1];
    char *pem;
};

struct jwks {
    pthread_mutex_t lock;
    char *url;
    long ttl_seconds;
    long cooldown_seconds;
    long timeout_ms;
    struct jwks_key keys[JWKS_MAX_KEYS];
    size_t key_count;
    time_t fetched_at;          /* 0: never fetched */
    time_t last_attempt_at;     /* 0: never tried */
    unsigned long fetch_count;
};

static time_t now_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* +1 keeps 0 free to mean "never". */
    return ts.tv_sec + 1;
}

int jwks_base64url_decode(const char *in, size_t len, unsigned char **out, size_t *out_len)
{
    size_t padded, i, pad;
    char *std = NULL;
    unsigned char *buf = NULL;
    int n;

    *out = NULL;
    *out_len = 0;
    if (len % 4 == 1 || len > (size_t)INT32_MAX / 2)
        return HITO_ERR_INVALID;
    pad = (4 - len % 4) % 4;
    padded = len + pad;
    std = malloc(padded + 1);
    buf = malloc(padded / 4 * 3 + 1);
    if (std == NULL || buf == NULL) {
        free(std);
        free(buf);
        return HITO_ERR_NOMEM;
    }
    for (i = 0; i < len; i++) {
        char c = in[i];

        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            goto invalid;
        std[i] = c;
    }
    memset(std + len, '=', pad);
    std[padded] = '\0';
    n = EVP_DecodeBlock(buf, (const unsigned char *)std, (int)padded);
    if (n < 0)
        goto invalid;
    /* EVP_DecodeBlock counts the zero bytes that stand for the padding. */
    n -= (int)pad;
    buf[n] = '\0';
    free(std);
    *out = buf;
    *out_len = (size_t)n;
    return HITO_OK;

invalid:
    free(std);
    free(buf);
    return HITO_ERR_INVALID;
}

static int decode_bignum(const char *b64, BIGNUM **bn)
{
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    int rc;

    rc = jwks_base64url_decode(b64, strlen(b64), &raw, &raw_len);
    if (rc != HITO_OK)
        return rc;
    if (raw_len == 0 || raw_len > JWKS_MAX_RSA_BYTES) {
        free(raw);
        return HITO_ERR_INVALID;
    }
    *bn = BN_bin2bn(raw, (int)raw_len, NULL);
    free(raw);
    return *bn != NULL ? HITO_OK : HITO_ERR_NOMEM;
}

static int pkey_to_pem(EVP_PKEY *pkey, char **pem)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len;
    int rc = HITO_ERR_NOMEM;

    if (bio == NULL)
        return HITO_ERR_NOMEM;
    if (PEM_write_bio_PUBKEY(bio, pkey) != 1)
        goto out;
    len = BIO_get_mem_data(bio, &data);
    if (len <= 0)
        goto out;
    *pem = strndup(data, (size_t)len);
    rc = *pem != NULL ? HITO_OK : HITO_ERR_NOMEM;
out:
    BIO_free(bio);
    return rc;
}

int jwks_rsa_to_pem(const char *n, const char *e, char **pem, struct hito_error *err)
{
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    int rc;

    *pem = NULL;
    if (decode_bignum(n, &bn_n) != HITO_OK || decode_bignum(e, &bn_e) != HITO_OK) {
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "RSA key: n or e is not a valid base64url integer");
        goto out;
    }
    rc = hito_error_set(err, HITO_ERR_INVALID, "RSA key: OpenSSL rejected n and e");
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto out;
    rc = pkey_to_pem(pkey, pem);
    if (rc != HITO_OK)
        hito_error_set(err, rc, "RSA key: PEM encoding failed");
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return rc;
}

struct jwks *jwks_new(const struct jwks_options *opts, struct hito_error *err)
{
    struct jwks *keys = calloc(1, sizeof(*keys));

    if (keys == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "jwks: out of memory");
        return NULL;
    }
    if (opts->url != NULL) {
        keys->url = strdup(opts->url);
        if (keys->url == NULL) {
            free(keys);
            hito_error_set(err, HITO_ERR_NOMEM, "jwks: out of memory");
            return NULL;
        }
    }
    keys->ttl_seconds = opts->ttl_seconds > 0 ? opts->ttl_seconds : JWKS_DEFAULT_TTL_SECONDS;
    if (opts->cooldown_seconds == 0)
        keys->cooldown_seconds = JWKS_DEFAULT_COOLDOWN_SECONDS;
    else
        keys->cooldown_seconds = opts->cooldown_seconds < 0 ? 0 : opts->cooldown_seconds;
    keys->timeout_ms = opts->timeout_ms;
    pthread_mutex_init(&keys->lock, NULL);
    return keys;
}

static void clear_keys(struct jwks_key *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(list[i].pem);
        list[i].pem = NULL;
    }
}

void jwks_free(struct jwks *keys)
{
    if (keys == NULL)
        return;
    clear_keys(keys->keys, keys->key_count);
    pthread_mutex_destroy(&keys->lock);
    free(keys->url);
    free(keys);
}

/* Fills slot and returns 1 when jwk is an RSA signing key with a usable kid. */
static int parse_key(json_t *jwk, struct jwks_key *slot, struct hito_error *err)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *use = json_string_value(json_object_get(jwk, "use"));
    const char *kid = json_string_value(json_object_get(jwk, "kid"));
    const char *n = json_string_value(json_object_get(jwk, "n"));
    const char *e = json_string_value(json_object_get(jwk, "e"));

    if (kty == NULL || strcmp(kty, "RSA") != 0 || (use != NULL && strcmp(use, "sig") != 0))
        return 0;
    if (kid == NULL || kid[0] == '\0' || strlen(kid) > JWKS_MAX_KID_LEN || n == NULL || e == NULL)
        return 0;
    if (jwks_rsa_to_pem(n, e, &slot->pem, err) != HITO_OK)
        return 0;
    strcpy(slot->kid, kid);
    return 1;
}

/* Parses a document into a fresh key list; the caller holds the lock. */
static int load_locked(struct jwks *keys, const char *json, size_t len, struct hito_error *err)
{
    struct jwks_key fresh[JWKS_MAX_KEYS];
    size_t count = 0, i;
    json_error_t jerr;
    json_t *doc, *list, *jwk;

    memset(fresh, 0, sizeof(fresh));
    if (len > JWKS_MAX_DOCUMENT_BYTES)
        return hito_error_set(err, HITO_ERR_LIMIT, "JWKS document is larger than %d bytes",
                              JWKS_MAX_DOCUMENT_BYTES);
    doc = json_loadb(json, len, 0, &jerr);
    if (doc == NULL)
        return hito_error_set(err, HITO_ERR_PROTOCOL, "JWKS document is not JSON: %s",
                              jerr.text);
    list = json_object_get(doc, "keys");
    if (!json_is_array(list)) {
        json_decref(doc);
        return hito_error_set(err, HITO_ERR_PROTOCOL, "JWKS document has no \"keys\" array");
    }
    json_array_foreach(list, i, jwk) {
        if (count == JWKS_MAX_KEYS)
            break;
        count += (size_t)parse_key(jwk, &fresh[count], NULL);
    }
    json_decref(doc);
    clear_keys(keys->keys, keys->key_count);
    memcpy(keys->keys, fresh, sizeof(fresh));
    keys->key_count = count;
    return HITO_OK;
}

int jwks_load_json(struct jwks *keys, const char *json, size_t len, struct hito_error *err)
{
    int rc;

    pthread_mutex_lock(&keys->lock);
    rc = load_locked(keys, json, len, err);
    if (rc == HITO_OK)
        keys->fetched_at = now_monotonic();
    pthread_mutex_unlock(&keys->lock);
    return rc;
}

/*
 * Fetches the set; the caller holds the lock. Holding it during the request
 * makes concurrent callers wait for one fetch in place of each sending one.
 */
static int fetch_locked(struct jwks *keys, struct hito_error *err)
{
    const char *headers[] = {"Accept: application/json", NULL};
    struct httpc_request req = {.url = keys->url, .headers = headers,
                                .timeout_ms = keys->timeout_ms};
    struct httpc_response res = {0};
    int rc;

    if (keys->url == NULL)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "JWKS has no URL to fetch from");
    keys->last_attempt_at = now_monotonic();
    keys->fetch_count++;
    rc = httpc_do(&req, &res, err);
    if (rc != HITO_OK) {
        rc = HITO_ERR_UNAVAILABLE;
        if (err != NULL)
            err->code = rc;
        goto out;
    }
    if (res.status != 200) {
        rc = hito_error_set(err, HITO_ERR_UNAVAILABLE, "JWKS fetch from %s returned HTTP %ld",
                            keys->url, res.status);
        goto out;
    }
    rc = load_locked(keys, res.body, res.body_len, err);
    if (rc == HITO_OK)
        keys->fetched_at = keys->last_attempt_at;
out:
    httpc_response_free(&res);
    return rc;
}

static const char *find_locked(const struct jwks *keys, const char *kid)
{
    for (size_t i = 0; i < keys->key_count; i++) {
        if (strcmp(keys->keys[i].kid, kid) == 0)
            return keys->keys[i].pem;
    }
    return NULL;
}

int jwks_get_pem(struct jwks *keys, const char *kid, char **pem, struct hito_error *err)
{
    const char *found;
    time_t now = now_monotonic();
    int fetched = 0;
    int rc = HITO_OK;

    *pem = NULL;
    pthread_mutex_lock(&keys->lock);
    if (keys->url != NULL &&
        (keys->fetched_at == 0 || now - keys->fetched_at >= keys->ttl_seconds)) {
        rc = fetch_locked(keys, err);
        fetched = 1;
        /* A stale set still verifies tokens while the provider is down. */
        if (rc != HITO_OK && keys->key_count == 0)
            goto out;
    }
    found = find_locked(keys, kid);
    if (found == NULL && keys->url != NULL && !fetched &&
        now - keys->last_attempt_at >= keys->cooldown_seconds) {
        rc = fetch_locked(keys, err);
        if (rc != HITO_OK)
            goto out;
        found = find_locked(keys, kid);
    }
    if (found == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOT_FOUND,
                            "no signing key with kid \"%s\" in the JWKS", kid);
        goto out;
    }
    *pem = strdup(found);
    rc = *pem != NULL ? HITO_OK : hito_error_set(err, HITO_ERR_NOMEM, "jwks: out of memory");
out:
    pthread_mutex_unlock(&keys->lock);
    return rc;
}

unsigned long jwks_fetch_count(struct jwks *keys)
{
    unsigned long count;

    pthread_mutex_lock(&keys->lock);
    count = keys->fetch_count;
    pthread_mutex_unlock(&keys->lock);
    return count;
}

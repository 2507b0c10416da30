/* jose.c - RS256 keyring, compact JWS, PKCE S256, on OpenSSL 3. */
#define _GNU_SOURCE /* asprintf */
#include "jose.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "hito/json_guard.h"

#define KID_MAX 32

struct jose_key {
    char kid[KID_MAX];
    EVP_PKEY *pkey;
};

struct jose_keyring {
    struct jose_key keys[JOSE_MAX_KEYS];
    size_t count;
};

struct jose_keyring *jose_keyring_new(void)
{
    return calloc(1, sizeof(struct jose_keyring));
}

static void keyring_clear(struct jose_keyring *ring)
{
    for (size_t i = 0; i < ring->count; i++)
        EVP_PKEY_free(ring->keys[i].pkey);
    ring->count = 0;
}

void jose_keyring_free(struct jose_keyring *ring)
{
    if (ring == NULL)
        return;
    keyring_clear(ring);
    free(ring);
}

size_t jose_keyring_size(const struct jose_keyring *ring)
{
    return ring->count;
}

static EVP_PKEY *pem_to_private(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *pkey;

    if (bio == NULL)
        return NULL;
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return pkey;
}

static char *key_to_pem(EVP_PKEY *pkey, int private_part)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long len;
    char *out = NULL;
    int ok;

    if (bio == NULL)
        return NULL;
    ok = private_part ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
                      : PEM_write_bio_PUBKEY(bio, pkey);
    if (ok == 1) {
        len = BIO_get_mem_data(bio, &data);
        out = strndup(data, (size_t)len);
    }
    BIO_free(bio);
    return out;
}

/* Appends a key, dropping the oldest when the ring is full; takes pkey. */
static void keyring_push(struct jose_keyring *ring, const char *kid, EVP_PKEY *pkey)
{
    if (ring->count == JOSE_MAX_KEYS) {
        EVP_PKEY_free(ring->keys[0].pkey);
        memmove(&ring->keys[0], &ring->keys[1], sizeof(ring->keys[0]) * (JOSE_MAX_KEYS - 1));
        ring->count--;
    }
    snprintf(ring->keys[ring->count].kid, KID_MAX, "%s", kid);
    ring->keys[ring->count].pkey = pkey;
    ring->count++;
}

int jose_keyring_load(struct jose_keyring *ring, const json_t *stored, struct hito_error *err)
{
    size_t i;
    json_t *item;

    keyring_clear(ring);
    json_array_foreach(stored, i, item) {
        const char *kid = json_string_value(json_object_get(item, "kid"));
        const char *pem = json_string_value(json_object_get(item, "pem"));
        EVP_PKEY *pkey;

        if (kid == NULL || pem == NULL || strlen(kid) >= KID_MAX)
            return hito_error_set(err, HITO_ERR_INVALID, "stored key %zu is malformed", i);
        pkey = pem_to_private(pem);
        if (pkey == NULL)
            return hito_error_set(err, HITO_ERR_INVALID, "stored key %s is not a PEM key", kid);
        keyring_push(ring, kid, pkey);
    }
    return HITO_OK;
}

json_t *jose_keyring_dump(const struct jose_keyring *ring)
{
    json_t *out = json_array();

    for (size_t i = 0; i < ring->count; i++) {
        char *pem = key_to_pem(ring->keys[i].pkey, 1);

        if (pem == NULL)
            continue;
        json_array_append_new(out, json_pack("{s:s, s:s}", "kid", ring->keys[i].kid, "pem", pem));
        OPENSSL_cleanse(pem, strlen(pem));
        free(pem);
    }
    return out;
}

int jose_keyring_rotate(struct jose_keyring *ring, const char *kid, struct hito_error *err)
{
    EVP_PKEY *pkey;

    if (strlen(kid) >= KID_MAX)
        return hito_error_set(err, HITO_ERR_INVALID, "key id %s is too long", kid);
    pkey = EVP_RSA_gen(JOSE_RSA_BITS);
    if (pkey == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "RSA key generation failed");
    keyring_push(ring, kid, pkey);
    return HITO_OK;
}

int jose_keyring_retire(struct jose_keyring *ring)
{
    int dropped;

    if (ring->count <= 1)
        return 0;
    dropped = (int)ring->count - 1;
    for (size_t i = 0; i + 1 < ring->count; i++)
        EVP_PKEY_free(ring->keys[i].pkey);
    ring->keys[0] = ring->keys[ring->count - 1];
    ring->count = 1;
    return dropped;
}

char *jose_b64url(const unsigned char *data, size_t len)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    char *out = malloc(cap);
    int n;

    if (out == NULL)
        return NULL;
    n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (int i = 0; i < n; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return out;
}

unsigned char *jose_b64url_decode(const char *s, size_t len, size_t *out_len)
{
    size_t padded = len + (4 - len % 4) % 4;
    char *tmp;
    unsigned char *out;
    int n;

    if (len > JOSE_MAX_TOKEN || len % 4 == 1)
        return NULL;
    tmp = malloc(padded + 1);
    out = malloc(padded + 1);
    if (tmp == NULL || out == NULL)
        goto fail;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (c == '=')
            break;
        tmp[i] = c;
    }
    for (size_t i = len; i < padded; i++)
        tmp[i] = '=';
    tmp[padded] = '\0';
    n = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)padded);
    if (n < 0)
        goto fail;
    *out_len = (size_t)n - (padded - len);
    out[*out_len] = '\0';
    free(tmp);
    return out;
fail:
    free(tmp);
    free(out);
    return NULL;
}

char *jose_b64_encode(const unsigned char *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);

    if (out != NULL)
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

unsigned char *jose_b64_decode(const char *s, size_t *out_len)
{
    size_t len = strlen(s);
    unsigned char *out;
    int n;
    size_t pad = 0;

    if (len == 0 || len > JOSE_MAX_TOKEN || len % 4 != 0)
        return NULL;
    out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
    if (n < 0) {
        free(out);
        return NULL;
    }
    while (pad < 2 && s[len - 1 - pad] == '=')
        pad++;
    *out_len = (size_t)n - pad;
    out[*out_len] = '\0';
    return out;
}

static char *b64url_json(const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *out;

    if (text == NULL)
        return NULL;
    out = jose_b64url((const unsigned char *)text, strlen(text));
    free(text);
    return out;
}

static char *sign_with(EVP_PKEY *pkey, const char *kid, const json_t *claims, const char *typ)
{
    json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "kid", kid, "typ", typ);
    char *h = b64url_json(header);
    char *c = b64url_json(claims);
    char *input = NULL;
    char *out = NULL;
    char *sig64 = NULL;
    unsigned char sig[1024];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    json_decref(header);
    if (h == NULL || c == NULL || md == NULL)
        goto out;
    if (asprintf(&input, "%s.%s", h, c) < 0) {
        input = NULL;
        goto out;
    }
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
        EVP_DigestSign(md, sig, &sig_len, (unsigned char *)input, strlen(input)) != 1)
        goto out;
    sig64 = jose_b64url(sig, sig_len);
    if (sig64 != NULL && asprintf(&out, "%s.%s", input, sig64) < 0)
        out = NULL;
out:
    EVP_MD_CTX_free(md);
    free(h);
    free(c);
    free(input);
    free(sig64);
    return out;
}

char *jose_sign(const struct jose_keyring *ring, const json_t *claims, const char *typ)
{
    const struct jose_key *key;

    if (ring->count == 0)
        return NULL;
    key = &ring->keys[ring->count - 1];
    return sign_with(key->pkey, key->kid, claims, typ);
}

/* Splits a compact JWS; dots[0], dots[1] are the positions of its two dots. */
static int split_jws(const char *token, size_t dots[2])
{
    const char *p;
    const char *q;

    if (strlen(token) > JOSE_MAX_TOKEN)
        return -1;
    p = strchr(token, '.');
    if (p == NULL)
        return -1;
    q = strchr(p + 1, '.');
    if (q == NULL || strchr(q + 1, '.') != NULL)
        return -1;
    dots[0] = (size_t)(p - token);
    dots[1] = (size_t)(q - token);
    return 0;
}

static json_t *decode_part(const char *s, size_t len)
{
    size_t n;
    unsigned char *raw = jose_b64url_decode(s, len, &n);
    json_t *doc;

    if (raw == NULL)
        return NULL;
    /* jansson recurses per level, so a deep part would overflow the worker's stack. */
    if (!json_guard_depth_ok((const char *)raw, n, JSON_GUARD_MAX_DEPTH)) {
        free(raw);
        return NULL;
    }
    doc = json_loadb((const char *)raw, n, 0, NULL);
    free(raw);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

json_t *jose_peek_header(const char *token)
{
    size_t dots[2];

    if (split_jws(token, dots) < 0)
        return NULL;
    return decode_part(token, dots[0]);
}

/* Checks the signature of token with pkey; returns its claims or NULL. */
static json_t *verify_with(EVP_PKEY *pkey, const char *token, const size_t dots[2])
{
    size_t sig_len;
    unsigned char *sig = jose_b64url_decode(token + dots[1] + 1,
                                            strlen(token) - dots[1] - 1, &sig_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    json_t *claims = NULL;

    if (sig == NULL || md == NULL)
        goto out;
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
        EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)token, dots[1]) != 1)
        goto out;
    claims = decode_part(token + dots[0] + 1, dots[1] - dots[0] - 1);
out:
    EVP_MD_CTX_free(md);
    free(sig);
    return claims;
}

int jose_verify(const struct jose_keyring *ring, const char *token, json_t **claims,
                struct hito_error *err)
{
    size_t dots[2];
    json_t *header;
    const char *kid;
    const char *alg;
    int rc = HITO_ERR_AUTH;

    *claims = NULL;
    if (split_jws(token, dots) < 0)
        return hito_error_set(err, HITO_ERR_INVALID, "token is not a compact JWS");
    header = decode_part(token, dots[0]);
    if (header == NULL)
        return hito_error_set(err, HITO_ERR_INVALID, "token header is not JSON");
    kid = json_string_value(json_object_get(header, "kid"));
    alg = json_string_value(json_object_get(header, "alg"));
    if (kid == NULL || alg == NULL || strcmp(alg, "RS256") != 0) {
        rc = hito_error_set(err, HITO_ERR_INVALID, "token header lacks kid or alg RS256");
        goto out;
    }
    for (size_t i = 0; i < ring->count; i++) {
        if (strcmp(ring->keys[i].kid, kid) != 0)
            continue;
        *claims = verify_with(ring->keys[i].pkey, token, dots);
        rc = *claims != NULL ? HITO_OK
                             : hito_error_set(err, HITO_ERR_AUTH, "token signature is invalid");
        goto out;
    }
    rc = hito_error_set(err, HITO_ERR_AUTH, "token key id %s is unknown", kid);
out:
    json_decref(header);
    return rc;
}

int jose_verify_pem(const char *pem, const char *token, json_t **header, json_t **claims,
                    struct hito_error *err)
{
    size_t dots[2];
    BIO *bio;
    EVP_PKEY *pkey;
    json_t *c;

    if (split_jws(token, dots) < 0)
        return hito_error_set(err, HITO_ERR_INVALID, "assertion is not a compact JWS");
    bio = BIO_new_mem_buf(pem, -1);
    pkey = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (pkey == NULL)
        return hito_error_set(err, HITO_ERR_INVALID, "stored public key is not PEM");
    c = verify_with(pkey, token, dots);
    EVP_PKEY_free(pkey);
    if (c == NULL)
        return hito_error_set(err, HITO_ERR_AUTH, "assertion signature is invalid");
    if (header != NULL)
        *header = decode_part(token, dots[0]);
    if (claims != NULL)
        *claims = c;
    else
        json_decref(c);
    return HITO_OK;
}

int jose_generate_pem(char **private_pem, char **public_pem, struct hito_error *err)
{
    EVP_PKEY *pkey = EVP_RSA_gen(JOSE_RSA_BITS);

    *private_pem = NULL;
    *public_pem = NULL;
    if (pkey == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "RSA key generation failed");
    *private_pem = key_to_pem(pkey, 1);
    *public_pem = key_to_pem(pkey, 0);
    EVP_PKEY_free(pkey);
    if (*private_pem == NULL || *public_pem == NULL) {
        free(*private_pem);
        free(*public_pem);
        return hito_error_set(err, HITO_ERR_NOMEM, "PEM encoding failed");
    }
    return HITO_OK;
}

static char *bn_b64url(EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int n;
    char *out;

    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        return NULL;
    n = BN_num_bytes(bn);
    if (n <= 0 || (size_t)n > sizeof(buf)) {
        BN_free(bn);
        return NULL;
    }
    BN_bn2bin(bn, buf);
    BN_free(bn);
    out = jose_b64url(buf, (size_t)n);
    return out;
}

json_t *jose_keyring_jwks(const struct jose_keyring *ring)
{
    json_t *keys = json_array();

    for (size_t i = 0; i < ring->count; i++) {
        char *n = bn_b64url(ring->keys[i].pkey, OSSL_PKEY_PARAM_RSA_N);
        char *e = bn_b64url(ring->keys[i].pkey, OSSL_PKEY_PARAM_RSA_E);

        if (n != NULL && e != NULL)
            json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "use",
                                                  "sig", "kty", "RSA", "kid", ring->keys[i].kid,
                                                  "alg", "RS256", "n", n, "e", e));
        free(n);
        free(e);
    }
    return json_pack("{s:o}", "keys", keys);
}

int jose_random_token(char *buf, size_t size, size_t n)
{
    unsigned char raw[128];
    char *s;

    if (n > sizeof(raw) || RAND_bytes(raw, (int)n) != 1)
        return HITO_ERR_INVALID;
    s = jose_b64url(raw, n);
    if (s == NULL)
        return HITO_ERR_NOMEM;
    if (strlen(s) >= size) {
        free(s);
        return HITO_ERR_LIMIT;
    }
    strcpy(buf, s);
    free(s);
    return HITO_OK;
}

int jose_pkce_s256_ok(const char *verifier, const char *challenge)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    size_t len = strlen(verifier);
    char *expected;
    int ok;

    /* RFC 7636 4.1: a verifier has 43 to 128 characters. */
    if (len < 43 || len > 128)
        return 0;
    SHA256((const unsigned char *)verifier, len, digest);
    expected = jose_b64url(digest, sizeof(digest));
    ok = expected != NULL && strcmp(expected, challenge) == 0;
    free(expected);
    return ok;
}

void jose_sha256_hex(const char *data, size_t len, char hex[65])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)data, len, digest);
    for (size_t i = 0; i < sizeof(digest); i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

char *jose_half_hash(const char *s)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)s, strlen(s), digest);
    return jose_b64url(digest, sizeof(digest) / 2);
}

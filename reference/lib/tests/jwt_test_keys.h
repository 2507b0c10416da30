/*
 * jwt_test_keys.h - test fixtures shared by the JWKS, JWT and token tests:
 * RSA key pairs, JWKS documents, signed and forged tokens, and a small
 * httpd that serves a JWKS document which a test can swap at run time.
 * Header-only because each test binary is built from one source file.
 */
#ifndef HITO_JWT_TEST_KEYS_H
#define HITO_JWT_TEST_KEYS_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "hito/httpd.h"

#define TEST_ISSUER "http://localhost:26080"
#define TEST_AUDIENCE "123456789012345678"

struct test_key {
    char kid[32];
    char *private_pem;
    char *public_pem;
    char *jwk;          /* one JWK object as JSON text */
};

static inline char *test_bio_string(BIO *bio)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    char *copy = strndup(data, (size_t)len);

    BIO_free(bio);
    return copy;
}

/* Encodes bytes as unpadded base64url; the caller frees the result. */
static inline char *test_base64url(const unsigned char *in, size_t len)
{
    char *out = malloc(len / 3 * 4 + 8);
    int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);

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

static inline char *test_bn_base64url(const BIGNUM *bn)
{
    int len = BN_num_bytes(bn);
    unsigned char *raw = malloc((size_t)len);
    char *out;

    BN_bn2bin(bn, raw);
    out = test_base64url(raw, (size_t)len);
    free(raw);
    return out;
}

/* Generates a 2048-bit RSA key pair with the given kid. */
static inline void test_key_init(struct test_key *key, const char *kid)
{
    EVP_PKEY *pkey = EVP_RSA_gen(2048);
    BIGNUM *n = NULL, *e = NULL;
    BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
    char *n64, *e64;

    snprintf(key->kid, sizeof(key->kid), "%s", kid);
    PEM_write_bio_PrivateKey(priv, pkey, NULL, NULL, 0, NULL, NULL);
    PEM_write_bio_PUBKEY(pub, pkey);
    key->private_pem = test_bio_string(priv);
    key->public_pem = test_bio_string(pub);
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e);
    n64 = test_bn_base64url(n);
    e64 = test_bn_base64url(e);
    key->jwk = malloc(strlen(n64) + strlen(e64) + 128);
    sprintf(key->jwk, "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"%s\","
            "\"n\":\"%s\",\"e\":\"%s\"}", kid, n64, e64);
    free(n64);
    free(e64);
    BN_free(n);
    BN_free(e);
    EVP_PKEY_free(pkey);
}

static inline void test_key_free(struct test_key *key)
{
    free(key->private_pem);
    free(key->public_pem);
    free(key->jwk);
}

/* Returns {"keys":[...]} for up to two keys (b may be NULL); caller frees. */
static inline char *test_jwks_document(const struct test_key *a, const struct test_key *b)
{
    size_t size = strlen(a->jwk) + (b != NULL ? strlen(b->jwk) : 0) + 32;
    char *doc = malloc(size);

    snprintf(doc, size, "{\"keys\":[%s%s%s]}", a->jwk, b != NULL ? "," : "",
             b != NULL ? b->jwk : "");
    return doc;
}

/*
 * Signs claims_json with alg and key bytes, setting header kid; the caller
 * frees the token. libjwt writes the typ and alg header fields itself.
 */
static inline char *test_sign(const char *claims_json, jwt_alg_t alg, const char *key,
                              const char *kid)
{
    jwt_t *jwt = NULL;
    char *token;

    jwt_new(&jwt);
    jwt_add_grants_json(jwt, claims_json);
    if (kid != NULL)
        jwt_add_header(jwt, "kid", kid);
    jwt_set_alg(jwt, alg, (const unsigned char *)key, key != NULL ? (int)strlen(key) : 0);
    token = jwt_encode_str(jwt);
    jwt_free(jwt);
    return token;
}

/* Builds {"iss","sub","aud","exp","iat"} claims with exp and iat relative to now. */
static inline char *test_claims(const char *iss, const char *aud, long exp_offset, long iat_offset,
                         const char *extra)
{
    long now = (long)time(NULL);
    char *out = malloc(2048);

    snprintf(out, 2048,
             "{\"iss\":\"%s\",\"sub\":\"2001\",\"aud\":[\"%s\",\"999@hito_platform\"],"
             "\"exp\":%ld,\"iat\":%ld%s%s}",
             iss, aud, now + exp_offset, now + iat_offset, extra != NULL ? "," : "",
             extra != NULL ? extra : "");
    return out;
}

/* An httpd serving /jwks and counting requests; the document can change. */
struct test_jwks_server {
    struct httpd *srv;
    pthread_mutex_t lock;
    char *document;
    int status;
    int requests;
    char url[128];
};

static inline void test_jwks_handler(struct httpd_req *req, void *user)
{
    struct test_jwks_server *s = user;
    char *body;
    int status;

    pthread_mutex_lock(&s->lock);
    s->requests++;
    body = strdup(s->document != NULL ? s->document : "{}");
    status = s->status != 0 ? s->status : 200;
    pthread_mutex_unlock(&s->lock);
    httpd_reply(req, status, "application/json", body, strlen(body));
    free(body);
}

static inline int test_jwks_server_start(struct test_jwks_server *s, const char *document)
{
    struct httpd_options opts = {.service = "test-jwks", .listen = "127.0.0.1:0", .threads = 4};
    struct hito_error err = {0};

    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    s->document = document != NULL ? strdup(document) : NULL;
    s->srv = httpd_new(&opts, &err);
    if (s->srv == NULL || httpd_route(s->srv, "GET", "/jwks", test_jwks_handler, s) != 0 ||
        httpd_start(s->srv, &err) != 0)
        return -1;
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d/jwks", httpd_port(s->srv));
    return 0;
}

static inline void test_jwks_server_set(struct test_jwks_server *s, const char *document,
                                        int status)
{
    pthread_mutex_lock(&s->lock);
    free(s->document);
    s->document = document != NULL ? strdup(document) : NULL;
    s->status = status;
    pthread_mutex_unlock(&s->lock);
}

/* Serves document with status 200 again and zeroes the request count. */
static inline void test_jwks_server_reset(struct test_jwks_server *s, const char *document)
{
    test_jwks_server_set(s, document, 200);
    pthread_mutex_lock(&s->lock);
    s->requests = 0;
    pthread_mutex_unlock(&s->lock);
}

static inline int test_jwks_server_requests(struct test_jwks_server *s)
{
    int n;

    pthread_mutex_lock(&s->lock);
    n = s->requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static inline void test_jwks_server_stop(struct test_jwks_server *s)
{
    httpd_free(s->srv);
    free(s->document);
    pthread_mutex_destroy(&s->lock);
}

#endif

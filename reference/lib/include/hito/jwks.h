/*
 * jwks.h - a cache of the RSA signing keys an OpenID provider publishes as a
 * JSON Web Key Set (RFC 7517), for verifying RS256 tokens locally.
 *
 * Keys are fetched with httpc and kept for a TTL. A token naming an unknown
 * kid (the provider rotated its keys) makes the cache fetch again at once,
 * but at most once per cooldown. A flood of tokens with made-up kids thus
 * cannot turn into a flood of requests to the provider. Each RSA key is
 * converted to a PEM SubjectPublicKeyInfo, the form libjwt 1.10 takes. All functions are
 * thread-safe.
 */
#ifndef HITO_JWKS_H
#define HITO_JWKS_H

#include <stddef.h>

#include "hito/err.h"

#define JWKS_DEFAULT_TTL_SECONDS 300
#define JWKS_DEFAULT_COOLDOWN_SECONDS 10
/* Keys beyond this count in one document are ignored. */
#define JWKS_MAX_KEYS 32
/* JWKS documents larger than this are rejected. */
#define JWKS_MAX_DOCUMENT_BYTES (256 * 1024)
#define JWKS_MAX_KID_LEN 128

struct jwks;

struct jwks_options {
    /* The provider's jwks_uri; NULL: keys come only from jwks_load_json. */
    const char *url;
    long ttl_seconds;              /* 0: JWKS_DEFAULT_TTL_SECONDS */
    /* Min seconds between fetches for unknown kids; 0: default, <0: none. */
    long cooldown_seconds;
    long timeout_ms;               /* per fetch; 0: httpc's default */
};

/* Creates an empty cache; nothing is fetched yet. NULL with err on failure. */
struct jwks *jwks_new(const struct jwks_options *opts, struct hito_error *err);
void jwks_free(struct jwks *keys);

/*
 * Looks up the PEM public key for kid and stores a copy, which the caller
 * frees, in *pem. Fetches the set first when it was never fetched or its TTL
 * passed, and once more when kid is unknown and the cooldown allows. Errors:
 * HITO_ERR_NOT_FOUND for a kid the set still lacks, HITO_ERR_UNAVAILABLE or
 * HITO_ERR_PROTOCOL when the set could not be fetched or parsed.
 */
int jwks_get_pem(struct jwks *keys, const char *kid, char **pem, struct hito_error *err);

/*
 * Replaces the cached keys with those of a JWKS document. Keys other than
 * RSA signing keys (kty "RSA", use absent or "sig") are skipped; a document
 * without a "keys" array is HITO_ERR_PROTOCOL.
 */
int jwks_load_json(struct jwks *keys, const char *json, size_t len, struct hito_error *err);

/* Returns how many times the set was fetched over HTTP (for tests and metrics). */
unsigned long jwks_fetch_count(struct jwks *keys);

/*
 * Converts an RSA public key given as base64url modulus n and exponent e
 * (the JWK members) to a PEM SubjectPublicKeyInfo; the caller frees *pem.
 */
int jwks_rsa_to_pem(const char *n, const char *e, char **pem, struct hito_error *err);

/*
 * Decodes unpadded base64url (RFC 4648 section 5) into a new buffer with a
 * NUL byte after *out_len bytes; the caller frees *out. HITO_ERR_INVALID on a
 * character outside the alphabet or an impossible length.
 */
int jwks_base64url_decode(const char *in, size_t len, unsigned char **out, size_t *out_len);

#endif

/*
 * jose.h - RS256 keys, JWS compact tokens and PKCE for the emulator, on
 * OpenSSL 3.
 *
 * A keyring keeps the instance's signing keys as ZITADEL v2.40 does: the
 * newest key signs, older public keys stay listed in the JWKS (so tokens
 * they signed keep verifying) until they are retired. Key ids are numeric
 * strings, as ZITADEL's are.
 */
#ifndef ZITADEL_JOSE_H
#define ZITADEL_JOSE_H

#include <stddef.h>
#include <jansson.h>

#include "hito/err.h"

#define JOSE_RSA_BITS 2048
/* Tokens and assertions longer than this are rejected before decoding. */
#define JOSE_MAX_TOKEN 16384
/* Maximum number of keys in a keyring; rotating past it drops the oldest. */
#define JOSE_MAX_KEYS 16

struct jose_keyring;

/* Creates an empty keyring; NULL when out of memory. */
struct jose_keyring *jose_keyring_new(void);
void jose_keyring_free(struct jose_keyring *ring);

/*
 * Loads keys from their stored form, an array of {"kid", "pem"} objects
 * (private keys, PEM PKCS#8), oldest first. Replaces what the ring held.
 */
int jose_keyring_load(struct jose_keyring *ring, const json_t *stored, struct hito_error *err);

/* Returns the stored form of the ring (new reference). */
json_t *jose_keyring_dump(const struct jose_keyring *ring);

/* Generates a new RSA key with id kid that signs from now on. */
int jose_keyring_rotate(struct jose_keyring *ring, const char *kid, struct hito_error *err);

/* Drops every key but the signing key; returns how many were dropped. */
int jose_keyring_retire(struct jose_keyring *ring);

/* Returns the number of keys in the ring. */
size_t jose_keyring_size(const struct jose_keyring *ring);

/* Returns the JWKS document {"keys":[{use, kty, kid, alg, n, e}]} (new reference). */
json_t *jose_keyring_jwks(const struct jose_keyring *ring);

/*
 * Signs claims with the signing key as a compact JWS with header
 * {"alg":"RS256","kid":...,"typ":typ}. The caller frees the string; NULL when
 * the ring is empty or out of memory.
 */
char *jose_sign(const struct jose_keyring *ring, const json_t *claims, const char *typ);

/*
 * Verifies a compact RS256 JWS with a key of the ring and returns its claims
 * (new reference) in *claims. Does not check times or audiences. Errors:
 * HITO_ERR_INVALID for a malformed token, HITO_ERR_AUTH for an unknown kid or
 * a bad signature.
 */
int jose_verify(const struct jose_keyring *ring, const char *token, json_t **claims,
                struct hito_error *err);

/*
 * Verifies a compact RS256 JWS with the given public key (PEM) and returns
 * the header and the claims (new references, either pointer may be NULL).
 */
int jose_verify_pem(const char *pem, const char *token, json_t **header, json_t **claims,
                    struct hito_error *err);

/* Decodes the header of a compact JWS without verifying it. */
json_t *jose_peek_header(const char *token);

/*
 * Generates an RSA key pair for a machine user's key file; *private_pem and
 * *public_pem are allocated and owned by the caller.
 */
int jose_generate_pem(char **private_pem, char **public_pem, struct hito_error *err);

/* Base64url without padding; the caller frees the result. */
char *jose_b64url(const unsigned char *data, size_t len);

/* Decodes base64url (padding optional) into a new buffer; NULL on bad input. */
unsigned char *jose_b64url_decode(const char *s, size_t len, size_t *out_len);

/* Standard base64 with padding; the caller frees the result. */
char *jose_b64_encode(const unsigned char *data, size_t len);

/* Decodes standard base64 (with padding) into a new buffer; NULL on bad input. */
unsigned char *jose_b64_decode(const char *s, size_t *out_len);

/* Fills buf with n random bytes as base64url, for tokens and codes. */
int jose_random_token(char *buf, size_t size, size_t n);

/* Returns nonzero when BASE64URL(SHA256(verifier)) equals challenge (RFC 7636 S256). */
int jose_pkce_s256_ok(const char *verifier, const char *challenge);

/* Writes the lowercase hex SHA-256 of data into hex (65 bytes). */
void jose_sha256_hex(const char *data, size_t len, char hex[65]);

/* Returns the base64url of the left half of SHA-256(s), for at_hash and c_hash. */
char *jose_half_hash(const char *s);

#endif

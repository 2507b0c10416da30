/*
 * jwt_verify.h - verification of RS256 JWT access and ID tokens issued by
 * ZITADEL (or any OpenID provider publishing a JWKS).
 *
 * libjwt 1.10 verifies signatures only: it accepts "alg":"none" tokens
 * without a key, it accepts an HS256 token whose HMAC key is the RSA public
 * PEM handed to it, and it checks no claim. So this module reads the header
 * first and requires alg RS256 exactly, then lets libjwt verify the signature
 * with the PEM of the header's kid, then checks exp, nbf, iss and aud itself.
 */
#ifndef HITO_JWT_VERIFY_H
#define HITO_JWT_VERIFY_H

#include <stddef.h>

#include "hito/err.h"
#include "hito/jwks.h"

/* Tokens longer than this are rejected before any parsing. */
#define JWT_VERIFY_MAX_TOKEN_BYTES 16384
/* Roles beyond this count are rejected as a malformed token. */
#define JWT_VERIFY_MAX_ROLES 64
#define JWT_VERIFY_DEFAULT_LEEWAY_SECONDS 30

/* Reason a token was rejected, or JWT_VERIFY_OK when it was accepted. */
enum jwt_verify_reason {
    JWT_VERIFY_OK = 0,
    JWT_VERIFY_MALFORMED,        /* not three base64url JSON parts, or a claim has the wrong type */
    JWT_VERIFY_BAD_ALG,          /* header alg is not RS256 (none, HS256, ...) */
    JWT_VERIFY_UNKNOWN_KID,      /* no key with the header's kid, even after a refetch */
    JWT_VERIFY_KEYS_UNAVAILABLE, /* the JWKS could not be fetched */
    JWT_VERIFY_BAD_SIGNATURE,
    JWT_VERIFY_EXPIRED,          /* exp missing or in the past beyond the leeway */
    JWT_VERIFY_NOT_YET_VALID,    /* nbf or iat in the future beyond the leeway */
    JWT_VERIFY_BAD_ISSUER,
    JWT_VERIFY_BAD_AUDIENCE
};

struct jwt_verify_options {
    const char *issuer;          /* required; compared byte for byte with iss */
    const char *audience;        /* required; aud (string or array) must contain it */
    long leeway_seconds;         /* clock skew allowed on exp, nbf and iat; 0: default, <0: none */
};

/* The claims a service acts on; strings are owned by the struct. */
struct jwt_claims {
    char *sub;
    /* The resourceowner id, else urn:zitadel:iam:org:id, else the roles' org. */
    char *org_id;
    char *issuer;
    /* Role keys from ZITADEL's role objects and the flat "roles" claim. */
    char **roles;
    size_t role_count;
    long exp;                    /* seconds since the epoch */
    long iat;                    /* 0 when absent */
};

/*
 * Verifies token against keys and opts and fills claims (freed with
 * jwt_claims_free whatever the result). Returns HITO_OK, HITO_ERR_AUTH for a
 * rejected token, HITO_ERR_UNAVAILABLE when the keys could not be fetched, or
 * HITO_ERR_NOMEM. *reason (when not NULL) receives the cause and err a
 * message naming it; neither contains the token.
 */
int jwt_verify_token(struct jwks *keys, const struct jwt_verify_options *opts, const char *token,
                     struct jwt_claims *claims, enum jwt_verify_reason *reason,
                     struct hito_error *err);

/* Returns nonzero when claims contains role. */
int jwt_claims_has_role(const struct jwt_claims *claims, const char *role);

/* Frees what claims owns and zeroes it; safe on a zeroed struct. */
void jwt_claims_free(struct jwt_claims *claims);

/* Returns a static name such as "expired" for a reason. */
const char *jwt_verify_reason_name(enum jwt_verify_reason reason);

#endif

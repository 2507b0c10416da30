/*
 * otp_proof.h - the signed proof of a successful verification.
 *
 * A proof is a JWT signed with HS256 and a key used for nothing else
 * (OTP_PROOF_KEY), with the claims iss "hito-otp", sub (the verified phone
 * number or account), purpose, jti (random, 128 bits), iat and exp. Other
 * services link this module and call otp_proof_verify with the same key.
 */
#ifndef OTP_PROOF_H
#define OTP_PROOF_H

#include <stddef.h>

#include "hito/err.h"
#include "otp_ports.h"

#define OTP_PROOF_ISSUER "hito-otp"
#define OTP_PROOF_FIELD_SIZE 128
/* Shortest proof key accepted, in bytes: the SHA-256 output size. */
#define OTP_PROOF_KEY_MIN 32

struct otp_proof {
    char subject[OTP_PROOF_FIELD_SIZE];
    char purpose[OTP_PROOF_FIELD_SIZE];
    char jti[OTP_PROOF_FIELD_SIZE];
    long long issued_at; /* Unix seconds */
    long long expires_at;
};

/*
 * Signs a proof for subject and purpose valid for ttl_seconds from
 * now_seconds. Returns 0 and a token the caller frees with free(), or a
 * negative code with err filled.
 */
int otp_proof_sign(const unsigned char *key, size_t key_len,
                   otp_random_fn random, const char *subject,
                   const char *purpose, long long now_seconds, long ttl_seconds,
                   char **token, struct hito_error *err);

/*
 * Verifies token: the signature with key, alg HS256 (any other alg is
 * rejected), the issuer, exp later than now_seconds, and purpose equal to
 * expected_purpose when that is not NULL. Fills out on success; returns
 * HITO_ERR_AUTH with the reason otherwise. Refusing a jti seen before is the
 * caller's job when a proof must be used once.
 */
int otp_proof_verify(const unsigned char *key, size_t key_len,
                     const char *token, const char *expected_purpose,
                     long long now_seconds, struct otp_proof *out,
                     struct hito_error *err);

#endif

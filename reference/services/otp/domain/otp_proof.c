#include "otp_proof.h"

#include <stdio.h>
#include <string.h>

#include <jwt.h>

#define OTP_JTI_BYTES 16

static int make_jti(otp_random_fn random, char *out, size_t size)
{
    unsigned char bytes[OTP_JTI_BYTES];

    if (size < 2 * OTP_JTI_BYTES + 1 || random(bytes, sizeof(bytes)) != 0)
        return HITO_ERR_IO;
    for (size_t i = 0; i < sizeof(bytes); i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return HITO_OK;
}

int otp_proof_sign(const unsigned char *key, size_t key_len,
                   otp_random_fn random, const char *subject,
                   const char *purpose, long long now_seconds, long ttl_seconds,
                   char **token, struct hito_error *err)
{
    char jti[2 * OTP_JTI_BYTES + 1];
    jwt_t *jwt = NULL;
    int rc = HITO_OK;

    *token = NULL;
    if (key_len < OTP_PROOF_KEY_MIN)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the proof key is shorter than %d bytes",
                              OTP_PROOF_KEY_MIN);
    if (make_jti(random, jti, sizeof(jti)) != 0)
        return hito_error_set(err, HITO_ERR_IO, "random generator failed");
    if (jwt_new(&jwt) != 0)
        return hito_error_set(err, HITO_ERR_NOMEM, "jwt_new failed");

    if (jwt_add_grant(jwt, "iss", OTP_PROOF_ISSUER) != 0 ||
        jwt_add_grant(jwt, "sub", subject) != 0 ||
        jwt_add_grant(jwt, "purpose", purpose) != 0 ||
        jwt_add_grant(jwt, "jti", jti) != 0 ||
        jwt_add_grant_int(jwt, "iat", (long)now_seconds) != 0 ||
        jwt_add_grant_int(jwt, "exp", (long)(now_seconds + ttl_seconds)) != 0 ||
        jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)key_len) != 0) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "building the proof failed");
        goto out;
    }
    *token = jwt_encode_str(jwt);
    if (*token == NULL)
        rc = hito_error_set(err, HITO_ERR_NOMEM, "encoding the proof failed");

out:
    jwt_free(jwt);
    return rc;
}

static int copy_grant(jwt_t *jwt, const char *name, char *out, size_t size)
{
    const char *value = jwt_get_grant(jwt, name);

    if (value == NULL || strlen(value) >= size)
        return HITO_ERR_AUTH;
    memcpy(out, value, strlen(value) + 1);
    return HITO_OK;
}

int otp_proof_verify(const unsigned char *key, size_t key_len,
                     const char *token, const char *expected_purpose,
                     long long now_seconds, struct otp_proof *out,
                     struct hito_error *err)
{
    jwt_t *jwt = NULL;
    const char *issuer;
    int rc = HITO_OK;

    memset(out, 0, sizeof(*out));
    if (key_len < OTP_PROOF_KEY_MIN)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the proof key is shorter than %d bytes",
                              OTP_PROOF_KEY_MIN);
    /* libjwt 1.10 checks the signature with the alg the header names, so the
     * alg is checked below as well: only HS256 is accepted. */
    if (jwt_decode(&jwt, token, key, (int)key_len) != 0 || jwt == NULL)
        return hito_error_set(err, HITO_ERR_AUTH,
                              "the proof is malformed or its signature "
                              "is invalid");
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "the proof is not signed with HS256");
        goto out;
    }
    issuer = jwt_get_grant(jwt, "iss");
    if (issuer == NULL || strcmp(issuer, OTP_PROOF_ISSUER) != 0) {
        rc = hito_error_set(err, HITO_ERR_AUTH, "the proof has another issuer");
        goto out;
    }
    if (copy_grant(jwt, "sub", out->subject, sizeof(out->subject)) != 0 ||
        copy_grant(jwt, "purpose", out->purpose, sizeof(out->purpose)) != 0 ||
        copy_grant(jwt, "jti", out->jti, sizeof(out->jti)) != 0) {
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "the proof lacks sub, purpose or jti");
        goto out;
    }
    out->issued_at = jwt_get_grant_int(jwt, "iat");
    out->expires_at = jwt_get_grant_int(jwt, "exp");
    if (out->expires_at <= now_seconds) {
        rc = hito_error_set(err, HITO_ERR_AUTH, "the proof has expired");
        goto out;
    }
    if (expected_purpose != NULL && strcmp(out->purpose, expected_purpose) != 0)
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "the proof is for purpose %s, not %s", out->purpose,
                            expected_purpose);

out:
    jwt_free(jwt);
    if (rc != HITO_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}

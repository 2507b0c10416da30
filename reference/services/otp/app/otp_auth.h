/*
 * otp_auth.h - authentication of calling services by their ZITADEL access
 * token (RS256 JWT) with hito/jwt_verify.h. A caller must have one of the
 * configured project roles (a stricter list for TOTP enrolment, which can
 * replace a staff member's secret); its client id is the token's sub.
 */
#ifndef OTP_AUTH_H
#define OTP_AUTH_H

#include <stddef.h>

#include "hito/err.h"
#include "hito/jwks.h"

#define OTP_AUTH_ROLES_MAX 8
#define OTP_AUTH_TEXT_SIZE 256

struct otp_auth_options {
    const char *issuer; /* iss of accepted tokens */
    const char
        *audience; /* aud must contain it; empty: every token is rejected */
    const char *jwks_url;    /* the issuer's JWKS */
    const char *roles;       /* comma-separated; the caller needs one of them */
    const char *enrol_roles; /* the same for TOTP enrolment */
};

struct otp_auth;

/* Creates the authenticator; keys are fetched on first use. */
struct otp_auth *otp_auth_new(const struct otp_auth_options *opts,
                              struct hito_error *err);
void otp_auth_free(struct otp_auth *auth);

/*
 * Implements otp_http_authenticate_fn: checks "Bearer <token>" in
 * authorization and copies the token's sub into client_id. Returns
 * HITO_ERR_AUTH with the reason, or HITO_ERR_UNAVAILABLE when the keys
 * cannot be fetched. The token never appears in err or in logs.
 */
int otp_auth_check(void *auth, const char *authorization, char *client_id,
                   size_t size, struct hito_error *err);

/* Like otp_auth_check, with the roles that may enrol staff TOTP secrets. */
int otp_auth_check_enrol(void *auth, const char *authorization, char *client_id,
                         size_t size, struct hito_error *err);

#endif

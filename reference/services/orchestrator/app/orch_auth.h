/*
 * orch_auth.h - authentication of operators by their ZITADEL access token
 * (RS256 JWT, hito/jwt_verify.h): the token must carry one of the
 * configured project roles (admin or support by default).
 */
#ifndef ORCH_AUTH_H
#define ORCH_AUTH_H

#include <stddef.h>

#include "hito/err.h"

#define ORCH_AUTH_ROLES_MAX 8
#define ORCH_AUTH_TEXT_SIZE 256

struct orch_auth_options {
    const char *issuer;   /* iss of accepted tokens */
    const char *audience; /* aud must contain it; empty: every token fails */
    const char *jwks_url;
    const char *roles; /* comma-separated; the caller needs one of them */
};

struct orch_auth;

/* Creates the authenticator; keys are fetched on first use. */
struct orch_auth *orch_auth_new(const struct orch_auth_options *opts,
                                struct hito_error *err);
void orch_auth_free(struct orch_auth *auth);

/*
 * Implements orch_http_authenticate_fn: checks "Bearer <token>" and copies
 * the token's sub. HITO_ERR_AUTH for a missing or rejected token,
 * HITO_ERR_LIMIT for a valid token without a needed role,
 * HITO_ERR_UNAVAILABLE when the keys cannot be fetched. The token never
 * appears in err.
 */
int orch_auth_check(void *auth, const char *authorization, char *subject,
                    size_t size, struct hito_error *err);

#endif

/*
 * wa_auth.h - authentication of calling services by their ZITADEL access
 * token (RS256 JWT) with hito/jwt_verify.h: issuer, audience (the project
 * id) and one of the configured project roles. The caller's client id is
 * the token's sub.
 */
#ifndef WA_AUTH_H
#define WA_AUTH_H

#include <stddef.h>

#include "hito/err.h"

#define WA_AUTH_ROLES_MAX 8
#define WA_AUTH_TEXT_SIZE 256

struct wa_auth_options {
    const char *issuer;
    const char *audience; /* empty: every token is rejected */
    const char *jwks_url;
    const char *roles; /* comma-separated; the caller needs one */
};

struct wa_auth;

/* Creates the authenticator; keys are fetched on first use. */
struct wa_auth *wa_auth_new(const struct wa_auth_options *opts,
                            struct hito_error *err);
void wa_auth_free(struct wa_auth *auth);

/*
 * Implements wa_http_authenticate_fn: checks "Bearer <token>" in
 * authorization and copies the token's sub into client_id. Returns
 * HITO_ERR_AUTH with the reason, or HITO_ERR_UNAVAILABLE when the keys
 * cannot be fetched. The token never appears in err.
 */
int wa_auth_check(void *auth, const char *authorization, char *client_id,
                  size_t size, struct hito_error *err);

#endif

/*
 * iabot_auth.h - checks callers' service tokens (RS256 JWT from ZITADEL)
 * with hito/jwt_verify.h and the role a route needs. Implements
 * iabot_http_authorise_fn.
 */
#ifndef IABOT_AUTH_H
#define IABOT_AUTH_H

#include "hito/err.h"

struct iabot_auth;

/* Creates the checker; keys are fetched from jwks_url on first use. */
struct iabot_auth *iabot_auth_new(const char *issuer, const char *audience,
                                  const char *jwks_url, struct hito_error *err);
void iabot_auth_free(struct iabot_auth *auth);

/*
 * Checks "Bearer <token>" in authorization for role; see
 * iabot_http_authorise_fn for the results. The token never appears in err.
 */
int iabot_auth_check(void *auth, const char *authorization, const char *role,
                     struct hito_error *err);

#endif

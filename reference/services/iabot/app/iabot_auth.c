#include "iabot_auth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hito/jwt_verify.h"

#define AUTH_TEXT_MAX 512

struct iabot_auth {
    struct jwks *keys;
    char issuer[AUTH_TEXT_MAX];
    char audience[AUTH_TEXT_MAX];
};

struct iabot_auth *iabot_auth_new(const char *issuer, const char *audience,
                                  const char *jwks_url, struct hito_error *err)
{
    struct iabot_auth *auth = calloc(1, sizeof(*auth));
    struct jwks_options opts = {.url = jwks_url};

    if (auth == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (strlen(issuer) >= AUTH_TEXT_MAX || strlen(audience) >= AUTH_TEXT_MAX) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "the issuer or audience is too long");
        free(auth);
        return NULL;
    }
    memcpy(auth->issuer, issuer, strlen(issuer) + 1);
    memcpy(auth->audience, audience, strlen(audience) + 1);
    auth->keys = jwks_new(&opts, err);
    if (auth->keys == NULL) {
        free(auth);
        return NULL;
    }
    return auth;
}

void iabot_auth_free(struct iabot_auth *auth)
{
    if (auth == NULL)
        return;
    jwks_free(auth->keys);
    free(auth);
}

/* Returns nonzero when claims hold one of the space-separated roles. */
static int has_any_role(const struct jwt_claims *claims, const char *roles)
{
    char role[128];
    const char *p = roles;

    while (*p != '\0') {
        size_t len = strcspn(p, " ");

        if (len > 0 && len < sizeof(role)) {
            memcpy(role, p, len);
            role[len] = '\0';
            if (jwt_claims_has_role(claims, role))
                return 1;
        }
        p += len;
        p += strspn(p, " ");
    }
    return 0;
}

int iabot_auth_check(void *self, const char *authorization, const char *role,
                     struct hito_error *err)
{
    struct iabot_auth *auth = self;
    struct jwt_verify_options opts = {auth->issuer, auth->audience, 0};
    struct jwt_claims claims = {0};
    int rc;

    if (auth->audience[0] == '\0')
        return hito_error_set(
            err, HITO_ERR_AUTH,
            "token verification is not configured (IABOT_AUTH_AUDIENCE)");
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return hito_error_set(err, HITO_ERR_AUTH, "missing bearer token");
    rc = jwt_verify_token(auth->keys, &opts, authorization + 7, &claims, NULL,
                          err);
    if (rc == HITO_OK && !has_any_role(&claims, role))
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "the token has none of the roles: %s", role);
    else if (rc != HITO_OK && rc != HITO_ERR_UNAVAILABLE)
        rc = HITO_ERR_AUTH;
    jwt_claims_free(&claims);
    return rc;
}

#include "orch_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hito/jwt_verify.h"

struct orch_auth {
    struct jwks *keys;
    char issuer[ORCH_AUTH_TEXT_SIZE];
    char audience[ORCH_AUTH_TEXT_SIZE];
    char roles[ORCH_AUTH_ROLES_MAX][ORCH_AUTH_TEXT_SIZE];
    size_t role_count;
};

static int parse_roles(struct orch_auth *auth, const char *list,
                       struct hito_error *err)
{
    char copy[ORCH_AUTH_TEXT_SIZE];
    char *saveptr = NULL;

    if (strlen(list) >= sizeof(copy))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the role list is too long");
    snprintf(copy, sizeof(copy), "%s", list);
    for (char *role = strtok_r(copy, ", ", &saveptr); role != NULL;
         role = strtok_r(NULL, ", ", &saveptr)) {
        if (auth->role_count == ORCH_AUTH_ROLES_MAX)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "at most %d operator roles",
                                  ORCH_AUTH_ROLES_MAX);
        snprintf(auth->roles[auth->role_count++], ORCH_AUTH_TEXT_SIZE, "%s",
                 role);
    }
    if (auth->role_count == 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "at least one operator role is needed");
    return HITO_OK;
}

struct orch_auth *orch_auth_new(const struct orch_auth_options *opts,
                                struct hito_error *err)
{
    struct orch_auth *auth = calloc(1, sizeof(*auth));
    struct jwks_options jwks_opts = { .url = opts->jwks_url };

    if (auth == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (strlen(opts->issuer) >= ORCH_AUTH_TEXT_SIZE ||
        strlen(opts->audience) >= ORCH_AUTH_TEXT_SIZE) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "the issuer or audience is too long");
        goto fail;
    }
    if (parse_roles(auth, opts->roles, err) != HITO_OK)
        goto fail;
    snprintf(auth->issuer, sizeof(auth->issuer), "%s", opts->issuer);
    snprintf(auth->audience, sizeof(auth->audience), "%s", opts->audience);
    auth->keys = jwks_new(&jwks_opts, err);
    if (auth->keys == NULL)
        goto fail;
    return auth;

fail:
    free(auth);
    return NULL;
}

void orch_auth_free(struct orch_auth *auth)
{
    if (auth == NULL)
        return;
    jwks_free(auth->keys);
    free(auth);
}

static int has_role(const struct orch_auth *auth,
                    const struct jwt_claims *claims)
{
    for (size_t i = 0; i < auth->role_count; i++) {
        if (jwt_claims_has_role(claims, auth->roles[i]))
            return 1;
    }
    return 0;
}

int orch_auth_check(void *self, const char *authorization, char *subject,
                    size_t size, struct hito_error *err)
{
    struct orch_auth *auth = self;
    struct jwt_verify_options opts = { auth->issuer, auth->audience, 0 };
    struct jwt_claims claims = { 0 };
    int rc;

    if (auth->audience[0] == '\0')
        return hito_error_set(err, HITO_ERR_AUTH,
                              "token verification is not configured "
                              "(ORCH_AUTH_AUDIENCE)");
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return hito_error_set(err, HITO_ERR_AUTH, "missing bearer token");

    rc = jwt_verify_token(auth->keys, &opts, authorization + 7, &claims, NULL,
                          err);
    if (rc == HITO_OK && !has_role(auth, &claims))
        rc = hito_error_set(err, HITO_ERR_LIMIT,
                            "the token has none of the operator roles");
    if (rc == HITO_OK && (claims.sub == NULL || strlen(claims.sub) >= size))
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "the token's sub is missing or too long");
    if (rc == HITO_OK)
        snprintf(subject, size, "%s", claims.sub);
    else if (rc != HITO_ERR_UNAVAILABLE && rc != HITO_ERR_LIMIT)
        rc = HITO_ERR_AUTH;
    jwt_claims_free(&claims);
    return rc;
}

#include "wa_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hito/jwt_verify.h"

struct wa_auth {
    struct jwks *keys;
    char issuer[WA_AUTH_TEXT_SIZE];
    char audience[WA_AUTH_TEXT_SIZE];
    char roles[WA_AUTH_ROLES_MAX][WA_AUTH_TEXT_SIZE];
    size_t role_count;
};

static int parse_roles(struct wa_auth *auth, const char *list,
                       struct hito_error *err)
{
    char copy[WA_AUTH_ROLES_MAX * WA_AUTH_TEXT_SIZE];
    char *saveptr = NULL;

    if (strlen(list) >= sizeof(copy))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the role list is too long");
    memcpy(copy, list, strlen(list) + 1);
    for (char *role = strtok_r(copy, ", ", &saveptr); role != NULL;
         role = strtok_r(NULL, ", ", &saveptr)) {
        if (auth->role_count == WA_AUTH_ROLES_MAX ||
            strlen(role) >= WA_AUTH_TEXT_SIZE)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "at most %d roles of %d characters",
                                  WA_AUTH_ROLES_MAX, WA_AUTH_TEXT_SIZE - 1);
        memcpy(auth->roles[auth->role_count++], role, strlen(role) + 1);
    }
    return auth->role_count > 0
               ? HITO_OK
               : hito_error_set(err, HITO_ERR_INVALID,
                                "at least one caller role is needed");
}

struct wa_auth *wa_auth_new(const struct wa_auth_options *opts,
                            struct hito_error *err)
{
    struct wa_auth *auth = calloc(1, sizeof(*auth));
    struct jwks_options jwks_opts = { .url = opts->jwks_url };

    if (auth == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (strlen(opts->issuer) >= WA_AUTH_TEXT_SIZE ||
        strlen(opts->audience) >= WA_AUTH_TEXT_SIZE ||
        parse_roles(auth, opts->roles, err) != HITO_OK) {
        if (err != NULL && err->code == 0)
            hito_error_set(err, HITO_ERR_INVALID,
                           "the issuer or audience is too long");
        free(auth);
        return NULL;
    }
    snprintf(auth->issuer, sizeof(auth->issuer), "%s", opts->issuer);
    snprintf(auth->audience, sizeof(auth->audience), "%s", opts->audience);
    auth->keys = jwks_new(&jwks_opts, err);
    if (auth->keys == NULL) {
        free(auth);
        return NULL;
    }
    return auth;
}

void wa_auth_free(struct wa_auth *auth)
{
    if (auth == NULL)
        return;
    jwks_free(auth->keys);
    free(auth);
}

static int has_any_role(const struct wa_auth *auth,
                        const struct jwt_claims *claims)
{
    for (size_t i = 0; i < auth->role_count; i++) {
        if (jwt_claims_has_role(claims, auth->roles[i]))
            return 1;
    }
    return 0;
}

int wa_auth_check(void *self, const char *authorization, char *client_id,
                  size_t size, struct hito_error *err)
{
    struct wa_auth *auth = self;
    struct jwt_verify_options opts = { auth->issuer, auth->audience, 0 };
    struct jwt_claims claims = { 0 };
    int rc;

    if (auth->audience[0] == '\0')
        return hito_error_set(err, HITO_ERR_AUTH,
                              "token verification is not configured "
                              "(WHATSAPP_AUTH_AUDIENCE)");
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return hito_error_set(err, HITO_ERR_AUTH, "missing bearer token");
    rc = jwt_verify_token(auth->keys, &opts, authorization + 7, &claims, NULL,
                          err);
    if (rc == HITO_OK && !has_any_role(auth, &claims))
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "the token has none of the roles this call needs");
    if (rc == HITO_OK && (claims.sub == NULL || strlen(claims.sub) >= size))
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "the token's sub is missing or too long");
    if (rc == HITO_OK)
        snprintf(client_id, size, "%s", claims.sub);
    else if (rc != HITO_ERR_UNAVAILABLE)
        rc = HITO_ERR_AUTH;
    jwt_claims_free(&claims);
    return rc;
}

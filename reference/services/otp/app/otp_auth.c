#include "otp_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hito/jwt_verify.h"

/* Roles of which a caller needs one. */
struct role_set {
    char names[OTP_AUTH_ROLES_MAX][OTP_AUTH_TEXT_SIZE];
    size_t count;
};

struct otp_auth {
    struct jwks *keys;
    char issuer[OTP_AUTH_TEXT_SIZE];
    char audience[OTP_AUTH_TEXT_SIZE];
    struct role_set callers;
    struct role_set enrollers;
};

static int parse_roles(struct role_set *set, const char *list,
                       struct hito_error *err)
{
    char copy[OTP_AUTH_ROLES_MAX * OTP_AUTH_TEXT_SIZE];
    char *saveptr = NULL;

    if (strlen(list) >= sizeof(copy))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the role list is too long");
    memcpy(copy, list, strlen(list) + 1);
    for (char *role = strtok_r(copy, ", ", &saveptr); role != NULL;
         role = strtok_r(NULL, ", ", &saveptr)) {
        if (set->count == OTP_AUTH_ROLES_MAX ||
            strlen(role) >= OTP_AUTH_TEXT_SIZE)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "at most %d roles of %d characters",
                                  OTP_AUTH_ROLES_MAX, OTP_AUTH_TEXT_SIZE - 1);
        memcpy(set->names[set->count++], role, strlen(role) + 1);
    }
    if (set->count == 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "at least one caller role is needed");
    return HITO_OK;
}

struct otp_auth *otp_auth_new(const struct otp_auth_options *opts,
                              struct hito_error *err)
{
    struct otp_auth *auth = calloc(1, sizeof(*auth));
    struct jwks_options jwks_opts = { .url = opts->jwks_url };

    if (auth == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (strlen(opts->issuer) >= OTP_AUTH_TEXT_SIZE ||
        strlen(opts->audience) >= OTP_AUTH_TEXT_SIZE) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "the issuer or audience is too long");
        free(auth);
        return NULL;
    }
    if (parse_roles(&auth->callers, opts->roles, err) != HITO_OK ||
        parse_roles(&auth->enrollers, opts->enrol_roles, err) != HITO_OK) {
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

void otp_auth_free(struct otp_auth *auth)
{
    if (auth == NULL)
        return;
    jwks_free(auth->keys);
    free(auth);
}

static int has_any_role(const struct role_set *roles,
                        const struct jwt_claims *claims)
{
    for (size_t i = 0; i < roles->count; i++) {
        if (jwt_claims_has_role(claims, roles->names[i]))
            return 1;
    }
    return 0;
}

static int check(struct otp_auth *auth, const struct role_set *roles,
                 const char *authorization, char *client_id, size_t size,
                 struct hito_error *err)
{
    struct jwt_verify_options opts = { auth->issuer, auth->audience, 0 };
    struct jwt_claims claims = { 0 };
    int rc;

    if (auth->audience[0] == '\0')
        return hito_error_set(
            err, HITO_ERR_AUTH,
            "token verification is not configured (OTP_AUTH_AUDIENCE)");
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return hito_error_set(err, HITO_ERR_AUTH, "missing bearer token");

    rc = jwt_verify_token(auth->keys, &opts, authorization + 7, &claims, NULL,
                          err);
    if (rc == HITO_OK && !has_any_role(roles, &claims))
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

int otp_auth_check(void *auth, const char *authorization, char *client_id,
                   size_t size, struct hito_error *err)
{
    struct otp_auth *self = auth;

    return check(self, &self->callers, authorization, client_id, size, err);
}

int otp_auth_check_enrol(void *auth, const char *authorization, char *client_id,
                         size_t size, struct hito_error *err)
{
    struct otp_auth *self = auth;

    return check(self, &self->enrollers, authorization, client_id, size, err);
}

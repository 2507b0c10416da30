/*
 * service_auth.h - authentication of a service's callers by their ZITADEL
 * access token (an RS256 JWT checked with hito/jwt_verify.h) and a list of
 * project roles of which the caller needs one.
 *
 * Results follow one convention: HITO_OK, HITO_ERR_AUTH (no token or a
 * rejected one: 401), HITO_ERR_FORBIDDEN (a valid token without a needed
 * role: 403) and HITO_ERR_UNAVAILABLE (the signing keys cannot be fetched:
 * 503). service_auth_reply sends the matching reply.
 */
#ifndef HITO_SERVICE_AUTH_H
#define HITO_SERVICE_AUTH_H

#include <stddef.h>

#include "hito/config.h"
#include "hito/err.h"
#include "hito/httpd.h"

#define SERVICE_AUTH_TEXT_MAX 256
#define SERVICE_AUTH_ROLES_MAX 8
#define SERVICE_AUTH_ROLE_MAX 128
/* Bytes of a setting name such as OTP_AUTH_AUDIENCE. */
#define SERVICE_AUTH_KEY_MAX 64

/* The issuer, JWKS and audience of the tokens a service accepts. */
struct service_auth_settings {
    char issuer[SERVICE_AUTH_TEXT_MAX];   /* compared with "iss" */
    char jwks_url[SERVICE_AUTH_TEXT_MAX]; /* the issuer's JWKS */
    char audience[SERVICE_AUTH_TEXT_MAX]; /* "aud" must contain it */
    /* The setting that sets audience, named when it is empty. */
    char audience_key[SERVICE_AUTH_KEY_MAX];
};

/* Roles of which a caller needs one. */
struct service_roles {
    char names[SERVICE_AUTH_ROLES_MAX][SERVICE_AUTH_ROLE_MAX];
    size_t count;
};

/* The authenticated caller. */
struct service_caller {
    char sub[SERVICE_AUTH_TEXT_MAX];    /* user or client id */
    char org_id[SERVICE_AUTH_TEXT_MAX]; /* "" when the token names none */
};

/* The credentials a service uses to obtain its own access tokens. */
struct service_client_settings {
    char client_id[SERVICE_AUTH_TEXT_MAX]; /* "": send no token */
    char client_secret[SERVICE_AUTH_TEXT_MAX];
    char token_url[SERVICE_AUTH_TEXT_MAX];
    char scope[2 * SERVICE_AUTH_TEXT_MAX];
};

struct service_auth;

/*
 * Reads <prefix>_AUTH_ISSUER, <prefix>_AUTH_JWKS_URL and
 * <prefix>_AUTH_AUDIENCE into out. Without them, tokens come from the
 * stack's ZITADEL: the issuer is http://ZITADEL_EXTERNAL_DOMAIN:ZITADEL_PORT
 * (localhost and 8080 by default) because ZITADEL writes its external
 * domain into "iss", the JWKS is <issuer>/oauth/v2/keys, and the audience
 * is ZITADEL_PROJECT_ID. The project exists only once ZITADEL is
 * provisioned, so the audience may stay empty, and then every token is
 * rejected. Returns HITO_ERR_INVALID naming the setting that is too long.
 */
int service_auth_settings_load(const struct config *cfg, const char *prefix,
                               struct service_auth_settings *out,
                               struct hito_error *err);

/*
 * Reads a service's own client credentials: <prefix>_CLIENT_ID and
 * <prefix>_CLIENT_SECRET, else ZITADEL_<user>_CLIENT_ID and _SECRET, which
 * ZITADEL provisioning writes for the machine user (user "SVC_OTP" for
 * svc-otp); <prefix>_TOKEN_URL, else <issuer>/oauth/v2/token; and a scope
 * that requests the project (ZITADEL_PROJECT_ID) as audience and the
 * project roles, as ZITADEL spells them. Returns HITO_ERR_INVALID naming
 * the setting that is too long; the message never contains the secret.
 */
int service_client_settings_load(const struct config *cfg, const char *prefix,
                                 const char *user, const char *issuer,
                                 struct service_client_settings *out,
                                 struct hito_error *err);

/*
 * Parses a list of role names separated by commas or spaces. Returns
 * HITO_ERR_INVALID for an empty list, more than SERVICE_AUTH_ROLES_MAX
 * roles or a name of SERVICE_AUTH_ROLE_MAX bytes or more.
 */
int service_roles_parse(struct service_roles *out, const char *list,
                        struct hito_error *err);

/*
 * Parses the role list of setting key, or fallback when the key is unset or
 * empty. Errors as service_roles_parse, with the key in the message.
 */
int service_roles_load(const struct config *cfg, const char *key,
                       const char *fallback, struct service_roles *out,
                       struct hito_error *err);

/*
 * Creates the authenticator; the settings are copied and the keys are
 * fetched on first use. Returns NULL with err filled: HITO_ERR_NOMEM, or
 * HITO_ERR_INVALID for a bad JWKS URL.
 */
struct service_auth *service_auth_new(const struct service_auth_settings *s,
                                      struct hito_error *err);
void service_auth_free(struct service_auth *auth);

/*
 * Checks "Bearer <token>" in authorization (NULL when the header is absent)
 * against the issuer, the audience and roles, and fills caller (when not
 * NULL). Returns one of the results in the file comment, with the reason in
 * err. Neither err nor the log ever contains the token. Safe to call from
 * several threads.
 */
int service_auth_check(struct service_auth *auth, const char *authorization,
                       const struct service_roles *roles,
                       struct service_caller *caller, struct hito_error *err);

/*
 * Sends the reply of a failed check: 503 "unavailable" for
 * HITO_ERR_UNAVAILABLE, 403 "forbidden" for HITO_ERR_FORBIDDEN, else 401
 * "unauthenticated" with "WWW-Authenticate: Bearer". The message is
 * err->message.
 */
void service_auth_reply(struct httpd_req *req, int rc,
                        const struct hito_error *err);

#endif

#include "hito/service_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hito/jwt_verify.h"
#include "hito/service.h"

#define BEARER_PREFIX "Bearer "
#define BEARER_PREFIX_LEN 7

struct service_auth {
    struct jwks *keys;
    struct service_auth_settings settings;
};

int service_auth_settings_load(const struct config *cfg, const char *prefix,
                               struct service_auth_settings *out,
                               struct hito_error *err)
{
    char key[SERVICE_AUTH_KEY_MAX];
    char fallback[SERVICE_AUTH_TEXT_MAX];
    int rc;

    memset(out, 0, sizeof(*out));
    if (strlen(prefix) + sizeof("_AUTH_JWKS_URL") > sizeof(key))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "setting prefix %s is too long", prefix);

    snprintf(fallback, sizeof(fallback), "http://%.100s:%.16s",
             config_get_default(cfg, "ZITADEL_EXTERNAL_DOMAIN", "localhost"),
             config_get_default(cfg, "ZITADEL_PORT", "8080"));
    snprintf(key, sizeof(key), "%s_AUTH_ISSUER", prefix);
    rc = service_setting_copy(cfg, key, fallback, out->issuer,
                              sizeof(out->issuer), err);
    if (rc != HITO_OK)
        return rc;

    snprintf(fallback, sizeof(fallback), "%.200s/oauth/v2/keys", out->issuer);
    snprintf(key, sizeof(key), "%s_AUTH_JWKS_URL", prefix);
    rc = service_setting_copy(cfg, key, fallback, out->jwks_url,
                              sizeof(out->jwks_url), err);
    if (rc != HITO_OK)
        return rc;

    snprintf(out->audience_key, sizeof(out->audience_key), "%s_AUTH_AUDIENCE",
             prefix);
    return service_setting_copy(
        cfg, out->audience_key,
        config_get_default(cfg, "ZITADEL_PROJECT_ID", ""), out->audience,
        sizeof(out->audience), err);
}

/* Copies <prefix>_<suffix>, else ZITADEL_<user>_<suffix>, into out. */
static int load_credential(const struct config *cfg, const char *prefix,
                           const char *user, const char *suffix, char *out,
                           size_t size, struct hito_error *err)
{
    char key[SERVICE_AUTH_KEY_MAX];
    char fallback_key[SERVICE_AUTH_KEY_MAX];
    const char *fallback;

    snprintf(key, sizeof(key), "%s_%s", prefix, suffix);
    snprintf(fallback_key, sizeof(fallback_key), "ZITADEL_%s_%s", user,
             suffix);
    fallback = config_get_default(cfg, fallback_key, "");
    return service_setting_copy(cfg, key, fallback, out, size, err);
}

int service_client_settings_load(const struct config *cfg, const char *prefix,
                                 const char *user, const char *issuer,
                                 struct service_client_settings *out,
                                 struct hito_error *err)
{
    char key[SERVICE_AUTH_KEY_MAX];
    char fallback[SERVICE_AUTH_TEXT_MAX];
    const char *project = config_get_default(cfg, "ZITADEL_PROJECT_ID", "");
    int rc;

    memset(out, 0, sizeof(*out));
    if (strlen(prefix) + strlen(user) + sizeof("ZITADEL__CLIENT_SECRET") >
        sizeof(key))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "setting prefix %s or user %s is too long",
                              prefix, user);
    rc = load_credential(cfg, prefix, user, "CLIENT_ID", out->client_id,
                         sizeof(out->client_id), err);
    if (rc == HITO_OK)
        rc = load_credential(cfg, prefix, user, "CLIENT_SECRET",
                             out->client_secret, sizeof(out->client_secret),
                             err);
    if (rc != HITO_OK)
        return rc;

    snprintf(fallback, sizeof(fallback), "%.200s/oauth/v2/token", issuer);
    snprintf(key, sizeof(key), "%s_TOKEN_URL", prefix);
    rc = service_setting_copy(cfg, key, fallback, out->token_url,
                              sizeof(out->token_url), err);
    if (rc == HITO_OK &&
        snprintf(out->scope, sizeof(out->scope),
                 "openid urn:zitadel:iam:org:project:id:%s:aud "
                 "urn:zitadel:iam:org:projects:roles",
                 project) >= (int)sizeof(out->scope))
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "ZITADEL_PROJECT_ID is too long");
    return rc;
}

int service_roles_parse(struct service_roles *out, const char *list,
                        struct hito_error *err)
{
    const char *p = list;

    memset(out, 0, sizeof(*out));
    while (*p != '\0') {
        size_t len = strcspn(p, ", ");

        if (len > 0) {
            if (out->count == SERVICE_AUTH_ROLES_MAX ||
                len >= SERVICE_AUTH_ROLE_MAX)
                return hito_error_set(err, HITO_ERR_INVALID,
                                      "at most %d roles of %d characters",
                                      SERVICE_AUTH_ROLES_MAX,
                                      SERVICE_AUTH_ROLE_MAX - 1);
            memcpy(out->names[out->count], p, len);
            out->names[out->count++][len] = '\0';
        }
        p += len;
        p += strspn(p, ", ");
    }
    if (out->count == 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "at least one caller role is needed");
    return HITO_OK;
}

int service_roles_load(const struct config *cfg, const char *key,
                       const char *fallback, struct service_roles *out,
                       struct hito_error *err)
{
    struct hito_error detail = { 0 };
    int rc;

    rc = service_roles_parse(out, config_get_default(cfg, key, fallback),
                             &detail);
    if (rc != HITO_OK)
        return hito_error_set(err, rc, "%s: %s", key, detail.message);
    return HITO_OK;
}

struct service_auth *service_auth_new(const struct service_auth_settings *s,
                                      struct hito_error *err)
{
    struct service_auth *auth = calloc(1, sizeof(*auth));
    struct jwks_options opts = { .url = s->jwks_url };

    if (auth == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    auth->settings = *s;
    auth->keys = jwks_new(&opts, err);
    if (auth->keys == NULL) {
        free(auth);
        return NULL;
    }
    return auth;
}

void service_auth_free(struct service_auth *auth)
{
    if (auth == NULL)
        return;
    jwks_free(auth->keys);
    free(auth);
}

static int has_any_role(const struct jwt_claims *claims,
                        const struct service_roles *roles)
{
    for (size_t i = 0; i < roles->count; i++) {
        if (jwt_claims_has_role(claims, roles->names[i]))
            return 1;
    }
    return 0;
}

static int forbidden(const struct service_roles *roles, struct hito_error *err)
{
    char list[SERVICE_AUTH_ROLES_MAX * (SERVICE_AUTH_ROLE_MAX + 2)];
    size_t used = 0;

    list[0] = '\0';
    for (size_t i = 0; i < roles->count; i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                                 i > 0 ? ", " : "", roles->names[i]);
    return hito_error_set(err, HITO_ERR_FORBIDDEN,
                          "the token has none of the roles this call needs: %s",
                          list);
}

/* Checks the claims of a verified token and copies them into caller. */
static int accept_claims(const struct jwt_claims *claims,
                         const struct service_roles *roles,
                         struct service_caller *caller, struct hito_error *err)
{
    const char *org = claims->org_id != NULL ? claims->org_id : "";

    if (claims->sub == NULL || strlen(claims->sub) >= sizeof(caller->sub) ||
        strlen(org) >= sizeof(caller->org_id))
        return hito_error_set(err, HITO_ERR_AUTH,
                              "the token's sub is missing, or its sub or "
                              "organisation id is too long");
    if (!has_any_role(claims, roles))
        return forbidden(roles, err);
    if (caller != NULL) {
        memcpy(caller->sub, claims->sub, strlen(claims->sub) + 1);
        memcpy(caller->org_id, org, strlen(org) + 1);
    }
    return HITO_OK;
}

int service_auth_check(struct service_auth *auth, const char *authorization,
                       const struct service_roles *roles,
                       struct service_caller *caller, struct hito_error *err)
{
    const struct service_auth_settings *s = &auth->settings;
    struct jwt_verify_options opts = { s->issuer, s->audience, 0 };
    struct jwt_claims claims = { 0 };
    int rc;

    if (s->audience[0] == '\0')
        return hito_error_set(err, HITO_ERR_AUTH,
                              "token verification is not configured (%s)",
                              s->audience_key);
    if (authorization == NULL ||
        strncasecmp(authorization, BEARER_PREFIX, BEARER_PREFIX_LEN) != 0)
        return hito_error_set(err, HITO_ERR_AUTH, "missing bearer token");

    rc = jwt_verify_token(auth->keys, &opts, authorization + BEARER_PREFIX_LEN,
                          &claims, NULL, err);
    if (rc == HITO_OK)
        rc = accept_claims(&claims, roles, caller, err);
    else if (rc != HITO_ERR_UNAVAILABLE)
        rc = HITO_ERR_AUTH;
    jwt_claims_free(&claims);
    return rc;
}

void service_auth_reply(struct httpd_req *req, int rc,
                        const struct hito_error *err)
{
    const char *message = err != NULL ? err->message : "";

    if (rc == HITO_ERR_UNAVAILABLE) {
        httpd_reply_error(req, 503, "unavailable", "%s", message);
        return;
    }
    if (rc == HITO_ERR_FORBIDDEN) {
        httpd_reply_error(req, 403, "forbidden", "%s", message);
        return;
    }
    httpd_set_header(req, "WWW-Authenticate", "Bearer");
    httpd_reply_error(req, 401, "unauthenticated", "%s", message);
}

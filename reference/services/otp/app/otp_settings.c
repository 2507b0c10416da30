#include "otp_settings.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hito/service.h"
#include "otp_code.h"
#include "otp_service.h"

#define OTP_DEFAULT_PURPOSES                                                   \
    "phone_verification,payment_confirmation,delivery_confirmation"
#define OTP_SETTING_NAME_SIZE 96
/* The project roles the gateway lets through to the OTP routes
 * (krakend/routes.json), plus the OTP service's own role. */
#define OTP_DEFAULT_CALLER_ROLES                                               \
    "svc-orchestrator,svc-whatsapp,svc-otp,support,admin"

static int copy_text(const char *value, char *out, size_t size, const char *key,
                     struct hito_error *err)
{
    if (strlen(value) >= size)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s is longer than %zu characters", key,
                              size - 1);
    memcpy(out, value, strlen(value) + 1);
    return HITO_OK;
}

static int read_key(const struct config *cfg, const char *key, size_t min,
                    unsigned char *out, size_t *len, struct hito_error *err)
{
    const char *value = config_get(cfg, key);
    size_t n = value ? strlen(value) : 0;

    if (n == 0)
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "%s is missing: set it in run/$HITO_ENV/secrets.env", key);
    if (n < min || n > OTP_SETTINGS_KEY_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s must be %zu to %d bytes long", key, min,
                              OTP_SETTINGS_KEY_MAX);
    memcpy(out, value, n);
    *len = n;
    return HITO_OK;
}

/* Reads OTP_<PURPOSE>_<suffix>, falling back to OTP_<suffix>, then fallback. */
static int purpose_int(const struct config *cfg, const char *purpose,
                       const char *suffix, long fallback, long *out,
                       struct hito_error *err)
{
    char key[OTP_SETTING_NAME_SIZE], general[OTP_SETTING_NAME_SIZE];
    size_t n;
    int rc;

    snprintf(general, sizeof(general), "OTP_%s", suffix);
    rc = config_get_int(cfg, general, fallback, 0, 86400, &fallback, err);
    if (rc != HITO_OK)
        return rc;
    n = (size_t)snprintf(key, sizeof(key), "OTP_%s_%s", purpose, suffix);
    for (size_t i = 4; i < n && key[i] != '\0'; i++)
        key[i] = (char)toupper((unsigned char)key[i]);
    return config_get_int(cfg, key, fallback, 0, 86400, out, err);
}

static int load_purpose(const struct config *cfg, const char *name,
                        struct otp_purpose *p, struct hito_error *err)
{
    long digits = 0, ttl = 0, attempts = 0;
    int rc;

    if (strlen(name) >= sizeof(p->name))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "purpose name %s is too long", name);
    memcpy(p->name, name, strlen(name) + 1);
    rc = purpose_int(cfg, name, "DIGITS", OTP_DEFAULT_DIGITS, &digits, err);
    if (rc == HITO_OK)
        rc = purpose_int(cfg, name, "TTL_SECONDS", OTP_DEFAULT_TTL_SECONDS,
                         &ttl, err);
    if (rc == HITO_OK)
        rc = purpose_int(cfg, name, "MAX_ATTEMPTS", OTP_DEFAULT_MAX_ATTEMPTS,
                         &attempts, err);
    p->digits = (int)digits;
    p->ttl_seconds = ttl;
    p->max_attempts = (int)attempts;
    return rc;
}

static int load_purposes(const struct config *cfg, struct otp_policy *policy,
                         struct hito_error *err)
{
    char list[OTP_SETTINGS_TEXT_SIZE];
    char *saveptr = NULL;
    int rc;

    rc =
        copy_text(config_get_default(cfg, "OTP_PURPOSES", OTP_DEFAULT_PURPOSES),
                  list, sizeof(list), "OTP_PURPOSES", err);
    if (rc != HITO_OK)
        return rc;
    for (char *name = strtok_r(list, ", ", &saveptr); name != NULL;
         name = strtok_r(NULL, ", ", &saveptr)) {
        if (policy->purpose_count == OTP_PURPOSES_MAX)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "OTP_PURPOSES lists more than %d",
                                  OTP_PURPOSES_MAX);
        rc = load_purpose(cfg, name, &policy->purposes[policy->purpose_count++],
                          err);
        if (rc != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

static int load_limits(const struct config *cfg, struct otp_policy *policy,
                       struct hito_error *err)
{
    int rc;

    rc = config_get_int(cfg, "OTP_PHONE_COOLDOWN_SECONDS", 60, 0, 3600,
                        &policy->phone_cooldown_seconds, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "OTP_PHONE_MAX_PER_HOUR", 5, 1, 1000,
                            &policy->phone_max_per_hour, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "OTP_CLIENT_COOLDOWN_SECONDS", 0, 0, 3600,
                            &policy->client_cooldown_seconds, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "OTP_CLIENT_MAX_PER_HOUR", 10000, 1, 10000000,
                            &policy->client_max_per_hour, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "OTP_PROOF_TTL_SECONDS", 120, 1, 86400,
                            &policy->proof_ttl_seconds, err);
    return rc;
}

static int load_endpoints(const struct config *cfg, struct otp_settings *out,
                          struct hito_error *err)
{
    struct redisc_options redis;
    int rc;

    rc = service_listen_address(cfg, "OTP_PORT", out->listen,
                                sizeof(out->listen), err);
    if (rc == HITO_OK)
        rc = service_redis_options(cfg, &redis, err);
    if (rc == HITO_OK)
        rc = service_pg_conninfo(cfg, "otp", out->pg_conninfo,
                                 sizeof(out->pg_conninfo), err);
    if (rc == HITO_OK)
        rc = copy_text(redis.host, out->redis_host, sizeof(out->redis_host),
                       "HITO_HOST", err);
    if (rc == HITO_OK)
        rc = copy_text(redis.password, out->redis_password,
                       sizeof(out->redis_password), "REDIS_PASSWORD", err);
    out->redis_port = redis.port;
    return rc;
}

/*
 * The OTP service's own client credentials (ZITADEL user svc-otp), and a
 * scope that requests the project audience and roles as ZITADEL spells it.
 */
static int load_client(const struct config *cfg, struct otp_settings *out,
                       struct hito_error *err)
{
    const char *project = config_get_default(cfg, "ZITADEL_PROJECT_ID", "");
    int rc;

    rc =
        copy_text(config_get_default(
                      cfg, "OTP_CLIENT_ID",
                      config_get_default(cfg, "ZITADEL_SVC_OTP_CLIENT_ID", "")),
                  out->client_id, sizeof(out->client_id), "OTP_CLIENT_ID", err);
    if (rc == HITO_OK)
        rc = copy_text(
            config_get_default(
                cfg, "OTP_CLIENT_SECRET",
                config_get_default(cfg, "ZITADEL_SVC_OTP_CLIENT_SECRET", "")),
            out->client_secret, sizeof(out->client_secret), "OTP_CLIENT_SECRET",
            err);
    if (rc != HITO_OK)
        return rc;
    snprintf(out->token_url, sizeof(out->token_url), "%.200s/oauth/v2/token",
             out->auth.issuer);
    rc =
        copy_text(config_get_default(cfg, "OTP_TOKEN_URL", out->token_url),
                  out->token_url, sizeof(out->token_url), "OTP_TOKEN_URL", err);
    if (rc == HITO_OK &&
        snprintf(out->token_scope, sizeof(out->token_scope),
                 "openid urn:zitadel:iam:org:project:id:%.200s:aud "
                 "urn:zitadel:iam:org:projects:roles",
                 project) >= (int)sizeof(out->token_scope))
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "ZITADEL_PROJECT_ID is too long");
    return rc;
}

/* Service tokens: see service_auth_settings_load for the defaults. */
static int load_auth(const struct config *cfg, struct otp_settings *out,
                     struct hito_error *err)
{
    int rc;

    rc = service_auth_settings_load(cfg, "OTP", &out->auth, err);
    if (rc == HITO_OK)
        rc = service_roles_load(cfg, "OTP_AUTH_ROLES", OTP_DEFAULT_CALLER_ROLES,
                                &out->callers, err);
    if (rc == HITO_OK)
        rc = service_roles_load(cfg, "OTP_TOTP_ENROL_ROLES", "admin",
                                &out->enrollers, err);
    if (rc == HITO_OK)
        rc = load_client(cfg, out, err);
    return rc;
}

static int load_whatsapp_and_auth(const struct config *cfg,
                                  struct otp_settings *out,
                                  struct hito_error *err)
{
    const char *url = config_get(cfg, "WHATSAPP_SERVICE_URL");
    const char *port = config_get(cfg, "WHATSAPP_PORT");
    int rc;

    /* Without an explicit URL, the WhatsApp service of the same stack. */
    if (url != NULL && url[0] != '\0')
        rc = copy_text(url, out->whatsapp_url, sizeof(out->whatsapp_url),
                       "WHATSAPP_SERVICE_URL", err);
    else if (port != NULL && port[0] != '\0')
        rc = snprintf(out->whatsapp_url, sizeof(out->whatsapp_url),
                      "http://%s:%s",
                      config_get_default(cfg, "HITO_HOST", "127.0.0.1"),
                      port) < (int)sizeof(out->whatsapp_url)
                 ? HITO_OK
                 : hito_error_set(err, HITO_ERR_INVALID,
                                  "WHATSAPP_PORT is too long");
    else
        rc = hito_error_set(
            err, HITO_ERR_INVALID,
            "WHATSAPP_SERVICE_URL and WHATSAPP_PORT are both missing");
    if (rc == HITO_OK)
        rc = copy_text(
            config_get_default(cfg, "OTP_WHATSAPP_TEMPLATE", "otp_code"),
            out->whatsapp_template, sizeof(out->whatsapp_template),
            "OTP_WHATSAPP_TEMPLATE", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "OTP_WHATSAPP_LANGUAGE", "es"),
                       out->whatsapp_language, sizeof(out->whatsapp_language),
                       "OTP_WHATSAPP_LANGUAGE", err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "OTP_WHATSAPP_TIMEOUT_MS", 5000, 100, 60000,
                            &out->whatsapp_timeout_ms, err);
    if (rc == HITO_OK)
        rc = load_auth(cfg, out, err);
    return rc;
}

int otp_settings_load(const struct config *cfg, struct otp_settings *out,
                      struct hito_error *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = load_purposes(cfg, &out->policy, err);
    if (rc == HITO_OK)
        rc = load_limits(cfg, &out->policy, err);
    if (rc == HITO_OK)
        rc = otp_policy_check(&out->policy, err);
    if (rc == HITO_OK)
        rc = read_key(cfg, "OTP_HMAC_KEY", OTP_HMAC_KEY_MIN, out->hmac_key,
                      &out->hmac_key_len, err);
    if (rc == HITO_OK)
        rc = read_key(cfg, "OTP_PROOF_KEY", OTP_HMAC_KEY_MIN, out->proof_key,
                      &out->proof_key_len, err);
    if (rc == HITO_OK)
        rc = load_endpoints(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_whatsapp_and_auth(cfg, out, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "OTP_MAX_BODY_BYTES",
                            OTP_DEFAULT_MAX_BODY_BYTES, 256, 65536,
                            &out->max_body_bytes, err);
    if (rc == HITO_OK &&
        snprintf(out->migrations_dir, sizeof(out->migrations_dir),
                 "%s/reference/services/otp/migrations",
                 config_get_default(cfg, "HITO_ROOT", ".")) >=
            (int)sizeof(out->migrations_dir))
        rc = hito_error_set(err, HITO_ERR_INVALID, "HITO_ROOT is too long");
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "OTP_THREADS", 16, 2, 256, &out->threads, err);
    if (rc != HITO_OK)
        otp_settings_clear(out);
    return rc;
}

void otp_settings_clear(struct otp_settings *settings)
{
    OPENSSL_cleanse(settings->hmac_key, sizeof(settings->hmac_key));
    OPENSSL_cleanse(settings->proof_key, sizeof(settings->proof_key));
    OPENSSL_cleanse(settings->pg_conninfo, sizeof(settings->pg_conninfo));
    OPENSSL_cleanse(settings->redis_password, sizeof(settings->redis_password));
    OPENSSL_cleanse(settings->client_secret, sizeof(settings->client_secret));
}

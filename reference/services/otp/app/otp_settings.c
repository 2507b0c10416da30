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

    rc = service_setting_copy(cfg, "OTP_PURPOSES", OTP_DEFAULT_PURPOSES, list,
                              sizeof(list), err);
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
        rc = service_setting_copy(cfg, "HITO_HOST", redis.host,
                                  out->redis_host, sizeof(out->redis_host),
                                  err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "REDIS_PASSWORD", "",
                                  out->redis_password,
                                  sizeof(out->redis_password), err);
    out->redis_port = redis.port;
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
    /* The OTP service's own ZITADEL user is svc-otp. */
    if (rc == HITO_OK)
        rc = service_client_settings_load(cfg, "OTP", "SVC_OTP",
                                          out->auth.issuer, &out->client, err);
    return rc;
}

static int load_whatsapp_and_auth(const struct config *cfg,
                                  struct otp_settings *out,
                                  struct hito_error *err)
{
    int rc;

    /* Without an explicit URL, the WhatsApp service of the same stack. */
    rc = service_peer_url(cfg, "WHATSAPP_SERVICE_URL", "WHATSAPP_PORT",
                          out->whatsapp_url, sizeof(out->whatsapp_url), err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "OTP_WHATSAPP_TEMPLATE", "otp_code",
                                  out->whatsapp_template,
                                  sizeof(out->whatsapp_template), err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "OTP_WHATSAPP_LANGUAGE", "es",
                                  out->whatsapp_language,
                                  sizeof(out->whatsapp_language), err);
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
    if (rc == HITO_OK)
        rc = service_migrations_dir(cfg, "otp", out->migrations_dir,
                                    sizeof(out->migrations_dir), err);
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
    OPENSSL_cleanse(settings->client.client_secret,
                    sizeof(settings->client.client_secret));
}

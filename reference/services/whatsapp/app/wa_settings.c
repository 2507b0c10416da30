#include "wa_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* The roles the gateway lets through to POST /v1/whatsapp/messages
 * (krakend/routes.json). */
#define DEFAULT_CALLER_ROLES "svc-orchestrator,svc-iabot,svc-otp,admin"
/* Graph API version of the send URL. */
#define DEFAULT_CLOUD_VERSION "v21.0"

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

/* Copies a required secret of secrets.env. */
static int copy_secret(const struct config *cfg, const char *key, char *out,
                       size_t size, struct hito_error *err)
{
    const char *value = NULL;
    int rc = config_require(cfg, key, &value, err);

    if (rc != HITO_OK)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s is missing: set it in run/$HITO_ENV/"
                              "secrets.env (make up generates it)",
                              key);
    return copy_text(value, out, size, key, err);
}

static int load_endpoints(const struct config *cfg, struct wa_settings *out,
                          struct hito_error *err)
{
    const char *host = config_get_default(cfg, "HITO_HOST", "127.0.0.1");
    const char *pg_password = NULL;
    long port = 0, pg_port = 0;
    int rc;

    rc = config_get_int(cfg, "WHATSAPP_PORT", 0, 0, 65535, &port, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "PG_PORT", 5432, 1, 65535, &pg_port, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "PG_PASSWORD_WHATSAPP", &pg_password, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "AMQP_PORT", 5672, 1, 65535, &out->amqp_port,
                            err);
    if (rc == HITO_OK)
        rc =
            copy_text(config_get_default(cfg, "AMQP_USER", "guest"),
                      out->amqp_user, sizeof(out->amqp_user), "AMQP_USER", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "AMQP_PASSWORD", ""),
                       out->amqp_password, sizeof(out->amqp_password),
                       "AMQP_PASSWORD", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "AMQP_VHOST", "/"),
                       out->amqp_vhost, sizeof(out->amqp_vhost), "AMQP_VHOST",
                       err);
    if (rc != HITO_OK)
        return rc;
    snprintf(out->listen, sizeof(out->listen), "%.40s:%ld", host, port);
    snprintf(out->amqp_host, sizeof(out->amqp_host), "%s", host);
    if (db_conninfo(out->pg_conninfo, sizeof(out->pg_conninfo), host,
                    (int)pg_port, "whatsapp", "whatsapp",
                    pg_password) != HITO_OK)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "PG_PASSWORD_WHATSAPP is too long");
    return HITO_OK;
}

/*
 * The Cloud API: WHATSAPP_CLOUD_URL, else the stack's emulator on
 * WHATSAPP_CLOUD_PORT. Production sets https://graph.facebook.com.
 */
static int load_cloud(const struct config *cfg, struct wa_settings *out,
                      struct hito_error *err)
{
    const char *url = config_get(cfg, "WHATSAPP_CLOUD_URL");
    const char *port = config_get(cfg, "WHATSAPP_CLOUD_PORT");
    int rc = HITO_OK;

    if (url != NULL && url[0] != '\0')
        rc = copy_text(url, out->cloud_url, sizeof(out->cloud_url),
                       "WHATSAPP_CLOUD_URL", err);
    else if (port != NULL && port[0] != '\0')
        snprintf(out->cloud_url, sizeof(out->cloud_url), "http://%.64s:%.8s",
                 config_get_default(cfg, "HITO_HOST", "127.0.0.1"), port);
    else
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "WHATSAPP_CLOUD_URL and WHATSAPP_CLOUD_PORT are "
                            "both missing");
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "WHATSAPP_API_VERSION",
                                          DEFAULT_CLOUD_VERSION),
                       out->cloud_version, sizeof(out->cloud_version),
                       "WHATSAPP_API_VERSION", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "WHATSAPP_PHONE_NUMBER_ID",
                                          "106540352242922"),
                       out->phone_number_id, sizeof(out->phone_number_id),
                       "WHATSAPP_PHONE_NUMBER_ID", err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_CLOUD_TIMEOUT_MS", 10000, 100, 60000,
                            &out->cloud_timeout_ms, err);
    if (rc == HITO_OK)
        rc = copy_secret(cfg, "WHATSAPP_ACCESS_TOKEN", out->access_token,
                         sizeof(out->access_token), err);
    return rc;
}

static int load_webhook_and_retries(const struct config *cfg,
                                    struct wa_service_options *s,
                                    struct hito_error *err)
{
    char secret[WA_SECRET_MAX];
    long attempts = 0;
    int rc;

    rc = copy_secret(cfg, "WHATSAPP_APP_SECRET", secret, sizeof(secret), err);
    if (rc == HITO_OK) {
        s->app_secret_len = strlen(secret);
        memcpy(s->app_secret, secret, s->app_secret_len);
        OPENSSL_cleanse(secret, sizeof(secret));
        rc = copy_secret(cfg, "WHATSAPP_VERIFY_TOKEN", s->verify_token,
                         sizeof(s->verify_token), err);
    }
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_SEND_MAX_ATTEMPTS", 4, 1, 10,
                            &attempts, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_RETRY_BASE_MS", 500, 1, 60000,
                            &s->backoff_base_ms, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_RETRY_MAX_MS", 8000, 1, 300000,
                            &s->backoff_max_ms, err);
    s->max_attempts = (int)attempts;
    return rc;
}

/*
 * Service tokens come from the stack's ZITADEL unless WHATSAPP_AUTH_ISSUER
 * and WHATSAPP_AUTH_JWKS_URL are set; the audience is the project id, known
 * once ZITADEL is provisioned.
 */
static int load_auth(const struct config *cfg, struct wa_settings *out,
                     struct hito_error *err)
{
    const char *issuer = config_get(cfg, "WHATSAPP_AUTH_ISSUER");
    const char *jwks = config_get(cfg, "WHATSAPP_AUTH_JWKS_URL");
    int rc = HITO_OK;

    if (issuer != NULL && issuer[0] != '\0')
        rc = copy_text(issuer, out->auth_issuer, sizeof(out->auth_issuer),
                       "WHATSAPP_AUTH_ISSUER", err);
    else
        snprintf(out->auth_issuer, sizeof(out->auth_issuer),
                 "http://localhost:%.8s",
                 config_get_default(cfg, "ZITADEL_PORT", "8080"));
    if (rc == HITO_OK && jwks != NULL && jwks[0] != '\0')
        rc = copy_text(jwks, out->auth_jwks_url, sizeof(out->auth_jwks_url),
                       "WHATSAPP_AUTH_JWKS_URL", err);
    else if (rc == HITO_OK)
        snprintf(out->auth_jwks_url, sizeof(out->auth_jwks_url),
                 "%.400s/oauth/v2/keys", out->auth_issuer);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(
                           cfg, "WHATSAPP_AUTH_AUDIENCE",
                           config_get_default(cfg, "ZITADEL_PROJECT_ID", "")),
                       out->auth_audience, sizeof(out->auth_audience),
                       "WHATSAPP_AUTH_AUDIENCE", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "WHATSAPP_AUTH_ROLES",
                                          DEFAULT_CALLER_ROLES),
                       out->auth_roles, sizeof(out->auth_roles),
                       "WHATSAPP_AUTH_ROLES", err);
    return rc;
}

int wa_settings_load(const struct config *cfg, struct wa_settings *out,
                     struct hito_error *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = load_endpoints(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_cloud(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_webhook_and_retries(cfg, &out->service, err);
    if (rc == HITO_OK)
        rc = load_auth(cfg, out, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_THREADS", 16, 2, 256, &out->threads,
                            err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_MAX_BODY_BYTES", 256 * 1024, 1024,
                            4 * 1024 * 1024, &out->max_body_bytes, err);
    if (rc == HITO_OK &&
        snprintf(out->migrations_dir, sizeof(out->migrations_dir),
                 "%s/reference/services/whatsapp/migrations",
                 config_get_default(cfg, "HITO_ROOT", ".")) >=
            (int)sizeof(out->migrations_dir))
        rc = hito_error_set(err, HITO_ERR_INVALID, "HITO_ROOT is too long");
    if (rc != HITO_OK)
        wa_settings_clear(out);
    return rc;
}

int wa_settings_load_profile(struct config *cfg, struct hito_error *err)
{
    const char *env = getenv("HITO_ENV");
    char path[WA_SETTINGS_TEXT_SIZE];
    int rc;

    rc = config_load_profile(cfg, NULL, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(path, sizeof(path), "run/%.64s/zitadel.env",
             env && env[0] ? env : "dev");
    if (access(path, R_OK) != 0)
        return HITO_OK;
    return config_load_file(cfg, path, err);
}

void wa_settings_clear(struct wa_settings *settings)
{
    OPENSSL_cleanse(settings->pg_conninfo, sizeof(settings->pg_conninfo));
    OPENSSL_cleanse(settings->amqp_password, sizeof(settings->amqp_password));
    OPENSSL_cleanse(settings->access_token, sizeof(settings->access_token));
    OPENSSL_cleanse(&settings->service, sizeof(settings->service));
}

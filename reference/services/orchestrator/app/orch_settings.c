#include "orch_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "hito/db.h"

/* Operators of the handover API: the identity provider's staff roles. */
#define ORCH_DEFAULT_OPERATOR_ROLES "admin,support"

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

/* Sets out to <KEY>_URL, else http://HITO_HOST:<port_key>. */
static int service_url(const struct config *cfg, const char *url_key,
                       const char *port_key, char *out, struct hito_error *err)
{
    const char *url = config_get(cfg, url_key);
    const char *port = config_get(cfg, port_key);

    if (url != NULL && url[0] != '\0')
        return copy_text(url, out, ORCH_SETTINGS_TEXT_SIZE, url_key, err);
    if (port == NULL || port[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID, "%s and %s are missing",
                              url_key, port_key);
    if (snprintf(out, ORCH_SETTINGS_TEXT_SIZE, "http://%s:%s",
                 config_get_default(cfg, "HITO_HOST", "127.0.0.1"),
                 port) >= ORCH_SETTINGS_TEXT_SIZE)
        return hito_error_set(err, HITO_ERR_INVALID, "%s is too long",
                              port_key);
    return HITO_OK;
}

static int load_stores(const struct config *cfg, struct orch_settings *out,
                       struct hito_error *err)
{
    const char *pg_password = NULL;
    long port = 0, pg_port = 0;
    int rc;

    snprintf(out->host, sizeof(out->host), "%s",
             config_get_default(cfg, "HITO_HOST", "127.0.0.1"));
    rc = config_get_int(cfg, "ORCHESTRATOR_PORT", 0, 0, 65535, &port, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "REDIS_PORT", 6379, 1, 65535, &out->redis_port,
                            err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "PG_PORT", 5432, 1, 65535, &pg_port, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "PG_PASSWORD_ORCHESTRATOR", &pg_password, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(out->listen, sizeof(out->listen), "%.200s:%ld", out->host, port);
    snprintf(out->redis_password, sizeof(out->redis_password), "%s",
             config_get_default(cfg, "REDIS_PASSWORD", ""));
    if (db_conninfo(out->pg_conninfo, sizeof(out->pg_conninfo), out->host,
                    (int)pg_port, "orchestrator", "orchestrator",
                    pg_password) != HITO_OK)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "PG_PASSWORD_ORCHESTRATOR is too long");
    return HITO_OK;
}

static int load_queue(const struct config *cfg, struct orch_settings *out,
                      struct hito_error *err)
{
    const char *user = NULL, *password = NULL;
    int rc;

    rc = config_get_int(cfg, "AMQP_PORT", 5672, 1, 65535, &out->amqp_port, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "AMQP_USER", &user, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "AMQP_PASSWORD", &password, err);
    if (rc == HITO_OK)
        rc = copy_text(user, out->amqp_user, sizeof(out->amqp_user),
                       "AMQP_USER", err);
    if (rc == HITO_OK)
        rc = copy_text(password, out->amqp_password, sizeof(out->amqp_password),
                       "AMQP_PASSWORD", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "AMQP_VHOST", "/"),
                       out->amqp_vhost, sizeof(out->amqp_vhost), "AMQP_VHOST",
                       err);
    if (rc == HITO_OK)
        rc = copy_text(
            config_get_default(cfg, "ORCH_INBOUND_QUEUE", "whatsapp.inbound"),
            out->inbound_queue, sizeof(out->inbound_queue),
            "ORCH_INBOUND_QUEUE", err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ORCH_MAX_ATTEMPTS", 5, 1, 100,
                            &out->max_attempts, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ORCH_RETRY_BASE_MS", 200, 0, 60000,
                            &out->retry_base_ms, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ORCH_RETRY_MAX_MS", 5000, 0, 20000,
                            &out->retry_max_ms, err);
    return rc;
}

static int load_services(const struct config *cfg, struct orch_settings *out,
                         struct hito_error *err)
{
    long percent = 0;
    int rc;

    rc = service_url(cfg, "IABOT_URL", "IABOT_PORT", out->iabot_url, err);
    if (rc == HITO_OK)
        rc = service_url(cfg, "OTP_URL", "OTP_PORT", out->otp_url, err);
    if (rc == HITO_OK)
        rc = service_url(cfg, "WHATSAPP_SERVICE_URL", "WHATSAPP_PORT",
                         out->whatsapp_url, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ORCH_CALL_TIMEOUT_MS", 5000, 100, 60000,
                            &out->call_timeout_ms, err);
    /* A percentage, so the settings file stays integer-only. */
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ORCH_MIN_CONFIDENCE_PERCENT", 40, 0, 100,
                            &percent, err);
    out->min_confidence = (double)percent / 100.0;
    return rc;
}

/*
 * Service tokens come from the stack's ZITADEL unless ORCH_AUTH_ISSUER and
 * ORCH_AUTH_JWKS_URL are set; the issuer is spelled with "localhost" as
 * ZITADEL writes it into "iss". The audience (the project id) exists only
 * once ZITADEL is provisioned, so it has no default.
 */
static int load_auth(const struct config *cfg, struct orch_settings *out,
                     struct hito_error *err)
{
    const char *project = config_get_default(cfg, "ZITADEL_PROJECT_ID", "");
    int rc;

    snprintf(out->auth_issuer, sizeof(out->auth_issuer), "http://localhost:%s",
             config_get_default(cfg, "ZITADEL_PORT", "8080"));
    rc = copy_text(
        config_get_default(cfg, "ORCH_AUTH_ISSUER", out->auth_issuer),
        out->auth_issuer, sizeof(out->auth_issuer), "ORCH_AUTH_ISSUER", err);
    snprintf(out->auth_jwks_url, sizeof(out->auth_jwks_url),
             "%.200s/oauth/v2/keys", out->auth_issuer);
    snprintf(out->token_url, sizeof(out->token_url), "%.200s/oauth/v2/token",
             out->auth_issuer);
    if (rc == HITO_OK)
        rc = copy_text(
            config_get_default(cfg, "ORCH_AUTH_JWKS_URL", out->auth_jwks_url),
            out->auth_jwks_url, sizeof(out->auth_jwks_url),
            "ORCH_AUTH_JWKS_URL", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "ORCH_AUTH_AUDIENCE", project),
                       out->auth_audience, sizeof(out->auth_audience),
                       "ORCH_AUTH_AUDIENCE", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "ORCH_OPERATOR_ROLES",
                                          ORCH_DEFAULT_OPERATOR_ROLES),
                       out->operator_roles, sizeof(out->operator_roles),
                       "ORCH_OPERATOR_ROLES", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(
                           cfg, "ORCH_CLIENT_ID",
                           config_get_default(
                               cfg, "ZITADEL_SVC_ORCHESTRATOR_CLIENT_ID", "")),
                       out->client_id, sizeof(out->client_id), "ORCH_CLIENT_ID",
                       err);
    if (rc == HITO_OK)
        rc = copy_text(
            config_get_default(
                cfg, "ORCH_CLIENT_SECRET",
                config_get_default(
                    cfg, "ZITADEL_SVC_ORCHESTRATOR_CLIENT_SECRET", "")),
            out->client_secret, sizeof(out->client_secret),
            "ORCH_CLIENT_SECRET", err);
    if (rc == HITO_OK &&
        snprintf(out->token_scope, sizeof(out->token_scope),
                 "openid urn:zitadel:iam:org:project:id:%.200s:aud "
                 "urn:zitadel:iam:org:projects:roles",
                 project) >= (int)sizeof(out->token_scope))
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "ZITADEL_PROJECT_ID is too long");
    return rc;
}

int orch_settings_load(const struct config *cfg, struct orch_settings *out,
                       struct hito_error *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = load_stores(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_queue(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_services(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_auth(cfg, out, err);
    if (rc == HITO_OK &&
        snprintf(out->migrations_dir, sizeof(out->migrations_dir),
                 "%s/reference/services/orchestrator/migrations",
                 config_get_default(cfg, "HITO_ROOT", ".")) >=
            (int)sizeof(out->migrations_dir))
        rc = hito_error_set(err, HITO_ERR_INVALID, "HITO_ROOT is too long");
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ORCH_THREADS", 8, 2, 256, &out->threads, err);
    if (rc != HITO_OK)
        orch_settings_clear(out);
    return rc;
}

int orch_settings_load_profile(struct config *cfg, struct hito_error *err)
{
    const char *env = getenv("HITO_ENV");
    char path[ORCH_SETTINGS_TEXT_SIZE];
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

void orch_settings_clear(struct orch_settings *settings)
{
    OPENSSL_cleanse(settings->pg_conninfo, sizeof(settings->pg_conninfo));
    OPENSSL_cleanse(settings->redis_password, sizeof(settings->redis_password));
    OPENSSL_cleanse(settings->amqp_password, sizeof(settings->amqp_password));
    OPENSSL_cleanse(settings->client_secret, sizeof(settings->client_secret));
}

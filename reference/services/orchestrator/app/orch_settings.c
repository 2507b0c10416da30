#include "orch_settings.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

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

/* Sets out to url_key's value, else http://HITO_HOST:<port_key>. */
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
    struct redisc_options redis;
    int rc;

    rc = service_listen_address(cfg, "ORCHESTRATOR_PORT", out->listen,
                                sizeof(out->listen), err);
    if (rc == HITO_OK)
        rc = service_redis_options(cfg, &redis, err);
    if (rc == HITO_OK)
        rc = service_pg_conninfo(cfg, "orchestrator", out->pg_conninfo,
                                 sizeof(out->pg_conninfo), err);
    if (rc == HITO_OK)
        rc = copy_text(redis.host, out->host, sizeof(out->host), "HITO_HOST",
                       err);
    if (rc == HITO_OK)
        rc = copy_text(redis.password, out->redis_password,
                       sizeof(out->redis_password), "REDIS_PASSWORD", err);
    out->redis_port = redis.port;
    return rc;
}

static int load_queue(const struct config *cfg, struct orch_settings *out,
                      struct hito_error *err)
{
    struct mq_options mq;
    int rc;

    rc = service_mq_options(cfg, "orchestrator", &mq, err);
    if (rc == HITO_OK)
        rc = copy_text(mq.user, out->amqp_user, sizeof(out->amqp_user),
                       "AMQP_USER", err);
    if (rc == HITO_OK)
        rc = copy_text(mq.password, out->amqp_password,
                       sizeof(out->amqp_password), "AMQP_PASSWORD", err);
    if (rc == HITO_OK)
        rc = copy_text(mq.vhost, out->amqp_vhost, sizeof(out->amqp_vhost),
                       "AMQP_VHOST", err);
    out->amqp_port = mq.port;
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
 * The client credentials of svc-orchestrator, from ZITADEL provisioning
 * unless ORCH_CLIENT_ID and ORCH_CLIENT_SECRET are set, and a scope that
 * requests the project audience and roles as ZITADEL spells it.
 */
static int load_client(const struct config *cfg, struct orch_settings *out,
                       struct hito_error *err)
{
    const char *project = config_get_default(cfg, "ZITADEL_PROJECT_ID", "");
    const char *id =
        config_get_default(cfg, "ZITADEL_SVC_ORCHESTRATOR_CLIENT_ID", "");
    const char *secret =
        config_get_default(cfg, "ZITADEL_SVC_ORCHESTRATOR_CLIENT_SECRET", "");
    int rc;

    rc =
        copy_text(config_get_default(cfg, "ORCH_CLIENT_ID", id), out->client_id,
                  sizeof(out->client_id), "ORCH_CLIENT_ID", err);
    if (rc == HITO_OK)
        rc = copy_text(config_get_default(cfg, "ORCH_CLIENT_SECRET", secret),
                       out->client_secret, sizeof(out->client_secret),
                       "ORCH_CLIENT_SECRET", err);
    if (rc == HITO_OK && snprintf(out->token_url, sizeof(out->token_url),
                                  "%.200s/oauth/v2/token", out->auth.issuer) >=
                             (int)sizeof(out->token_url))
        rc = hito_error_set(err, HITO_ERR_INVALID, "the issuer is too long");
    if (rc == HITO_OK &&
        snprintf(out->token_scope, sizeof(out->token_scope),
                 "openid urn:zitadel:iam:org:project:id:%.200s:aud "
                 "urn:zitadel:iam:org:projects:roles",
                 project) >= (int)sizeof(out->token_scope))
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "ZITADEL_PROJECT_ID is too long");
    return rc;
}

/* Operator tokens: see service_auth_settings_load for the defaults. */
static int load_auth(const struct config *cfg, struct orch_settings *out,
                     struct hito_error *err)
{
    int rc;

    rc = service_auth_settings_load(cfg, "ORCH", &out->auth, err);
    if (rc == HITO_OK)
        rc =
            service_roles_parse(&out->operators,
                                config_get_default(cfg, "ORCH_OPERATOR_ROLES",
                                                   ORCH_DEFAULT_OPERATOR_ROLES),
                                err);
    if (rc == HITO_OK)
        rc = load_client(cfg, out, err);
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

void orch_settings_redis(const struct orch_settings *settings,
                         struct redisc_options *out)
{
    memset(out, 0, sizeof(*out));
    out->host = settings->host;
    out->port = (int)settings->redis_port;
    out->password = settings->redis_password;
}

void orch_settings_clear(struct orch_settings *settings)
{
    OPENSSL_cleanse(settings->pg_conninfo, sizeof(settings->pg_conninfo));
    OPENSSL_cleanse(settings->redis_password, sizeof(settings->redis_password));
    OPENSSL_cleanse(settings->amqp_password, sizeof(settings->amqp_password));
    OPENSSL_cleanse(settings->client_secret, sizeof(settings->client_secret));
}

#include "orch_settings.h"

#include <string.h>

#include <openssl/crypto.h>

/* Operators of the handover API: the identity provider's staff roles. */
#define ORCH_DEFAULT_OPERATOR_ROLES "admin,support"

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
        rc = service_setting_copy(cfg, "HITO_HOST", "127.0.0.1", out->host,
                                  sizeof(out->host), err);
    if (rc == HITO_OK)
        rc =
            service_setting_copy(cfg, "REDIS_PASSWORD", "", out->redis_password,
                                 sizeof(out->redis_password), err);
    out->redis_port = redis.port;
    if (rc == HITO_OK)
        rc = service_migrations_dir(cfg, "orchestrator", out->migrations_dir,
                                    sizeof(out->migrations_dir), err);
    return rc;
}

static int load_queue(const struct config *cfg, struct orch_settings *out,
                      struct hito_error *err)
{
    struct mq_options mq;
    int rc;

    rc = service_mq_options(cfg, "orchestrator", &mq, err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "AMQP_USER", NULL, out->amqp_user,
                                  sizeof(out->amqp_user), err);
    if (rc == HITO_OK)
        rc =
            service_setting_copy(cfg, "AMQP_PASSWORD", NULL, out->amqp_password,
                                 sizeof(out->amqp_password), err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "AMQP_VHOST", "/", out->amqp_vhost,
                                  sizeof(out->amqp_vhost), err);
    out->amqp_port = mq.port;
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "ORCH_INBOUND_QUEUE", "whatsapp.inbound",
                                  out->inbound_queue,
                                  sizeof(out->inbound_queue), err);
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

    rc = service_peer_url(cfg, "IABOT_URL", "IABOT_PORT", out->iabot_url,
                          sizeof(out->iabot_url), err);
    if (rc == HITO_OK)
        rc = service_peer_url(cfg, "OTP_URL", "OTP_PORT", out->otp_url,
                              sizeof(out->otp_url), err);
    if (rc == HITO_OK)
        rc =
            service_peer_url(cfg, "WHATSAPP_SERVICE_URL", "WHATSAPP_PORT",
                             out->whatsapp_url, sizeof(out->whatsapp_url), err);
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
 * Operator tokens and the orchestrator's own client credentials (ZITADEL
 * user svc-orchestrator): see service_auth_settings_load and
 * service_client_settings_load for the keys and defaults.
 */
static int load_auth(const struct config *cfg, struct orch_settings *out,
                     struct hito_error *err)
{
    int rc;

    rc = service_auth_settings_load(cfg, "ORCH", &out->auth, err);
    if (rc == HITO_OK)
        rc = service_roles_load(cfg, "ORCH_OPERATOR_ROLES",
                                ORCH_DEFAULT_OPERATOR_ROLES, &out->operators,
                                err);
    if (rc == HITO_OK)
        rc = service_client_settings_load(cfg, "ORCH", "SVC_ORCHESTRATOR",
                                          out->auth.issuer, &out->client, err);
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
    OPENSSL_cleanse(settings->client.client_secret,
                    sizeof(settings->client.client_secret));
}

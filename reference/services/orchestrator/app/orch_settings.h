/*
 * orch_settings.h - the orchestrator's settings, read from the settings
 * profile (stack/settings/$HITO_ENV.env), the secrets file
 * (run/$HITO_ENV/secrets.env), ZITADEL's provisioning output
 * (run/$HITO_ENV/zitadel.env) and the environment. README.md lists them.
 */
#ifndef ORCH_SETTINGS_H
#define ORCH_SETTINGS_H

#include "hito/config.h"
#include "hito/err.h"
#include "hito/service.h"
#include "hito/service_auth.h"

#define ORCH_SETTINGS_TEXT_SIZE 256

struct orch_settings {
    char listen[SERVICE_LISTEN_MAX];    /* HITO_HOST:ORCHESTRATOR_PORT */
    char host[ORCH_SETTINGS_TEXT_SIZE]; /* HITO_HOST */
    long redis_port;
    char redis_password[ORCH_SETTINGS_TEXT_SIZE];
    char pg_conninfo[4 * ORCH_SETTINGS_TEXT_SIZE]; /* database orchestrator */
    long amqp_port;
    char amqp_user[ORCH_SETTINGS_TEXT_SIZE];
    char amqp_password[ORCH_SETTINGS_TEXT_SIZE];
    char amqp_vhost[ORCH_SETTINGS_TEXT_SIZE];
    char inbound_queue[ORCH_SETTINGS_TEXT_SIZE]; /* ORCH_INBOUND_QUEUE */
    long max_attempts;  /* tries before a message is dead-lettered */
    long retry_base_ms; /* first backoff; doubles per try */
    long retry_max_ms;  /* backoff cap */
    char iabot_url[ORCH_SETTINGS_TEXT_SIZE];
    char otp_url[ORCH_SETTINGS_TEXT_SIZE];
    char whatsapp_url[ORCH_SETTINGS_TEXT_SIZE];
    long call_timeout_ms;  /* per HTTP call to another service */
    double min_confidence; /* ORCH_MIN_CONFIDENCE_PERCENT / 100 */
    /* Client credentials of the ZITADEL user svc-orchestrator; no token is
     * sent when the id is empty. */
    struct service_client_settings client;
    struct service_auth_settings auth; /* operator tokens */
    struct service_roles operators;    /* ORCH_OPERATOR_ROLES */
    char migrations_dir[2 * ORCH_SETTINGS_TEXT_SIZE];
    long threads;
};

/*
 * Reads every setting into out. A missing secret (PG_PASSWORD_ORCHESTRATOR,
 * AMQP_USER, AMQP_PASSWORD) or a value out of range gives HITO_ERR_INVALID
 * naming the key; messages never contain a secret's value.
 */
int orch_settings_load(const struct config *cfg, struct orch_settings *out,
                       struct hito_error *err);

/* Fills out for the stack's Redis; its strings point into settings. */
void orch_settings_redis(const struct orch_settings *settings,
                         struct redisc_options *out);

/* Overwrites the secrets that settings contains. */
void orch_settings_clear(struct orch_settings *settings);

#endif

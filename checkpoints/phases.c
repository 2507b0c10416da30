/*
 * The checkpoints and their scenarios. To add a scenario, declare its
 * struct scenario here and list it in its checkpoint's table; the build
 * compiles every C file under scenarios/<area>/.
 */
#include "runner/phases.h"

extern const struct scenario infra_postgres_databases;
extern const struct scenario infra_redis_expiry;
extern const struct scenario infra_rabbitmq_confirm;
extern const struct scenario infra_prometheus_targets;
extern const struct scenario infra_alertmanager_connected;
extern const struct scenario infra_loopback_only;
extern const struct scenario infra_name_resolution;
extern const struct scenario identity_discovery;
extern const struct scenario identity_client_credentials;
extern const struct scenario identity_weak_password;
extern const struct scenario identity_lockout;
extern const struct scenario identity_role_hierarchy;
extern const struct scenario identity_provision_idempotent;
extern const struct scenario identity_key_rotation;
extern const struct scenario identity_login_pkce;
extern const struct scenario gateway_health;
extern const struct scenario gateway_cors;
extern const struct scenario gateway_invalid_tokens;
extern const struct scenario gateway_claim_checks;
extern const struct scenario gateway_roles;
extern const struct scenario gateway_identity_flow;
extern const struct scenario gateway_passthrough;
extern const struct scenario gateway_rate_limits;
extern const struct scenario gateway_metrics;
extern const struct scenario gateway_iabot_route;
extern const struct scenario gateway_otp_route;
extern const struct scenario gateway_service_routes;
extern const struct scenario gateway_load;
extern const struct scenario core_conversation;
extern const struct scenario core_duplicate;
extern const struct scenario core_otp;
extern const struct scenario core_feedback;
extern const struct scenario core_handover;
extern const struct scenario core_rabbitmq_restart;

static const struct scenario *const checkpoint_1[] = {
    &infra_name_resolution,
    &infra_postgres_databases,
    &infra_redis_expiry,
    &infra_rabbitmq_confirm,
    &infra_prometheus_targets,
    &infra_alertmanager_connected,
    &infra_loopback_only,
    NULL,
};

static const struct scenario *const checkpoint_2[] = {
    &identity_discovery,
    &identity_client_credentials,
    &identity_login_pkce,
    &identity_weak_password,
    &identity_lockout,
    &identity_role_hierarchy,
    &identity_provision_idempotent,
    &identity_key_rotation,
    NULL,
};

static const struct scenario *const checkpoint_3[] = {
    &gateway_health,
    &gateway_cors,
    &gateway_invalid_tokens,
    &gateway_claim_checks,
    &gateway_roles,
    &gateway_identity_flow,
    &gateway_passthrough,
    &gateway_rate_limits,
    &gateway_metrics,
    &gateway_iabot_route,
    &gateway_otp_route,
    &gateway_service_routes,
    &gateway_load,
    NULL,
};

static const struct scenario *const checkpoint_4[] = {
    &core_conversation,
    &core_duplicate,
    &core_otp,
    &core_feedback,
    &core_handover,
    &core_rabbitmq_restart,
    NULL,
};

static const struct phase phases[] = {
    {
        .number = 1,
        .title = "Base infrastructure",
        .description = "PostgreSQL, Redis, RabbitMQ, Prometheus and Alertmanager run, "
                       "accept the platform's credentials, work end to end and listen on "
                       "loopback only.",
        .scenarios = checkpoint_1,
    },
    {
        .number = 2,
        .title = "Identity",
        .description = "ZITADEL serves discovery and keys, issues verifiable tokens to every "
                       "service, enforces the password and lockout policies, and is "
                       "provisioned idempotently from zitadel/model.json.",
        .scenarios = checkpoint_2,
    },
    {
        .number = 3,
        .title = "Gateway",
        .description = "KrakenD routes every public API, validates tokens of the identity "
                       "provider (signature, issuer, audience, roles), propagates the caller's "
                       "identity to backends, responds to CORS preflights, enforces per-client and "
                       "per-route rate limits, passes backend statuses through and exports "
                       "its counters to Prometheus.",
        .scenarios = checkpoint_3,
    },
    {
        .number = 4,
        .title = "Core services",
        .description = "A customer's WhatsApp message travels through the webhook, the "
                       "outbox, RabbitMQ and the orchestrator, which asks the IA bot and the "
                       "OTP service and replies through the WhatsApp service: once per "
                       "message, across a broker restart, with codes checked and unclear "
                       "conversations handed to a human.",
        .scenarios = checkpoint_4,
    },
};

const struct phase *phases_all(size_t *count)
{
    *count = sizeof(phases) / sizeof(*phases);
    return phases;
}

const struct phase *phases_find(int number)
{
    for (size_t i = 0; i < sizeof(phases) / sizeof(*phases); i++)
        if (phases[i].number == number)
            return &phases[i];
    return NULL;
}

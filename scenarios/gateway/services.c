/*
 * The gateway in front of the real services: a call with a service token
 * goes through KrakenD, which checks the route's roles and passes the
 * caller's token on, and the service checks it again and replies. The
 * service's own replies (its 413 for an oversized body, its JSON errors)
 * reach the client unchanged, while a caller without the route's role is
 * stopped by the gateway with an empty 403.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gateway.h"

#define ANALYSE_PATH "/v1/iabot/analyse"
#define OTP_VERIFY_PATH "/v1/otp/verify"
#define WEBHOOK_PATH "/v1/whatsapp/webhook"
#define HANDOVERS_PATH "/v1/operator/handovers"
/* Roles in krakend/routes.json: svc-orchestrator may call ANALYSE_PATH and
 * OTP_VERIFY_PATH but not HANDOVERS_PATH (admin, support), and svc-payment
 * may call none of them. */
#define CALLER "SVC_ORCHESTRATOR"
#define OUTSIDER "SVC_PAYMENT"
/* The IA bot's body limit: IABOT_MAX_BODY_BYTES (iabot/app/iabot_app.c). */
#define IABOT_BODY_MAX (64 * 1024)
/* The OTP service's default body limit, unless OTP_MAX_BODY_BYTES is set. */
#define OTP_BODY_DEFAULT 4096
#define OTP_BODY_SETTING_MAX 65536
/* The message the IA bot analyses and the order entity it must find. */
#define ANALYSE_TEXT "hola, quiero saber el estado de mi pedido ORD-123456"
#define ANALYSE_ORDER "ORD-123456"

static const char *const json_headers[] = {"Content-Type: application/json",
                                           NULL};

/*
 * Returns a JSON object of more than limit bytes: the fields of small
 * followed by a "padding" string, so the service rejects it by size alone.
 */
static const char *oversized_body(struct scenario_ctx *ctx, const char *small,
                                  size_t limit, size_t *len)
{
    size_t size = limit + 1024;
    char *body = scenario_alloc(ctx, size + 1);
    size_t head = strlen(small) - 1; /* without the closing brace */

    memcpy(body, small, head);
    memcpy(body + head, ",\"padding\":\"", 12);
    memset(body + head + 12, 'x', size - head - 14);
    memcpy(body + size - 2, "\"}", 2);
    *len = size;
    return body;
}

/* Checks that the gateway stops OUTSIDER, who lacks the roles of path. */
static void expect_outsider_forbidden(struct scenario_ctx *ctx,
                                      const char *path, const char *body)
{
    const struct httpc_response *res;

    step_begin(ctx, "%s lacks the route's roles: 403 from the gateway",
               OUTSIDER);
    res = gateway_call(ctx, "POST", path,
                       gateway_service_token(ctx, OUTSIDER), json_headers,
                       body, strlen(body));
    expect_http_status(ctx, res, 403);
}

/*
 * Checks that a body over the service's limit of bytes, sent to path with
 * token, gets the service's own 413 through the gateway.
 */
static void expect_service_413(struct scenario_ctx *ctx, const char *service,
                               const char *path, const char *token,
                               const char *body, size_t limit)
{
    const struct httpc_response *res;
    const char *big;
    size_t big_len;

    step_begin(ctx, "A body over the %s's %zu bytes: the %s's 413", service,
               limit, service);
    big = oversized_body(ctx, body, limit, &big_len);
    res = gateway_call(ctx, "POST", path, token, json_headers, big, big_len);
    expect_http_status(ctx, res, 413);
    expect_json_str(ctx, scenario_json(ctx, res), "error.code",
                    "payload_too_large");
}

/* Returns nonzero when the analysis lists an order entity with value. */
static int has_order(json_t *analysis, const char *value)
{
    json_t *entity;
    size_t i;

    json_array_foreach(json_object_get(analysis, "entities"), i, entity) {
        const char *kind = json_string_value(json_object_get(entity, "kind"));
        const char *found =
            json_string_value(json_object_get(entity, "value"));

        if (kind && found && strcmp(kind, "order") == 0 &&
            strcmp(found, value) == 0)
            return 1;
    }
    return 0;
}

static void iabot_run(struct scenario_ctx *ctx)
{
    const char *body = "{\"conversation_id\":\"checkpoint-3\","
                       "\"customer_id\":\"checkpoint-3\","
                       "\"text\":\"" ANALYSE_TEXT "\"}";
    const struct httpc_response *res;
    const char *token;
    json_t *analysis;

    step_begin(ctx, "%s analyses a message through the gateway: 200", CALLER);
    token = gateway_service_token(ctx, CALLER);
    res = gateway_call(ctx, "POST", ANALYSE_PATH, token, json_headers, body,
                       strlen(body));
    expect_http_status(ctx, res, 200);
    analysis = scenario_json(ctx, res);
    expect_true(ctx, json_string_length(json_object_get(analysis, "intent")),
                "the IA bot's reply has an intent");
    expect_true(ctx,
                json_is_string(json_object_get(analysis, "model_version")),
                "the IA bot's reply names its model version");
    expect_true(ctx, has_order(analysis, ANALYSE_ORDER),
                "the IA bot found the order entity %s", ANALYSE_ORDER);

    expect_outsider_forbidden(ctx, ANALYSE_PATH, body);

    step_begin(ctx, "No token: 401 from the gateway");
    res = gateway_call(ctx, "POST", ANALYSE_PATH, NULL, json_headers, body,
                       strlen(body));
    expect_http_status(ctx, res, 401);

    expect_service_413(ctx, "IA bot", ANALYSE_PATH, token, body,
                       IABOT_BODY_MAX);
}

const struct scenario gateway_iabot_route = {
    .name = "gateway-iabot-route",
    .title = "Through the gateway the IA bot analyses a message for a caller "
             "with the route's role",
    .tags = "gateway,krakend,iabot",
    .run = iabot_run,
};

static void otp_run(struct scenario_ctx *ctx)
{
    long limit = OTP_BODY_DEFAULT;
    const struct httpc_response *res;
    const char *token;
    char body[160];

    if (scenario_setting(ctx, "OTP_MAX_BODY_BYTES"))
        limit = scenario_require_int(ctx, "OTP_MAX_BODY_BYTES", 256,
                                     OTP_BODY_SETTING_MAX);
    /* Verification does not send anything, so the check does not depend on
     * the WhatsApp service. A number no code was issued to always gets the
     * service's 422. The number is of this run alone and the attempts per
     * number stay under the service's limit. */
    snprintf(body, sizeof(body),
             "{\"phone_number\":\"+3460%07ld\","
             "\"purpose\":\"phone_verification\",\"code\":\"000000\"}",
             ((long)time(NULL) * 131 + (long)getpid()) % 10000000);

    step_begin(ctx, "%s verifies a code through the gateway: the OTP "
                    "service's 422",
               CALLER);
    token = gateway_service_token(ctx, CALLER);
    res = gateway_call(ctx, "POST", OTP_VERIFY_PATH, token, json_headers,
                       body, strlen(body));
    expect_http_status(ctx, res, 422);
    expect_json_str(ctx, scenario_json(ctx, res), "error.code",
                    "invalid_code");

    expect_outsider_forbidden(ctx, OTP_VERIFY_PATH, body);

    expect_service_413(ctx, "OTP service", OTP_VERIFY_PATH, token, body,
                       (size_t)limit);
}

const struct scenario gateway_otp_route = {
    .name = "gateway-otp-route",
    .title = "Through the gateway the OTP service checks a code for a caller "
             "with the route's role",
    .tags = "gateway,krakend,otp",
    .run = otp_run,
};

static void routes_run(struct scenario_ctx *ctx)
{
    const struct httpc_response *res;

    step_begin(ctx, "The public webhook reaches the WhatsApp service, which "
                    "rejects a wrong verify token");
    res = gateway_call(ctx, "GET",
                       WEBHOOK_PATH "?hub.mode=subscribe&hub.verify_token="
                                    "not-the-token&hub.challenge=42",
                       NULL, NULL, NULL, 0);
    expect_http_status(ctx, res, 403);
    /* The gateway's own 403 has an empty body; this one is the service's. */
    expect_json_str(ctx, scenario_json(ctx, res), "error.code", "forbidden");

    step_begin(ctx, "%s lacks the operator roles: 403 from the gateway",
               CALLER);
    res = gateway_call(ctx, "GET", HANDOVERS_PATH,
                       gateway_service_token(ctx, CALLER), NULL, NULL, 0);
    expect_http_status(ctx, res, 403);
    expect_int_eq(ctx, "body bytes of the gateway's 403", 0,
                  (long long)res->body_len);
}

const struct scenario gateway_service_routes = {
    .name = "gateway-service-routes",
    .title = "The WhatsApp and operator routes reach their services or stop "
             "at the gateway's role check",
    .tags = "gateway,krakend,whatsapp,orchestrator",
    .run = routes_run,
};

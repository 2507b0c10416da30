/*
 * Roles and identity propagation, end to end: a token from the identity
 * provider, through KrakenD, to the echo backend, which shows what reached
 * it. The gateway checks the route's roles (403 without one), replaces the
 * identity headers with the token's claims, and drops them on public
 * routes, whatever the client sent.
 */
#include <string.h>

#include "gateway.h"

#define PROTECTED_PATH "/v1/gateway/echo"
#define PUBLIC_PATH "/v1/gateway/public"
/* svc-payment is not among the roles of PROTECTED_PATH (krakend/routes.json). */
#define SERVICE_WITHOUT_ROLE "SVC_PAYMENT"
#define SERVICE_WITH_ROLE "SVC_ORCHESTRATOR"
#define ROLE "svc-orchestrator"

static const char *const forged_headers[] = {
    GATEWAY_HEADER_SUB ": forged-user",
    GATEWAY_HEADER_ORG ": forged-org",
    GATEWAY_HEADER_ROLES ": admin",
    NULL,
};

static void roles_run(struct scenario_ctx *ctx)
{
    const struct httpc_response *res;

    step_begin(ctx, "%s lacks the route's roles: 403", SERVICE_WITHOUT_ROLE);
    res = gateway_call(ctx, "GET", PROTECTED_PATH, gateway_service_token(ctx,
                       SERVICE_WITHOUT_ROLE), NULL, NULL, 0);
    expect_http_status(ctx, res, 403);

    step_begin(ctx, "%s has role %s: 200", SERVICE_WITH_ROLE, ROLE);
    res = gateway_call(ctx, "GET", PROTECTED_PATH, gateway_service_token(ctx,
                       SERVICE_WITH_ROLE), NULL, NULL, 0);
    expect_http_status(ctx, res, 200);
}

const struct scenario gateway_roles = {
    .name = "gateway-roles",
    .title = "A valid token without the route's role gets 403, with it 200",
    .tags = "gateway,krakend,jwt,roles",
    .run = roles_run,
};

static void flow_run(struct scenario_ctx *ctx)
{
    const char *token;
    const struct httpc_response *res;
    json_t *claims, *echoed;
    const char *sub, *org;

    step_begin(ctx, "%s gets a token from the identity provider", SERVICE_WITH_ROLE);
    token = gateway_service_token(ctx, SERVICE_WITH_ROLE);
    claims = gateway_token_part(ctx, token, 1);
    sub = json_string_value(json_object_get(claims, "sub"));
    org = json_string_value(json_object_get(claims, GATEWAY_CLAIM_ORG));
    expect_true(ctx, sub != NULL, "the token has a sub claim");
    expect_true(ctx, org != NULL, "the token has the %s claim", GATEWAY_CLAIM_ORG);

    step_begin(ctx, "The backend sees the token's claims, not the client's identity headers");
    res = gateway_call(ctx, "GET", PROTECTED_PATH "?echo_status=200", token, forged_headers,
                       NULL, 0);
    expect_http_status(ctx, res, 200);
    echoed = scenario_json(ctx, res);
    expect_json_str(ctx, echoed, "path", PROTECTED_PATH);
    expect_json_str(ctx, echoed, "headers." GATEWAY_HEADER_SUB, sub);
    expect_json_str(ctx, echoed, "headers." GATEWAY_HEADER_ORG, org);
    expect_json_str(ctx, echoed, "headers." GATEWAY_HEADER_ROLES, ROLE);

    step_begin(ctx, "A public route drops the client's identity headers");
    res = gateway_call(ctx, "GET", PUBLIC_PATH, NULL, forged_headers, NULL, 0);
    expect_http_status(ctx, res, 200);
    echoed = scenario_json(ctx, res);
    expect_json_str(ctx, echoed, "path", PUBLIC_PATH);
    expect_true(ctx, scenario_json_path(echoed, "headers." GATEWAY_HEADER_SUB) == NULL,
                "the backend got no %s header", GATEWAY_HEADER_SUB);
    expect_true(ctx, scenario_json_path(echoed, "headers." GATEWAY_HEADER_ORG) == NULL,
                "the backend got no %s header", GATEWAY_HEADER_ORG);
    expect_true(ctx, scenario_json_path(echoed, "headers." GATEWAY_HEADER_ROLES) == NULL,
                "the backend got no %s header", GATEWAY_HEADER_ROLES);
}

const struct scenario gateway_identity_flow = {
    .name = "gateway-identity-flow",
    .title = "Token to gateway to backend: claims arrive as headers, forged ones do not",
    .tags = "gateway,krakend,jwt",
    .run = flow_run,
};

static void passthrough_run(struct scenario_ctx *ctx)
{
    /* Over the echo backend's default limit of 64 KiB (mocks/echo). */
    static char body[70 * 1024];
    const char *headers[] = {"Content-Type: application/octet-stream", NULL};
    const char *token;
    const struct httpc_response *res;

    token = gateway_service_token(ctx, SERVICE_WITH_ROLE);
    memset(body, 'x', sizeof(body));

    step_begin(ctx, "An oversized body gets the backend's 413 through the gateway");
    res = gateway_call(ctx, "POST", PROTECTED_PATH, token, headers, body, sizeof(body));
    expect_http_status(ctx, res, 413);

    step_begin(ctx, "A small body reaches the backend whole");
    res = gateway_call(ctx, "POST", PROTECTED_PATH, token, headers, body, 1000);
    expect_http_status(ctx, res, 200);
    expect_json_int(ctx, scenario_json(ctx, res), "body_bytes", 1000);

    step_begin(ctx, "A backend error status passes through unchanged");
    res = gateway_call(ctx, "GET", PROTECTED_PATH "?echo_status=409", token, NULL, NULL, 0);
    expect_http_status(ctx, res, 409);
}

const struct scenario gateway_passthrough = {
    .name = "gateway-passthrough",
    .title = "Backend statuses (413 for an oversized body, 409) pass through the gateway",
    .tags = "gateway,krakend",
    .run = passthrough_run,
};

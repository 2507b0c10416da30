/*
 * The gateway's health route returns 200, and an unknown route returns 404.
 */
#include "gateway.h"

static void health_run(struct scenario_ctx *ctx)
{
    const struct httpc_response *res;

    step_begin(ctx, "GET /__health returns 200 with status ok");
    res = http_get(ctx, gateway_url(ctx), "/__health");
    expect_http_status(ctx, res, 200);
    expect_json_str(ctx, scenario_json(ctx, res), "status", "ok");

    step_begin(ctx, "A route the gateway does not define returns 404");
    res = http_get(ctx, gateway_url(ctx), "/v1/no-such-route");
    expect_http_status(ctx, res, 404);
}

const struct scenario gateway_health = {
    .name = "gateway-health",
    .title = "KrakenD returns 200 on /__health and 404 on unknown routes",
    .tags = "gateway,krakend",
    .run = health_run,
};

/*
 * CORS preflights: an allowed web origin gets the CORS headers, another
 * origin gets none. KrakenD handles preflights before routing and JWT
 * validation, so no token is needed.
 */
#include <string.h>

#include "gateway.h"

/* The local and compose targets allow the web app's development origin. */
#define ALLOWED_ORIGIN "http://localhost:3000"
#define OTHER_ORIGIN "http://attacker.example"

static const struct httpc_response *preflight(struct scenario_ctx *ctx, const char *origin)
{
    char origin_header[128];
    const char *headers[] = {origin_header, "Access-Control-Request-Method: POST",
                             "Access-Control-Request-Headers: authorization,content-type",
                             NULL};

    snprintf(origin_header, sizeof(origin_header), "Origin: %s", origin);
    return gateway_call(ctx, "OPTIONS", "/v1/otp/issue", NULL, headers, NULL, 0);
}

static void cors_run(struct scenario_ctx *ctx)
{
    const struct httpc_response *res;
    const char *value;

    step_begin(ctx, "A preflight from %s is allowed", ALLOWED_ORIGIN);
    if (!scenario_target_is_local(ctx))
        scenario_skip(ctx, "the allowed origins of this target are not %s", ALLOWED_ORIGIN);
    res = preflight(ctx, ALLOWED_ORIGIN);
    expect_true(ctx, res->status == 200 || res->status == 204,
                "the preflight status is 200 or 204 (got %ld)", res->status);
    expect_str_eq(ctx, "Access-Control-Allow-Origin", ALLOWED_ORIGIN,
                  httpc_response_header(res, "Access-Control-Allow-Origin"));
    value = httpc_response_header(res, "Access-Control-Allow-Methods");
    expect_str_contains(ctx, "Access-Control-Allow-Methods", value, "POST");
    value = httpc_response_header(res, "Access-Control-Allow-Headers");
    expect_str_contains(ctx, "Access-Control-Allow-Headers", value, "Authorization");
    expect_str_contains(ctx, "Access-Control-Allow-Headers", value, "Content-Type");

    step_begin(ctx, "A preflight from %s gets no CORS headers", OTHER_ORIGIN);
    res = preflight(ctx, OTHER_ORIGIN);
    value = httpc_response_header(res, "Access-Control-Allow-Origin");
    expect_true(ctx, value == NULL, "no Access-Control-Allow-Origin for %s (got %s)",
                OTHER_ORIGIN, value != NULL ? value : "none");
    value = httpc_response_header(res, "Access-Control-Allow-Methods");
    expect_true(ctx, value == NULL, "no Access-Control-Allow-Methods for %s", OTHER_ORIGIN);
}

const struct scenario gateway_cors = {
    .name = "gateway-cors",
    .title = "CORS preflights succeed from the web origin and fail from others",
    .tags = "gateway,krakend,cors",
    .run = cors_run,
};

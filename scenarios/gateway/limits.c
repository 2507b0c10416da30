/*
 * Rate limits of KrakenD 1.4, which keeps token buckets in memory per
 * instance. A client over its own limit gets 429 while other clients still
 * pass, and it recovers after a second. All clients together over the
 * route's limit get 503. The client is the token's sub, which the gateway
 * copies into X-User-Id before the limiter reads it.
 *
 * The probe route /v1/gateway/limited allows PROBE_CLIENT_RATE requests per
 * second per client and PROBE_ROUTE_RATE per second in all. Both buckets
 * start full, so a burst passes up to the bucket size at once.
 */
#include "gateway.h"

#define PROBE_PATH "/v1/gateway/limited"
/* Mirror "probe" in krakend/settings/local/service.json. */
#define PROBE_CLIENT_RATE 8
#define PROBE_ROUTE_RATE 20
/* Tokens refill during a burst; this many extra passes are tolerated. */
#define REFILL_SLACK 2
/* More than one second, so a bucket of rate r per second is full again. */
#define REFILL_WAIT_MS 1200
#define CLIENTS 4

static const char *const clients[CLIENTS] = {
    "SVC_ORCHESTRATOR", "SVC_WHATSAPP", "SVC_IABOT", "SVC_OTP",
};

static void wait_ms(struct scenario_ctx *ctx, long ms)
{
    struct scenario_poll poll = scenario_poll_start(ctx, "the rate-limit buckets refill",
                                                    ms + 5000, ms);

    /* The first call returns at once, the second after ms. */
    scenario_poll_next(ctx, &poll);
    scenario_poll_next(ctx, &poll);
}

static void limits_run(struct scenario_ctx *ctx)
{
    const char *tokens[GATEWAY_BURST_MAX];
    const char *client_tokens[CLIENTS];
    struct gateway_counts counts;
    const struct httpc_response *res;
    int burst = PROBE_CLIENT_RATE + 4;
    int i;

    if (!scenario_target_is_local(ctx))
        scenario_skip(ctx, "the probe route's limits are sized for the local target");
    step_begin(ctx, "Tokens for %d service accounts, each a separate client", CLIENTS);
    for (i = 0; i < CLIENTS; i++)
        client_tokens[i] = gateway_service_token(ctx, clients[i]);
    wait_ms(ctx, REFILL_WAIT_MS);

    step_begin(ctx, "%d concurrent requests of one client: over %d get 429", burst,
               PROBE_CLIENT_RATE);
    for (i = 0; i < burst; i++)
        tokens[i] = client_tokens[0];
    counts = gateway_burst(ctx, PROBE_PATH, tokens, burst);
    expect_true(ctx, counts.limited >= burst - PROBE_CLIENT_RATE - REFILL_SLACK,
                "at least %d of %d requests get 429 (got %d)",
                burst - PROBE_CLIENT_RATE - REFILL_SLACK, burst, counts.limited);
    expect_true(ctx, counts.ok >= PROBE_CLIENT_RATE - 1, "about %d requests pass (got %d)",
                PROBE_CLIENT_RATE, counts.ok);
    expect_int_eq(ctx, "requests with 503 or another status",
                  0, counts.overload + counts.other);

    step_begin(ctx, "Another client still passes while the first is limited");
    res = gateway_call(ctx, "GET", PROBE_PATH, client_tokens[1], NULL, NULL, 0);
    expect_http_status(ctx, res, 200);

    step_begin(ctx, "The limited client passes again after %d ms", REFILL_WAIT_MS);
    wait_ms(ctx, REFILL_WAIT_MS);
    res = gateway_call(ctx, "GET", PROBE_PATH, client_tokens[0], NULL, NULL, 0);
    expect_http_status(ctx, res, 200);

    step_begin(ctx, "%d clients together over the route's %d get 503", CLIENTS,
               PROBE_ROUTE_RATE);
    wait_ms(ctx, REFILL_WAIT_MS);
    burst = CLIENTS * (PROBE_CLIENT_RATE - 1);
    for (i = 0; i < burst; i++)
        tokens[i] = client_tokens[i % CLIENTS];
    counts = gateway_burst(ctx, PROBE_PATH, tokens, burst);
    expect_true(ctx, counts.overload >= burst - PROBE_ROUTE_RATE - REFILL_SLACK,
                "at least %d of %d requests get 503 (got %d)",
                burst - PROBE_ROUTE_RATE - REFILL_SLACK, burst, counts.overload);
    expect_int_eq(ctx, "requests with 429 (no client is over its own limit)", 0,
                  counts.limited);
    expect_int_eq(ctx, "requests with another status", 0, counts.other);
}

const struct scenario gateway_rate_limits = {
    .name = "gateway-rate-limits",
    .title = "Per-client limits give 429 and recover, the route's limit gives 503",
    .tags = "gateway,krakend,ratelimit",
    .timeout_ms = 30000,
    .run = limits_run,
};

/*
 * The gateway's request counters reach Prometheus: krakend-stats-exporter
 * publishes KrakenD's statistics, and Prometheus scrapes it as job krakend.
 */
#include <stdio.h>

#include "gateway.h"

/* KrakenD collects every 15 s (local), the exporter polls every 5 s and
 * Prometheus scrapes every 15 s at most: a new count shows within a minute. */
#define METRICS_DEADLINE_MS 90000
#define METRICS_POLL_MS 2000
#define PUBLIC_PATH "/v1/gateway/public"
#define QUERY \
    "/api/v1/query?query=krakend_router_responses%7Bendpoint%3D%22%2Fv1%2Fgateway%2Fpublic%22%7D"

static void metrics_run(struct scenario_ctx *ctx)
{
    const char *prometheus = scenario_url(ctx, "PROMETHEUS");
    struct scenario_poll poll;

    step_begin(ctx, "Requests to the gateway");
    expect_http_status(ctx, http_get(ctx, gateway_url(ctx), PUBLIC_PATH), 200);

    step_begin(ctx, "Prometheus has the gateway's response counter for " PUBLIC_PATH);
    poll = scenario_poll_start(ctx, "Prometheus has krakend_router_responses for " PUBLIC_PATH,
                               METRICS_DEADLINE_MS, METRICS_POLL_MS);
    while (scenario_poll_next(ctx, &poll)) {
        const struct httpc_response *res = http_get(ctx, prometheus, QUERY);
        json_t *result;

        expect_http_status(ctx, res, 200);
        result = scenario_json_path(scenario_json(ctx, res), "data.result");
        if (json_array_size(result) > 0) {
            scenario_note(ctx, "%zu series", json_array_size(result));
            break;
        }
        scenario_poll_reason(&poll, "the query returned no series yet");
    }
}

const struct scenario gateway_metrics = {
    .name = "gateway-metrics",
    .title = "The gateway's response counters are visible in Prometheus",
    .tags = "gateway,krakend,monitoring",
    .timeout_ms = METRICS_DEADLINE_MS + 15000,
    .run = metrics_run,
};

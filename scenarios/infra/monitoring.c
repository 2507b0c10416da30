/*
 * Prometheus is ready and scrapes every configured target successfully;
 * Alertmanager is ready and Prometheus sends alerts to it.
 */
#include <stdio.h>
#include <string.h>

#include "runner/scenario.h"

/* Targets appear and get their first scrape some seconds after start. */
#define MONITORING_DEADLINE_MS 60000
#define MONITORING_POLL_MS 1000

static void expect_ready(struct scenario_ctx *ctx, const char *component,
                         const char *base)
{
    const struct httpc_response *res;

    step_begin(ctx, "%s at %s reports ready", component, base);
    res = http_get(ctx, base, "/-/ready");
    expect_http_status(ctx, res, 200);
}

/* Returns the number of targets that are not up, with the first in reason. */
static size_t count_down(json_t *targets, char *reason, size_t size)
{
    size_t down = 0, i;
    json_t *t;

    json_array_foreach(targets, i, t)
    {
        const char *health = json_string_value(json_object_get(t, "health"));

        if (health && strcmp(health, "up") == 0)
            continue;
        if (down++ == 0)
            snprintf(reason, size, "job %s at %s is %s: %s",
                     json_string_value(
                         json_object_get(json_object_get(t, "labels"), "job")),
                     json_string_value(json_object_get(t, "scrapeUrl")),
                     health ? health : "of unknown health",
                     json_string_value(json_object_get(t, "lastError")));
    }
    return down;
}

/* Settings of the metrics endpoints checkpoint 1's components expose. */
static const char *const exporter_ports[] = {
    "PROMETHEUS_PORT",     "ALERTMANAGER_PORT",        "PG_EXPORTER_PORT",
    "REDIS_EXPORTER_PORT", "RABBITMQ_PROMETHEUS_PORT",
};

/* Checks that a scrape URL of targets uses each exporter port that is set. */
static void expect_exporters(struct scenario_ctx *ctx, json_t *targets)
{
    for (size_t e = 0; e < sizeof(exporter_ports) / sizeof(*exporter_ports);
         e++) {
        const char *port = scenario_setting(ctx, exporter_ports[e]);
        char needle[32];
        json_t *t;
        size_t i;
        int found = 0;

        if (!port)
            continue; /* a profile without that exporter's port */
        snprintf(needle, sizeof(needle), ":%s/", port);
        json_array_foreach(targets, i, t)
        {
            const char *url =
                json_string_value(json_object_get(t, "scrapeUrl"));

            found = found || (url && strstr(url, needle));
        }
        expect_true(ctx, found, "Prometheus scrapes %s=%s", exporter_ports[e],
                    port);
    }
}

static void prometheus_run(struct scenario_ctx *ctx)
{
    const char *base = scenario_url(ctx, "PROMETHEUS");
    struct scenario_poll poll;
    json_t *targets = NULL;
    size_t total = 0;

    expect_ready(ctx, "Prometheus", base);

    step_begin(ctx, "Every scrape target of Prometheus is up");
    poll = scenario_poll_start(ctx, "every Prometheus scrape target is up",
                               MONITORING_DEADLINE_MS, MONITORING_POLL_MS);
    while (scenario_poll_next(ctx, &poll)) {
        const struct httpc_response *res =
            http_get(ctx, base, "/api/v1/targets?state=active");
        size_t down;

        expect_http_status(ctx, res, 200);
        targets =
            scenario_json_path(scenario_json(ctx, res), "data.activeTargets");
        total = json_array_size(targets);
        down = count_down(targets, poll.reason, sizeof(poll.reason));
        if (total > 0 && down == 0)
            break;
        if (total == 0)
            scenario_poll_reason(
                &poll, "Prometheus at %s has no active target yet", base);
        else
            scenario_note(ctx, "%zu of %zu targets not up yet, first: %s", down,
                          total, poll.reason);
    }
    scenario_note(ctx, "%zu scrape targets are up", total);

    step_begin(ctx, "Prometheus scrapes the exporter of every component");
    expect_exporters(ctx, targets);
}

const struct scenario infra_prometheus_targets = {
    .name = "prometheus-targets",
    .title = "Prometheus is ready and every scrape target is up",
    .tags = "infra,prometheus,monitoring",
    .timeout_ms = MONITORING_DEADLINE_MS + 15000,
    .run = prometheus_run,
};

static void alertmanager_run(struct scenario_ctx *ctx)
{
    const char *prometheus = scenario_url(ctx, "PROMETHEUS");
    const char *alertmanager = scenario_url(ctx, "ALERTMANAGER");
    long port = scenario_require_int(ctx, "ALERTMANAGER_PORT", 1, 65535);
    struct scenario_poll poll;
    char needle[32];

    expect_ready(ctx, "Alertmanager", alertmanager);

    step_begin(ctx, "Prometheus at %s sends alerts to Alertmanager (port %ld)",
               prometheus, port);
    snprintf(needle, sizeof(needle), ":%ld/", port);
    poll = scenario_poll_start(ctx, "Prometheus lists Alertmanager as active",
                               MONITORING_DEADLINE_MS, MONITORING_POLL_MS);
    while (scenario_poll_next(ctx, &poll)) {
        const struct httpc_response *res =
            http_get(ctx, prometheus, "/api/v1/alertmanagers");
        json_t *active, *am;
        size_t i;
        int found = 0;

        expect_http_status(ctx, res, 200);
        active = scenario_json_path(scenario_json(ctx, res),
                                    "data.activeAlertmanagers");
        json_array_foreach(active, i, am)
        {
            const char *url = json_string_value(json_object_get(am, "url"));

            found = found || (url && strstr(url, needle));
        }
        if (found)
            break;
        scenario_poll_reason(
            &poll,
            "Prometheus lists %zu active Alertmanagers, none on port %ld",
            json_array_size(active), port);
    }
}

const struct scenario infra_alertmanager_connected = {
    .name = "alertmanager-connected",
    .title = "Alertmanager is ready and Prometheus is connected to it",
    .tags = "infra,alertmanager,monitoring",
    .timeout_ms = MONITORING_DEADLINE_MS + 15000,
    .run = alertmanager_run,
};

/*
 * Prometheus is ready and scrapes every configured target successfully;
 * Alertmanager is ready and Prometheus sends alerts to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner/scenario.h"

/*
 * Targets appear and get their first scrape some seconds after start, and
 * a scrape that starts after the scenario comes within one interval (10 s
 * in stack/prometheus), so this is a few intervals.
 */
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

/*
 * Parses an RFC 3339 time as Prometheus writes it ("2026-12-04T17:01:28.57Z"
 * or with a "+01:00" offset) into seconds since the epoch; 0 when invalid.
 */
static double rfc3339_seconds(const char *text)
{
    struct tm tm;
    int fraction_len = 0, offset_h = 0, offset_m = 0;
    double fraction = 0.0, offset;
    const char *rest;
    char sign;

    memset(&tm, 0, sizeof(tm));
    if (text == NULL
        || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec)
               != 6
        || strlen(text) < 19)
        return 0.0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    rest = text + 19;
    if (*rest == '.') {
        fraction = strtod(rest, NULL);
        fraction_len = (int)strspn(rest + 1, "0123456789") + 1;
    }
    rest += fraction_len;
    sign = *rest;
    if (sign != '+' && sign != '-')
        return (double)timegm(&tm) + fraction; /* "Z" */
    if (sscanf(rest + 1, "%2d:%2d", &offset_h, &offset_m) != 2)
        return 0.0;
    offset = offset_h * 3600.0 + offset_m * 60.0;
    if (sign == '-')
        offset = -offset;
    return (double)timegm(&tm) + fraction - offset;
}

/* Seconds since the epoch on the wall clock, which Prometheus's times use. */
static double wall_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns a target's string field, or "?" when Prometheus left it out. */
static const char *target_text(json_t *target, const char *label, const char *field)
{
    json_t *owner = label ? json_object_get(target, "labels") : target;
    const char *value = json_string_value(json_object_get(owner, label ? label : field));

    return value ? value : "?";
}

/*
 * Returns the number of targets whose last scrape started before since
 * (seconds since the epoch), with the first in reason. Prometheus keeps a
 * target's last result, so only a scrape that started after the scenario
 * shows a component that stopped since.
 */
static size_t count_stale(json_t *targets, double since, char *reason,
                          size_t size)
{
    size_t stale = 0, i;
    json_t *t;

    json_array_foreach(targets, i, t)
    {
        const char *last =
            json_string_value(json_object_get(t, "lastScrape"));

        if (rfc3339_seconds(last) >= since)
            continue;
        if (stale++ == 0)
            snprintf(reason, size,
                     "job %s at %s has no scrape since the scenario began "
                     "(last scrape %s)",
                     target_text(t, "job", NULL), target_text(t, NULL, "scrapeUrl"),
                     last ? last : "unknown");
    }
    return stale;
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
                     target_text(t, "job", NULL), target_text(t, NULL, "scrapeUrl"),
                     health ? health : "of unknown health",
                     target_text(t, NULL, "lastError"));
    }
    return down;
}

/*
 * Exporters that stay up while their server is down, and the metric each
 * sets to 1 only when its last scrape reached the server. The RabbitMQ
 * plugin runs inside the broker, so its own target's health covers it.
 */
static const struct {
    const char *port_setting;
    const char *metric;
    const char *component;
} server_up_metrics[] = {
    {"REDIS_EXPORTER_PORT", "redis_up", "Redis"},
    {"PG_EXPORTER_PORT", "pg_up", "PostgreSQL"},
};

/* Checks through the query API that each exporter reached its server. */
static void expect_servers_up(struct scenario_ctx *ctx, const char *base)
{
    size_t n = sizeof(server_up_metrics) / sizeof(*server_up_metrics);

    for (size_t m = 0; m < n; m++) {
        const char *metric = server_up_metrics[m].metric;
        char path[128];
        const struct httpc_response *res;
        json_t *result, *sample;
        const char *value;

        if (!scenario_setting(ctx, server_up_metrics[m].port_setting))
            continue; /* a profile without that exporter */
        snprintf(path, sizeof(path), "/api/v1/query?query=%s", metric);
        res = http_get(ctx, base, path);
        expect_http_status(ctx, res, 200);
        result = scenario_json_path(scenario_json(ctx, res), "data.result");
        expect_true(ctx, json_array_size(result) > 0,
                    "Prometheus at %s has a %s sample", base, metric);
        sample = json_array_get(result, 0);
        value = json_string_value(
            json_array_get(json_object_get(sample, "value"), 1));
        expect_true(ctx, value && strcmp(value, "1") == 0,
                    "%s is reachable: its exporter at %s reports %s %s (expected 1)",
                    server_up_metrics[m].component,
                    json_string_value(json_object_get(
                        json_object_get(sample, "metric"), "instance")),
                    metric, value ? value : "without a value");
    }
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
    double began = wall_seconds();
    struct scenario_poll poll;
    json_t *targets = NULL;
    size_t total = 0, down = 0;

    expect_ready(ctx, "Prometheus", base);

    step_begin(ctx, "Prometheus scrapes every target after the scenario began");
    poll = scenario_poll_start(ctx, "every Prometheus target is scraped anew",
                               MONITORING_DEADLINE_MS, MONITORING_POLL_MS);
    while (scenario_poll_next(ctx, &poll)) {
        const struct httpc_response *res =
            http_get(ctx, base, "/api/v1/targets?state=active");
        size_t stale;

        expect_http_status(ctx, res, 200);
        targets =
            scenario_json_path(scenario_json(ctx, res), "data.activeTargets");
        total = json_array_size(targets);
        stale = count_stale(targets, began, poll.reason, sizeof(poll.reason));
        if (total > 0 && stale == 0)
            break;
        if (total == 0)
            scenario_poll_reason(
                &poll, "Prometheus at %s has no active target yet", base);
    }

    step_begin(ctx, "Each exporter reaches its server");
    expect_servers_up(ctx, base);

    step_begin(ctx, "Every scrape target of Prometheus is up");
    {
        char reason[sizeof(poll.reason)] = "";

        down = count_down(targets, reason, sizeof(reason));
        expect_true(ctx, down == 0, "every scrape target is up%s%s",
                    down ? "; first down: " : "", reason);
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

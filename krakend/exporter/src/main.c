/*
 * krakend-stats-exporter: serves KrakenD 1.4's statistics as Prometheus
 * metrics at /metrics on 127.0.0.1:KRAKEND_METRICS_PORT. KrakenD 1.4's own
 * Prometheus exporter (opencensus) listens on every interface, and its
 * statistics endpoint speaks JSON only, so this process polls
 * http://127.0.0.1:KRAKEND_STATS_PORT/__stats and converts (see stats.h).
 * Settings (stack/settings/$HITO_ENV.env or the environment):
 *   KRAKEND_METRICS_PORT, KRAKEND_STATS_PORT   required
 *   KRAKEND_STATS_POLL_SECONDS                 poll period (default 5, 1..300)
 * It runs until SIGINT or SIGTERM.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "hito/config.h"
#include "hito/httpc.h"
#include "hito/httpd.h"
#include "hito/log.h"
#include "hito/metrics.h"
#include "stats.h"

#define POLL_TIMEOUT_MS 2000

static volatile sig_atomic_t stop_requested;

struct poller {
    char url[64];
    long period_s;
};

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Fetches /__stats once and applies it; sets krakend_stats_up. */
static void poll_once(const struct poller *p)
{
    struct httpc_request req = {.url = p->url, .timeout_ms = POLL_TIMEOUT_MS};
    struct httpc_response res = {0};
    struct hito_error err = {0};
    json_t *stats = NULL;
    int up = 0;

    if (httpc_do(&req, &res, &err) != HITO_OK) {
        LOG_WARN("statistics request failed", "url", p->url, "error", err.message);
    } else if (res.status != 200) {
        LOG_WARN("statistics request failed", "url", p->url, "error", "status is not 200");
    } else if ((stats = json_loadb(res.body, res.body_len, 0, NULL)) == NULL) {
        LOG_WARN("statistics are not JSON", "url", p->url);
    } else {
        stats_apply(stats);
        up = 1;
    }
    metrics_set("krakend_stats_up", "", up);
    json_decref(stats);
    httpc_response_free(&res);
}

static void *poll_loop(void *arg)
{
    const struct poller *p = arg;

    while (!stop_requested) {
        long slept;

        poll_once(p);
        for (slept = 0; slept < p->period_s && !stop_requested; slept++)
            sleep(1);
    }
    return NULL;
}

static int read_settings(struct config *cfg, char *listen, size_t size, struct poller *p,
                         struct hito_error *err)
{
    long metrics_port;
    long stats_port;
    int rc;

    rc = config_load_profile(cfg, NULL, err);
    if (rc != HITO_OK && rc != HITO_ERR_NOT_FOUND)
        return rc;
    if (config_get(cfg, "KRAKEND_METRICS_PORT") == NULL ||
        config_get(cfg, "KRAKEND_STATS_PORT") == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "KRAKEND_METRICS_PORT and KRAKEND_STATS_PORT must be set");
    rc = config_get_int(cfg, "KRAKEND_METRICS_PORT", 0, 1, 65535, &metrics_port, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "KRAKEND_STATS_PORT", 0, 1, 65535, &stats_port, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "KRAKEND_STATS_POLL_SECONDS", 5, 1, 300, &p->period_s, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(listen, size, "127.0.0.1:%ld", metrics_port);
    snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%ld/__stats", stats_port);
    return HITO_OK;
}

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = {0};
    struct httpd_options opts = {.service = "krakend-stats-exporter", .threads = 4};
    struct httpd *srv = NULL;
    struct poller poller = {{0}, 0};
    pthread_t thread;
    int started = 0;
    char listen[32];
    int status = 1;

    if (cfg == NULL)
        return 1;
    log_init("krakend-stats-exporter", LOG_LEVEL_INFO, NULL);
    if (read_settings(cfg, listen, sizeof(listen), &poller, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    if (stats_define() != HITO_OK ||
        metrics_define("krakend_stats_up", "1 when the last /__stats request succeeded",
                       METRICS_GAUGE) != HITO_OK) {
        LOG_ERROR("metric definition failed");
        goto out;
    }
    opts.listen = listen;
    srv = httpd_new(&opts, &err);
    if (srv == NULL || httpd_start(srv, &err) != HITO_OK) {
        LOG_ERROR("server start failed", "listen", listen, "error", err.message);
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (pthread_create(&thread, NULL, poll_loop, &poller) != 0) {
        LOG_ERROR("poll thread creation failed");
        goto out;
    }
    started = 1;
    LOG_INFO("exporter started", "listen", listen, "source", poller.url);
    while (!stop_requested)
        pause();
    status = 0;

out:
    stop_requested = 1;
    if (started)
        pthread_join(thread, NULL);
    httpd_free(srv);
    config_free(cfg);
    return status;
}

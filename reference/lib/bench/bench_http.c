/*
 * bench_http.c - requests per second and latency of httpd replying to httpc
 * on loopback, with kept-alive connections: one client thread, then
 * BENCH_THREADS client threads. Prints one line per run.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hito/httpc.h"
#include "hito/httpd.h"
#include "hito/log.h"

#define BENCH_REQUESTS 5000
#define BENCH_THREADS 4
#define BENCH_URL_MAX 128

static char url[BENCH_URL_MAX];
static double latency_ms[BENCH_THREADS][BENCH_REQUESTS];

static void handle_item(struct httpd_req *req, void *user)
{
    (void)user;
    httpd_reply_json(req, 200, json_pack("{s:s}", "id", httpd_param(req, "id")));
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static void *client(void *arg)
{
    double *latencies = arg;
    struct httpc_request req = {0};
    struct httpc_response res;
    struct hito_error err = {0, ""};
    int i;

    req.url = url;
    for (i = 0; i < BENCH_REQUESTS; i++) {
        double start = now_s();

        if (httpc_do(&req, &res, &err) != HITO_OK || res.status != 200) {
            fprintf(stderr, "request failed: %s (status %ld)\n", err.message, res.status);
            exit(1);
        }
        httpc_response_free(&res);
        latencies[i] = (now_s() - start) * 1000.0;
    }
    return NULL;
}

/* Runs threads clients at once and prints the rate and latency percentiles. */
static void run(int threads)
{
    static double sorted[BENCH_THREADS * BENCH_REQUESTS];
    pthread_t ids[BENCH_THREADS];
    size_t total = (size_t)threads * BENCH_REQUESTS;
    double start = now_s();
    double elapsed;
    int t;

    for (t = 0; t < threads; t++)
        pthread_create(&ids[t], NULL, client, latency_ms[t]);
    for (t = 0; t < threads; t++)
        pthread_join(ids[t], NULL);
    elapsed = now_s() - start;
    memcpy(sorted, latency_ms, total * sizeof(double));
    qsort(sorted, total, sizeof(double), compare_doubles);
    printf("client threads %d: %zu requests in %.2f s = %.0f requests/s, "
           "latency p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
           threads, total, elapsed, (double)total / elapsed, sorted[total / 2],
           sorted[total * 99 / 100], sorted[total - 1]);
}

int main(void)
{
    struct httpd_options opts = {"bench", "127.0.0.1:0", BENCH_THREADS * 2, 0, NULL, NULL, 0};
    struct hito_error err = {0, ""};
    struct httpd *srv;

    log_init("bench", LOG_LEVEL_WARN, NULL);
    srv = httpd_new(&opts, &err);
    if (srv == NULL || httpd_route(srv, "GET", "/v1/items/{id}", handle_item, NULL) != HITO_OK
        || httpd_start(srv, &err) != HITO_OK) {
        fprintf(stderr, "server start failed: %s\n", err.message);
        return 1;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/items/42", httpd_port(srv));
    run(1);
    run(BENCH_THREADS);
    httpd_free(srv);
    return 0;
}

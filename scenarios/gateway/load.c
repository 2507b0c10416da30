/*
 * A short run of the load measurement of `make load` (loadtest/run, wrk on
 * loopback), whose results become the scenario's figures in the reports:
 *
 * - gateway overhead: the same GET to the echo backend directly and through
 *   KrakenD (route /v1/gateway/bench), LOAD_SECONDS each. Throughputs,
 *   latency percentiles and the throughput ratio are recorded but not
 *   checked, because they depend on the machine.
 * - overload: one client sends far more than its limit to
 *   /v1/gateway/limited for OVERLOAD_SECONDS; the accepted rate, after the
 *   bucket's initial capacity, must be within 10% of the per-client limit
 *   of the configuration KrakenD runs (run/<HITO_ENV>/krakend/krakend.json).
 *
 * It needs wrk and the stack's run folder, so it runs on the local target
 * only. The full measurement stays `make load` (about 30 s).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "gateway.h"

#define LOAD_SECONDS 3
#define OVERLOAD_SECONDS 5
/* wrk's durations bound the script; `timeout` stops it if it hangs anyway. */
#define LOAD_TIMEOUT_SECONDS 60
/* Allowed distance of the accepted rate from the limit, as a fraction. */
#define ACCEPTED_TOLERANCE 0.10
#define OUTPUT_MAX 16384
#define COMMAND_MAX 4096

/* Returns the repository, because the run folder is <repository>/run/<env>. */
static const char *repository_root(struct scenario_ctx *ctx,
                                   const char *run_dir)
{
    size_t len = strlen(run_dir);
    char *root = scenario_alloc(ctx, len + 1);
    char *slash;

    memcpy(root, run_dir, len + 1);
    for (int i = 0; i < 2; i++) {
        slash = strrchr(root, '/');
        if (slash == NULL || slash == root)
            scenario_fail(ctx, "run folder %s is not <repository>/run/<env>",
                          run_dir);
        *slash = '\0';
    }
    return root;
}

/* Fails unless s can sit between single quotes in a shell command. */
static void require_plain(struct scenario_ctx *ctx, const char *what,
                          const char *s)
{
    if (strchr(s, '\'') != NULL || strchr(s, '\n') != NULL)
        scenario_fail(ctx, "%s contains a quote or a newline: %s", what, s);
}

/*
 * Runs loadtest/run with the short durations, writing its JSON to out, and
 * records its output. Fails when it exits with a nonzero status.
 */
static void run_loadtest(struct scenario_ctx *ctx, const char *root,
                         const char *env, const char *out)
{
    char command[COMMAND_MAX];
    char *output = scenario_alloc(ctx, OUTPUT_MAX + 1);
    size_t len = 0, n;
    char chunk[512];
    double started;
    FILE *pipe;
    int status;

    require_plain(ctx, "the repository path", root);
    require_plain(ctx, "HITO_ENV", env);
    require_plain(ctx, "the output path", out);
    if (snprintf(command, sizeof(command),
                 "cd '%s' && HITO_ENV='%s' LOAD_SECONDS=%d "
                 "LOAD_OVERLOAD_SECONDS=%d LOAD_OUT='%s' timeout %d "
                 "loadtest/run 2>&1",
                 root, env, LOAD_SECONDS, OVERLOAD_SECONDS, out,
                 LOAD_TIMEOUT_SECONDS) >= (int)sizeof(command))
        scenario_fail(ctx, "the loadtest command is over %d bytes",
                      COMMAND_MAX);

    started = scenario_now_ms();
    pipe = popen(command, "r");
    if (pipe == NULL)
        scenario_fail(ctx, "cannot start loadtest/run: %s", strerror(errno));
    /* Read to the end, so the script does not block on a full pipe. */
    while ((n = fread(chunk, 1, sizeof(chunk), pipe)) > 0) {
        size_t keep = n < OUTPUT_MAX - len ? n : OUTPUT_MAX - len;

        memcpy(output + len, chunk, keep);
        len += keep;
    }
    output[len] = '\0';
    status = pclose(pipe);
    scenario_record(ctx, "loadtest/run", command, output,
                    scenario_now_ms() - started);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        scenario_fail(ctx, "loadtest/run failed (exit status %d): %s",
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1, output);
}

static void free_json(void *value)
{
    json_decref(value);
}

static json_t *load_result(struct scenario_ctx *ctx, const char *path)
{
    json_error_t jerr;
    json_t *result = json_load_file(path, 0, &jerr);

    if (result == NULL)
        scenario_fail(ctx, "cannot read %s: %s", path, jerr.text);
    scenario_defer(ctx, free_json, result);
    return result;
}

static double number_at(struct scenario_ctx *ctx, json_t *root,
                        const char *path)
{
    json_t *value = scenario_json_path(root, path);

    if (!json_is_number(value))
        scenario_fail(ctx, "the load result has no number at %s", path);
    return json_number_value(value);
}

/* Checks that every request of one wrk run got 200 without socket errors. */
static void expect_clean_run(struct scenario_ctx *ctx, json_t *run,
                             const char *what)
{
    json_t *errors = json_object_get(run, "socket_errors");
    const char *kind;
    json_t *count;

    expect_int_eq(ctx, what, (long long)number_at(ctx, run, "requests"),
                  json_integer_value(scenario_json_path(run, "statuses.200")));
    json_object_foreach(errors, kind, count) {
        expect_int_eq(ctx, kind, 0, json_integer_value(count));
    }
}

/* Attaches the throughput and latency figures of one wrk run. */
static void run_figures(struct scenario_ctx *ctx, json_t *run,
                        const char *prefix)
{
    static const char *const percentiles[] = { "p50", "p99" };
    char name[64], path[64];

    snprintf(name, sizeof(name), "%s_throughput", prefix);
    scenario_figure(ctx, name, number_at(ctx, run, "requests_per_s"),
                    "requests/s");
    for (size_t i = 0; i < 2; i++) {
        snprintf(name, sizeof(name), "%s_latency_%s", prefix, percentiles[i]);
        snprintf(path, sizeof(path), "latency_ms.%s", percentiles[i]);
        scenario_figure(ctx, name, number_at(ctx, run, path), "ms");
    }
}

static void load_run(struct scenario_ctx *ctx)
{
    const char *run_dir = scenario_run_dir(ctx);
    double limit, accepted, duration, ok, rejected;
    json_t *result, *direct, *gateway, *overload;
    size_t out_size;
    char *out;

    if (run_dir == NULL)
        scenario_skip(ctx, "wrk runs on this machine against the local stack");

    step_begin(ctx, "loadtest/run: %d s direct, %d s through KrakenD, %d s "
                    "over a client's limit",
               LOAD_SECONDS, LOAD_SECONDS, OVERLOAD_SECONDS);
    out_size = strlen(run_dir) + sizeof("/load/gateway-load.json");
    out = scenario_alloc(ctx, out_size);
    snprintf(out, out_size, "%s/load/gateway-load.json", run_dir);
    run_loadtest(ctx, repository_root(ctx, run_dir),
                 scenario_require(ctx, "HITO_ENV"), out);
    result = load_result(ctx, out);
    direct = scenario_json_path(result, "gateway_overhead.direct");
    gateway = scenario_json_path(result, "gateway_overhead.gateway");
    overload = scenario_json_path(result, "overload.run");

    step_begin(ctx, "Gateway overhead: the same GET direct and through "
                    "KrakenD");
    expect_clean_run(ctx, direct, "200s of the direct run");
    expect_clean_run(ctx, gateway, "200s of the run through KrakenD");
    run_figures(ctx, direct, "direct");
    run_figures(ctx, gateway, "gateway");
    scenario_figure(ctx, "gateway_throughput_ratio",
                    number_at(ctx, result, "gateway_overhead.throughput_ratio"),
                    "");

    step_begin(ctx, "Overload: the accepted rate is within %.0f%% of the "
                    "client's limit",
               ACCEPTED_TOLERANCE * 100);
    limit = number_at(ctx, result, "overload.client_limit_per_s");
    duration = number_at(ctx, overload, "duration_s");
    ok = (double)json_integer_value(scenario_json_path(overload,
                                                       "statuses.200"));
    rejected = (double)json_integer_value(scenario_json_path(overload,
                                                             "statuses.429"));
    expect_true(ctx, limit > 0 && duration > 0,
                "the limit (%g/s) and the duration (%g s) are positive", limit,
                duration);
    /* The bucket starts full: its capacity (the limit) passes at once. */
    accepted = (ok > limit ? ok - limit : 0) / duration;
    scenario_figure(ctx, "overload_offered_rate",
                    number_at(ctx, overload, "requests_per_s"), "requests/s");
    scenario_figure(ctx, "overload_rejected_429", rejected, "requests");
    scenario_figure(ctx, "overload_client_limit", limit, "requests/s");
    scenario_figure(ctx, "overload_accepted_rate", accepted, "requests/s");
    expect_true(ctx, rejected > 0, "the client went over its limit (%g "
                "requests got 429)", rejected);
    expect_true(ctx, fabs(accepted - limit) <= ACCEPTED_TOLERANCE * limit,
                "the accepted rate (%.2f requests/s) is within %.0f%% of "
                "the client's limit of %g/s",
                accepted, ACCEPTED_TOLERANCE * 100, limit);
}

const struct scenario gateway_load = {
    .name = "gateway-load",
    .title = "Under overload the gateway accepts a client's limit, within "
             "10%, and its overhead is measured",
    .tags = "gateway,krakend,load",
    .timeout_ms = (LOAD_TIMEOUT_SECONDS + 30) * 1000L,
    .run = load_run,
};

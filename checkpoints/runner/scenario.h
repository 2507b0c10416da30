/*
 * scenario.h - the API a checkpoint scenario is written in.
 *
 * A scenario is a C function that runs a sequence of steps against a
 * target and checks what comes back. Everything it does is recorded for
 * the reports: the steps and their durations, every check with expected
 * and actual values, and every exchange with a server (request and
 * response excerpts, elapsed time). Recorded text is redacted on entry
 * (see redact.h), so a scenario may pass secrets to these functions.
 *
 * A failed check stops the scenario: the expect_* functions, scenario_fail
 * and scenario_skip do not return (they longjmp back to the runner). Free
 * a scenario's resources through scenario_defer, which also runs when the
 * scenario stops early.
 *
 * Minimal scenario (scenarios/<area>/<name>.c), listed in its checkpoint's
 * table in checkpoints/phases.c:
 *
 *   static void run(struct scenario_ctx *ctx)
 *   {
 *       const char *base = scenario_url(ctx, "PROMETHEUS");
 *
 *       step_begin(ctx, "Prometheus reports ready");
 *       const struct httpc_response *res = http_get(ctx, base, "/-/ready");
 *       expect_http_status(ctx, res, 200);
 *   }
 *
 *   const struct scenario infra_prometheus_ready = {
 *       .name = "prometheus-ready",
 *       .title = "Prometheus is ready",
 *       .tags = "infra,prometheus",
 *       .run = run,
 *   };
 */
#ifndef HITO_CHECKPOINT_SCENARIO_H
#define HITO_CHECKPOINT_SCENARIO_H

#include <stddef.h>
#include <jansson.h>

#include "hito/httpc.h"

struct scenario_ctx;

struct scenario {
    const char *name;  /* unique, lower-case words joined by '-' */
    const char *title; /* one sentence for people */
    const char *tags;  /* comma-separated, for --tag */
    long timeout_ms;   /* 0 means SCENARIO_DEFAULT_TIMEOUT_MS */
    void (*run)(struct scenario_ctx *ctx);
};

#define SCENARIO_DEFAULT_TIMEOUT_MS 60000

/*
 * Starts a new step; the previous one ends. Steps are what a report shows
 * as the scenario's outline, so name them after what is verified.
 */
void step_begin(struct scenario_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds a free-text line to the current step. */
void scenario_note(struct scenario_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Attaches a measured figure to the scenario, e.g.
 * scenario_figure(ctx, "accepted_rate", 7.9, "requests/s"). The reports
 * show a scenario's figures as a table (name, value, unit), in JSON as
 * "figures" and in JUnit XML as testcase properties "figure.<name>". The
 * current step also gets a note with the figure. Name and unit are
 * copied; unit may be NULL or "". A value that is not finite (NaN, an
 * infinity) fails the scenario, because JSON cannot carry it. At most
 * RESULT_MAX_FIGURES (result.h) per scenario; more are counted, not kept.
 */
void scenario_figure(struct scenario_ctx *ctx, const char *name, double value,
                     const char *unit);

/* Stops the scenario as failed with a message. */
_Noreturn void scenario_fail(struct scenario_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Stops the scenario as skipped, with the reason. Skips do not pass a gate. */
_Noreturn void scenario_skip(struct scenario_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Registers fn(arg) to run when the scenario ends, whether it passed or
 * stopped early; deferred calls run in reverse order. They run after the
 * scenario function has returned or stopped, so arg must not point into
 * its stack frame: keep such state in scenario_alloc memory. At most
 * SCENARIO_MAX_DEFERRED; more fail the scenario after running fn(arg).
 */
#define SCENARIO_MAX_DEFERRED 32
void scenario_defer(struct scenario_ctx *ctx, void (*fn)(void *), void *arg);

/*
 * Returns size zeroed bytes that live until the scenario's deferred calls
 * have run; out of memory fails the scenario.
 */
void *scenario_alloc(struct scenario_ctx *ctx, size_t size);

/* --- Settings of the target --------------------------------------------- */

/* Returns a setting of the target profile, or NULL when it is not set. */
const char *scenario_setting(struct scenario_ctx *ctx, const char *key);

/* Like scenario_setting, but a missing setting fails the scenario. */
const char *scenario_require(struct scenario_ctx *ctx, const char *key);

/* Reads an integer setting within [min, max]; anything else fails. */
long scenario_require_int(struct scenario_ctx *ctx, const char *key, long min,
                          long max);

/*
 * Returns "http://<host>:<port>" for a component: <NAME>_URL when set,
 * else <NAME>_HOST (default HITO_HOST) and <NAME>_PORT. Fails the scenario
 * when neither form is set. The string lives as long as the scenario.
 */
const char *scenario_url(struct scenario_ctx *ctx, const char *name);

/* Returns the host of a component: <NAME>_HOST, else HITO_HOST, else fails. */
const char *scenario_host(struct scenario_ctx *ctx, const char *name);

/* Returns nonzero when the target is this machine's stack (target local). */
int scenario_target_is_local(const struct scenario_ctx *ctx);

/*
 * Returns the absolute path of the local stack's run folder (run/$HITO_ENV
 * of the repository), or NULL for other targets.
 */
const char *scenario_run_dir(const struct scenario_ctx *ctx);

/* Calls fn for every setting key, in file order, with its value. */
void scenario_each_setting(struct scenario_ctx *ctx,
                           void (*fn)(const char *key, const char *value,
                                      void *arg),
                           void *arg);

/* --- Time --------------------------------------------------------------- */

/* Milliseconds left before the scenario's time-out (at least 1). */
long scenario_remaining_ms(const struct scenario_ctx *ctx);

/* Fails the scenario when its time-out has passed. */
void scenario_check_deadline(struct scenario_ctx *ctx);

/*
 * Polling for eventual results, bounded by a deadline:
 *
 *   struct scenario_poll poll =
 *       scenario_poll_start(ctx, "the key expires", 5000, 100);
 *   while (scenario_poll_next(ctx, &poll)) {
 *       if (done)
 *           break;
 *       scenario_poll_reason(&poll, "PTTL is still %lld ms", ttl);
 *   }
 *
 * scenario_poll_next returns 1 at once on the first call, and after
 * sleeping interval_ms on the later ones. Once the deadline or the
 * scenario's time-out has passed, it fails the scenario with what, the
 * time waited, the attempt count and the last reason. The record keeps
 * what the first and the latest attempt did, and counts the others.
 */
#define SCENARIO_POLL_REASON_MAX 512
struct scenario_poll {
    const char *what;
    long timeout_ms;
    long interval_ms;
    double started_ms;
    int attempts;
    char reason[SCENARIO_POLL_REASON_MAX];
    size_t step;      /* the step the polling records into */
    size_t first_end; /* events of that step up to the first attempt's end */
};

struct scenario_poll scenario_poll_start(struct scenario_ctx *ctx,
                                         const char *what, long timeout_ms,
                                         long interval_ms);
int scenario_poll_next(struct scenario_ctx *ctx, struct scenario_poll *poll);
void scenario_poll_reason(struct scenario_poll *poll, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- Recording exchanges that do not go through http_* ------------------ */

/*
 * Records one exchange with a server: summary (e.g. "redis SET"), what was
 * sent and what came back (excerpts are cut to SCENARIO_EXCERPT_MAX bytes),
 * and how long it took. Either text may be NULL.
 */
#define SCENARIO_EXCERPT_MAX 4096
void scenario_record(struct scenario_ctx *ctx, const char *summary,
                     const char *sent, const char *received, double elapsed_ms);

/* Monotonic milliseconds, for timing an exchange passed to scenario_record. */
double scenario_now_ms(void);

/* --- HTTP ---------------------------------------------------------------- */

/*
 * Sends a request and records it. A transport failure (refused, timed out)
 * fails the scenario with the URL and the reason; any HTTP status is
 * returned. The request's timeout is capped at scenario_remaining_ms. The
 * response lives until the scenario ends.
 */
const struct httpc_response *http_request(struct scenario_ctx *ctx,
                                          const struct httpc_request *req);

/* Like http_request, but returns NULL (recorded) on a transport failure. */
const struct httpc_response *http_try(struct scenario_ctx *ctx,
                                      const struct httpc_request *req,
                                      char *reason, size_t reason_size);

/* GET base + path, with http_request's failure rules. */
const struct httpc_response *http_get(struct scenario_ctx *ctx,
                                      const char *base, const char *path);

/*
 * Parses a response body as JSON; invalid JSON fails the scenario. The
 * value lives until the scenario ends (do not decref it).
 */
json_t *scenario_json(struct scenario_ctx *ctx,
                      const struct httpc_response *res);

/*
 * Returns the value at a dotted path such as "data.activeTargets.0.health"
 * (numbers index arrays), or NULL when the path does not exist.
 */
json_t *scenario_json_path(json_t *root, const char *path);

/* --- Checks --------------------------------------------------------------
 * Each check is recorded with what was expected and what was found; a
 * failed one stops the scenario with "<what>: expected <e>, got <a>". The
 * macros add the source location to the record.
 */
#define expect_true(ctx, cond, ...) \
    expect_true_at((ctx), __FILE__, __LINE__, (cond) != 0, __VA_ARGS__)
#define expect_int_eq(ctx, what, expected, actual) \
    expect_int_eq_at((ctx), __FILE__, __LINE__, (what), (expected), (actual))
#define expect_str_eq(ctx, what, expected, actual) \
    expect_str_eq_at((ctx), __FILE__, __LINE__, (what), (expected), (actual))
#define expect_str_contains(ctx, what, haystack, needle)                  \
    expect_str_contains_at((ctx), __FILE__, __LINE__, (what), (haystack), \
                           (needle))
#define expect_http_status(ctx, res, status) \
    expect_http_status_at((ctx), __FILE__, __LINE__, (res), (status))
#define expect_json_str(ctx, root, path, expected) \
    expect_json_str_at((ctx), __FILE__, __LINE__, (root), (path), (expected))
#define expect_json_int(ctx, root, path, expected) \
    expect_json_int_at((ctx), __FILE__, __LINE__, (root), (path), (expected))
#define expect_json_array(ctx, root, path, min_size) \
    expect_json_array_at((ctx), __FILE__, __LINE__, (root), (path), (min_size))
/* Checks a hito function's result: rc must be HITO_OK, else err's message. */
#define expect_ok(ctx, what, rc, err) \
    expect_ok_at((ctx), __FILE__, __LINE__, (what), (rc), (err))

void expect_true_at(struct scenario_ctx *ctx, const char *file, int line,
                    int cond, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void expect_int_eq_at(struct scenario_ctx *ctx, const char *file, int line,
                      const char *what, long long expected, long long actual);
void expect_str_eq_at(struct scenario_ctx *ctx, const char *file, int line,
                      const char *what, const char *expected,
                      const char *actual);
void expect_str_contains_at(struct scenario_ctx *ctx, const char *file,
                            int line, const char *what, const char *haystack,
                            const char *needle);
void expect_http_status_at(struct scenario_ctx *ctx, const char *file, int line,
                           const struct httpc_response *res, long status);
void expect_json_str_at(struct scenario_ctx *ctx, const char *file, int line,
                        json_t *root, const char *path, const char *expected);
void expect_json_int_at(struct scenario_ctx *ctx, const char *file, int line,
                        json_t *root, const char *path, long long expected);
/* Returns the array at path after checking it has at least min_size items. */
json_t *expect_json_array_at(struct scenario_ctx *ctx, const char *file,
                             int line, json_t *root, const char *path,
                             size_t min_size);
struct hito_error;
void expect_ok_at(struct scenario_ctx *ctx, const char *file, int line,
                  const char *what, int rc, const struct hito_error *err);

#endif

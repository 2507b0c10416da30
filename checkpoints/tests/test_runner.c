/*
 * The runner end to end against a profile whose ports are all closed, so
 * every scenario fails fast with "connection refused" on loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "runner/gate.h"
#include "runner/runner.h"

struct fixture {
    char dir[64];
    char profile[128];
    char reports[128];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char path[256];
    FILE *f;

    snprintf(fx->dir, sizeof(fx->dir), "/tmp/hito-runner-test-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->profile, sizeof(fx->profile), "%s/closed.env", fx->dir);
    snprintf(fx->reports, sizeof(fx->reports), "%s/reports", fx->dir);
    f = fopen(fx->profile, "w");
    fputs(
        "HITO_HOST=127.0.0.1\nPG_PORT=1\nREDIS_PORT=1\nAMQP_PORT=1\nPROMETHEUS_"
        "PORT=1\n"
        "ALERTMANAGER_PORT=1\nPG_DATABASES=otp\nSECRETS_FILE=closed.secrets\n",
        f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/closed.secrets", fx->dir);
    f = fopen(path, "w");
    fputs("PG_PASSWORD_OTP=pg-secret-1\nREDIS_PASSWORD=redis-secret-1\nAMQP_"
          "USER=u\n"
          "AMQP_PASSWORD=amqp-secret-1\nAMQP_VHOST=v\n",
          f);
    fclose(f);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char command[128];

    snprintf(command, sizeof(command), "rm -rf '%s'", fx->dir);
    free(fx);
    return system(command) == 0 ? 0 : -1;
}

static struct runner_options options(const struct fixture *fx, int checkpoint)
{
    struct runner_options opts = { 0 };

    opts.checkpoint = checkpoint;
    opts.root = ".";
    opts.env = "unit";
    opts.target = fx->profile;
    opts.reports = fx->reports;
    return opts;
}

static json_t *load_state(const struct fixture *fx)
{
    char path[256];
    struct hito_error err = { 0 };
    json_t *state = NULL;

    snprintf(path, sizeof(path), "%s/closed/state.json", fx->reports);
    assert_int_equal(access(path, R_OK), 0);
    assert_int_equal(gate_load(path, &state, &err), 0);
    return state;
}

static void runner_failure_is_recorded(void **state)
{
    struct fixture *fx = *state;
    struct runner_options opts = options(fx, 1);
    char path[256];
    json_t *gate;

    assert_int_equal(runner_run(&opts), RUNNER_EXIT_FAILED);
    snprintf(path, sizeof(path), "%s/closed/checkpoint-1/report.html",
             fx->reports);
    assert_int_equal(access(path, R_OK), 0);
    snprintf(path, sizeof(path), "%s/index.html", fx->reports);
    assert_int_equal(access(path, R_OK), 0);
    gate = load_state(fx);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(gate, "checkpoints"), "1"),
            "outcome")),
        "failed");
    json_decref(gate);
}

static void runner_gate_stops_next(void **state)
{
    struct fixture *fx = *state;
    struct runner_options opts = options(fx, 2);
    char path[256];

    if (!phases_find(2))
        skip();
    assert_int_equal(runner_run(&opts), RUNNER_EXIT_GATED);
    snprintf(path, sizeof(path), "%s/closed/checkpoint-2", fx->reports);
    assert_int_not_equal(access(path, F_OK), 0);
}

static void runner_partial_run_keeps_state(void **state)
{
    struct fixture *fx = *state;
    struct runner_options opts = options(fx, 1);
    char path[256];

    snprintf(path, sizeof(path), "%s/closed/state.json", fx->reports);
    unlink(path);
    opts.scenario = "redis-expiry";
    assert_int_equal(runner_run(&opts), RUNNER_EXIT_FAILED);
    assert_int_not_equal(access(path, F_OK), 0);
}

static void runner_rejects_unknown_input(void **state)
{
    struct fixture *fx = *state;
    struct runner_options opts = options(fx, 99);

    assert_int_equal(runner_run(&opts), RUNNER_EXIT_USAGE);
    opts = options(fx, 1);
    opts.tag = "no-such-tag";
    assert_int_equal(runner_run(&opts), RUNNER_EXIT_USAGE);
    opts = options(fx, 1);
    opts.target = "/nonexistent/profile.env";
    assert_int_equal(runner_run(&opts), RUNNER_EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runner_failure_is_recorded),
        cmocka_unit_test(runner_gate_stops_next),
        cmocka_unit_test(runner_partial_run_keeps_state),
        cmocka_unit_test(runner_rejects_unknown_input),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

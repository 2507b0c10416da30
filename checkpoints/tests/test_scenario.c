#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "runner/scenario.h"
#include "runner/scenario_run.h"
#include "runner/target.h"

static struct target *target;
static int cleanups;
static int reached_after_failure;

static int setup(void **state)
{
    char path[] = "/tmp/hito-scenario-test-XXXXXX";
    char secrets[64];
    struct hito_error err = { 0 };
    int fd = mkstemp(path);
    FILE *f;

    (void)state;
    if (fd < 0)
        return -1;
    snprintf(secrets, sizeof(secrets), "%s.secrets", path);
    f = fdopen(fd, "w");
    fprintf(f,
            "HITO_HOST=127.0.0.1\nWEB_PORT=8080\nAPI_URL=http://api.test\n"
            "BAD_PORT=eighty\nSECRETS_FILE=%s\n",
            secrets);
    fclose(f);
    f = fopen(secrets, "w");
    fputs("WEB_PASSWORD=very-secret-pw\n", f);
    fclose(f);
    if (target_load(path, "/", "unit", &target, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    unlink(path);
    unlink(secrets);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    target_free(target);
    return 0;
}

static void count_cleanup(void *arg)
{
    (void)arg;
    cleanups++;
}

static void run_scenario(void (*fn)(struct scenario_ctx *), long timeout_ms,
                         struct scenario_result *out)
{
    struct scenario s = { .name = "unit",
                          .title = "Unit",
                          .tags = "t",
                          .run = fn,
                          .timeout_ms = timeout_ms };

    assert_int_equal(scenario_execute(&s, target, out), 0);
}

static void passing(struct scenario_ctx *ctx)
{
    step_begin(ctx, "First step");
    scenario_note(ctx, "hello %d", 1);
    expect_int_eq(ctx, "count", 2, 2);
    step_begin(ctx, "Second step");
    expect_str_contains(ctx, "text", "hello world", "world");
}

static void scenario_pass_records_steps(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(passing, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_PASS);
    assert_null(r.message);
    assert_int_equal(r.step_count, 2);
    assert_string_equal(r.steps[0].title, "First step");
    assert_int_equal(r.steps[0].event_count, 2);
    assert_int_equal(r.steps[0].events[0].kind, EVENT_NOTE);
    assert_string_equal(r.steps[0].events[0].text, "hello 1");
    assert_int_equal(r.steps[0].events[1].kind, EVENT_CHECK);
    assert_true(r.steps[0].events[1].passed);
    assert_string_equal(r.steps[0].events[1].expected, "2");
    assert_true(r.duration_ms >= 0);
    scenario_result_clear(&r);
}

static void failing(struct scenario_ctx *ctx)
{
    scenario_defer(ctx, count_cleanup, NULL);
    step_begin(ctx, "Compare");
    expect_int_eq(ctx, "replies", 1, 2);
    reached_after_failure = 1;
}

static void scenario_fail_stops_and_cleans_up(void **state)
{
    struct scenario_result r;

    (void)state;
    cleanups = 0;
    reached_after_failure = 0;
    run_scenario(failing, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_FAIL);
    assert_string_equal(r.message, "replies: expected 1, got 2");
    assert_non_null(strstr(r.location, "test_scenario.c:"));
    assert_int_equal(r.steps[0].outcome, OUTCOME_FAIL);
    assert_false(r.steps[0].events[0].passed);
    assert_string_equal(r.steps[0].events[0].actual, "2");
    assert_int_equal(reached_after_failure, 0);
    assert_int_equal(cleanups, 1);
    scenario_result_clear(&r);
}

static void skipping(struct scenario_ctx *ctx)
{
    scenario_skip(ctx, "not on %s", "this target");
}

static void scenario_skip_records_reason(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(skipping, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_SKIP);
    assert_string_equal(r.message, "not on this target");
    scenario_result_clear(&r);
}

static void polling_forever(struct scenario_ctx *ctx)
{
    struct scenario_poll poll =
        scenario_poll_start(ctx, "the flag is set", 150, 20);

    while (scenario_poll_next(ctx, &poll))
        scenario_poll_reason(&poll, "flag is %d", 0);
}

static void scenario_poll_times_out(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(polling_forever, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_FAIL);
    assert_non_null(strstr(r.message, "the flag is set: not reached after"));
    assert_non_null(strstr(r.message, "flag is 0"));
    assert_true(r.duration_ms >= 140);
    scenario_result_clear(&r);
}

static void scenario_poll_keeps_first_and_latest(void **state)
{
    struct scenario_result r;
    struct step *step;

    (void)state;
    run_scenario(polling_forever, 0, &r);
    step = &r.steps[0];
    /* start note, "attempts not shown" note, failure check */
    assert_int_equal(step->event_count, 3);
    assert_non_null(strstr(step->events[0].text, "waiting up to 150 ms"));
    assert_non_null(
        strstr(step->events[1].text, "attempts after the first are not shown"));
    assert_int_equal(step->events[2].kind, EVENT_CHECK);
    scenario_result_clear(&r);
}

static void scenario_timeout_stops_polling(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(polling_forever, 50, &r);
    assert_int_equal(r.outcome, OUTCOME_FAIL);
    assert_true(r.duration_ms < 140);
    scenario_result_clear(&r);
}

static void settings(struct scenario_ctx *ctx)
{
    step_begin(ctx, "Settings");
    expect_str_eq(ctx, "WEB url", "http://127.0.0.1:8080",
                  scenario_url(ctx, "WEB"));
    expect_str_eq(ctx, "API url", "http://api.test", scenario_url(ctx, "API"));
    expect_true(ctx, scenario_setting(ctx, "NOPE") == NULL, "NOPE is unset");
    expect_int_eq(ctx, "WEB_PORT", 8080,
                  scenario_require_int(ctx, "WEB_PORT", 1, 65535));
    scenario_require_int(ctx, "BAD_PORT", 1, 65535);
}

static void scenario_settings_lookup(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(settings, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_FAIL);
    assert_non_null(strstr(r.message, "BAD_PORT=\"eighty\""));
    assert_int_equal(r.steps[0].event_count, 5);
    scenario_result_clear(&r);
}

static void leaking(struct scenario_ctx *ctx)
{
    scenario_note(ctx, "password is very-secret-pw");
    scenario_record(ctx, "login", "{\"password\":\"x\"}", "Bearer abc", 1);
    scenario_fail(ctx, "login as very-secret-pw failed");
}

static void scenario_records_are_redacted(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(leaking, 0, &r);
    assert_string_equal(r.steps[0].events[0].text, "password is [REDACTED]");
    assert_string_equal(r.steps[0].events[1].sent,
                        "{\"password\":\"[REDACTED]\"}");
    assert_string_equal(r.steps[0].events[1].received, "Bearer [REDACTED]");
    assert_string_equal(r.message, "login as [REDACTED] failed");
    scenario_result_clear(&r);
}

static void refused(struct scenario_ctx *ctx)
{
    struct httpc_request req = { .url = "http://127.0.0.1:1/",
                                 .timeout_ms = 2000 };
    char reason[256] = "";

    step_begin(ctx, "Connection refused");
    expect_true(ctx, http_try(ctx, &req, reason, sizeof(reason)) == NULL,
                "refused");
    expect_true(ctx, reason[0] != '\0', "a reason is given");
    http_request(ctx, &req);
}

static void scenario_http_failure_names_url(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(refused, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_FAIL);
    assert_non_null(strstr(r.message, "GET http://127.0.0.1:1/ failed"));
    assert_int_equal(r.steps[0].events[0].kind, EVENT_EXCHANGE);
    assert_non_null(
        strstr(r.steps[0].events[0].text, "GET http://127.0.0.1:1/ -> "));
    scenario_result_clear(&r);
}

static void sending_secrets(struct scenario_ctx *ctx)
{
    static const char *const headers[] = { "Authorization: Bearer tok.en.value",
                                           "Accept: application/json", NULL };
    static const char body[] = "{\"user\":\"bob\",\"password\":\"hunter2\"}";
    struct httpc_request req = { .method = "POST",
                                 .url = "http://127.0.0.1:1/login",
                                 .headers = headers,
                                 .body = body,
                                 .body_len = sizeof(body) - 1,
                                 .timeout_ms = 2000 };

    step_begin(ctx, "Send secrets");
    http_try(ctx, &req, NULL, 0);
}

static void scenario_http_record_is_redacted(void **state)
{
    struct scenario_result r;
    const char *sent;

    (void)state;
    run_scenario(sending_secrets, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_PASS);
    sent = r.steps[0].events[0].sent;
    assert_non_null(strstr(sent, "POST http://127.0.0.1:1/login"));
    assert_non_null(strstr(sent, "Authorization: [REDACTED]"));
    assert_non_null(strstr(sent, "Accept: application/json"));
    assert_non_null(strstr(sent, "\"password\":\"[REDACTED]\""));
    assert_null(strstr(sent, "tok.en.value"));
    assert_null(strstr(sent, "hunter2"));
    scenario_result_clear(&r);
}

static void scenario_json_path_lookup(void **state)
{
    json_t *root =
        json_loads("{\"data\":{\"items\":[{\"health\":\"up\"}]}}", 0, NULL);

    (void)state;
    assert_string_equal(
        json_string_value(scenario_json_path(root, "data.items.0.health")),
        "up");
    assert_null(scenario_json_path(root, "data.items.1.health"));
    assert_null(scenario_json_path(root, "data.missing"));
    assert_null(scenario_json_path(root, "data.items.x"));
    json_decref(root);
}

static void measuring(struct scenario_ctx *ctx)
{
    step_begin(ctx, "Measure");
    scenario_figure(ctx, "rate", 7.5, "requests/s");
    scenario_figure(ctx, "ratio", 0.97, NULL);
    for (int i = 0; i < RESULT_MAX_FIGURES; i++)
        scenario_figure(ctx, "extra", i, "");
}

static void scenario_figure_records_values(void **state)
{
    struct scenario_result r;

    (void)state;
    run_scenario(measuring, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_PASS);
    assert_int_equal(r.figure_count, RESULT_MAX_FIGURES);
    assert_int_equal(r.dropped_figures, 2);
    assert_string_equal(r.figures[0].name, "rate");
    assert_true(r.figures[0].value == 7.5);
    assert_string_equal(r.figures[0].unit, "requests/s");
    assert_string_equal(r.figures[1].name, "ratio");
    assert_string_equal(r.figures[1].unit, "");
    assert_string_equal(r.steps[0].events[0].text,
                        "figure: rate = 7.5 requests/s");
    assert_string_equal(r.steps[0].events[1].text, "figure: ratio = 0.97");
    scenario_result_clear(&r);
}

static void measuring_nan(struct scenario_ctx *ctx)
{
    scenario_figure(ctx, "ratio", 0.0 / 0.0, "");
    reached_after_failure = 1;
}

static void scenario_figure_rejects_nan(void **state)
{
    struct scenario_result r;

    (void)state;
    reached_after_failure = 0;
    run_scenario(measuring_nan, 0, &r);
    assert_int_equal(r.outcome, OUTCOME_FAIL);
    assert_string_equal(r.message, "figure ratio is not a finite number");
    assert_int_equal(r.figure_count, 0);
    assert_false(reached_after_failure);
    scenario_result_clear(&r);
}

static void scenario_clean_text_is_valid(void **state)
{
    char *out;

    (void)state;
    out = scenario_clean_text(NULL, "ok\xff\x01\n\xc3\xa9", 7, 100);
    assert_string_equal(out, "ok??\n\xc3\xa9");
    free(out);
    out = scenario_clean_text(NULL, "abcdef", 6, 3);
    assert_string_equal(out, "abc\n[... 3 more bytes not recorded]");
    free(out);
    out = scenario_clean_text(NULL, "a\xc3\xa9", 3, 2);
    assert_string_equal(out, "a\n[... 2 more bytes not recorded]");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario_pass_records_steps),
        cmocka_unit_test(scenario_fail_stops_and_cleans_up),
        cmocka_unit_test(scenario_skip_records_reason),
        cmocka_unit_test(scenario_poll_times_out),
        cmocka_unit_test(scenario_poll_keeps_first_and_latest),
        cmocka_unit_test(scenario_timeout_stops_polling),
        cmocka_unit_test(scenario_settings_lookup),
        cmocka_unit_test(scenario_records_are_redacted),
        cmocka_unit_test(scenario_http_failure_names_url),
        cmocka_unit_test(scenario_http_record_is_redacted),
        cmocka_unit_test(scenario_json_path_lookup),
        cmocka_unit_test(scenario_clean_text_is_valid),
        cmocka_unit_test(scenario_figure_records_values),
        cmocka_unit_test(scenario_figure_rejects_nan),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

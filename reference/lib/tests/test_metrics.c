/* Unit tests of metrics.c: the exact text exposition format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hito/err.h"
#include "hito/metrics.h"

static int reset(void **state)
{
    (void)state;
    metrics_reset();
    return 0;
}

static void render_counter_and_gauge(void **state)
{
    char *text;

    (void)state;
    assert_int_equal(metrics_define("jobs_total", "Jobs done.", METRICS_COUNTER), HITO_OK);
    assert_int_equal(metrics_define("queue_depth", "Messages\nwaiting \\ now.", METRICS_GAUGE),
                     HITO_OK);
    metrics_add("jobs_total", "kind=\"a\"", 1);
    metrics_add("jobs_total", "kind=\"a\"", 2);
    metrics_add("jobs_total", "kind=\"b\"", 0.5);
    metrics_set("queue_depth", "", 7);
    metrics_set("queue_depth", "", 3);
    text = metrics_render();
    assert_string_equal(text, "# HELP jobs_total Jobs done.\n"
                              "# TYPE jobs_total counter\n"
                              "jobs_total{kind=\"a\"} 3\n"
                              "jobs_total{kind=\"b\"} 0.5\n"
                              "# HELP queue_depth Messages\\nwaiting \\\\ now.\n"
                              "# TYPE queue_depth gauge\n"
                              "queue_depth 3\n");
    free(text);
}

static void render_histogram_cumulative(void **state)
{
    char *text;

    (void)state;
    metrics_define("latency_seconds", "Latency.", METRICS_HISTOGRAM);
    metrics_observe("latency_seconds", "route=\"/a\"", 0.0004);
    metrics_observe("latency_seconds", "route=\"/a\"", 0.003);
    metrics_observe("latency_seconds", "route=\"/a\"", 0.003);
    metrics_observe("latency_seconds", "route=\"/a\"", 20);
    text = metrics_render();
    assert_string_equal(text,
                        "# HELP latency_seconds Latency.\n"
                        "# TYPE latency_seconds histogram\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.0005\"} 1\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.001\"} 1\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.0025\"} 1\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.005\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.01\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.025\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.05\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.25\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"0.5\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"2.5\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"5\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"10\"} 3\n"
                        "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
                        "latency_seconds_sum{route=\"/a\"} 20.0064\n"
                        "latency_seconds_count{route=\"/a\"} 4\n");
    free(text);
}

static void render_histogram_without_labels(void **state)
{
    char *text;

    (void)state;
    metrics_define("wait_seconds", "Wait.", METRICS_HISTOGRAM);
    metrics_observe("wait_seconds", "", 1);
    text = metrics_render();
    assert_non_null(strstr(text, "\nwait_seconds_bucket{le=\"1\"} 1\n"));
    assert_non_null(strstr(text, "\nwait_seconds_bucket{le=\"0.5\"} 0\n"));
    assert_non_null(strstr(text, "\nwait_seconds_sum 1\n"));
    assert_non_null(strstr(text, "\nwait_seconds_count 1\n"));
    free(text);
}

static void define_conflicting_type(void **state)
{
    (void)state;
    assert_int_equal(metrics_define("x_total", "X.", METRICS_COUNTER), HITO_OK);
    assert_int_equal(metrics_define("x_total", "X.", METRICS_COUNTER), HITO_OK);
    assert_int_equal(metrics_define("x_total", "X.", METRICS_GAUGE), HITO_ERR_CONFLICT);
}

static void update_ignores_unknown_and_wrong_type(void **state)
{
    char *text;

    (void)state;
    metrics_define("y_total", "Y.", METRICS_COUNTER);
    metrics_add("unknown_total", "", 1);
    metrics_observe("y_total", "", 1);
    text = metrics_render();
    assert_string_equal(text, "# HELP y_total Y.\n# TYPE y_total counter\n");
    free(text);
}

static void escape_label_value(void **state)
{
    char out[32];
    char small[4];

    (void)state;
    assert_int_equal(metrics_escape_label("a\"b\\c\nd", out, sizeof(out)), 0);
    assert_string_equal(out, "a\\\"b\\\\c\\nd");
    assert_int_equal(metrics_escape_label("abcdef", small, sizeof(small)), -1);
    assert_string_equal(small, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(render_counter_and_gauge, reset),
        cmocka_unit_test_setup(render_histogram_cumulative, reset),
        cmocka_unit_test_setup(render_histogram_without_labels, reset),
        cmocka_unit_test_setup(define_conflicting_type, reset),
        cmocka_unit_test_setup(update_ignores_unknown_and_wrong_type, reset),
        cmocka_unit_test(escape_label_value),
    };

    return cmocka_run_group_tests(tests, NULL, reset);
}

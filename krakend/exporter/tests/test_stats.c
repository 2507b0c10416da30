/*
 * test_stats.c - parsing of KrakenD 1.4 statistic keys and their export as
 * Prometheus gauges. The keys are copied from a KrakenD 1.4.1 /__stats reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "hito/metrics.h"
#include "stats.h"

static void parse_response_key(void **state)
{
    struct stats_sample s;

    (void)state;
    assert_int_equal(stats_parse_key("krakend.router.response./v1/gateway/echo.status.413.count",
                                     &s), HITO_OK);
    assert_int_equal(s.kind, STATS_RESPONSES);
    assert_string_equal(s.endpoint, "/v1/gateway/echo");
    assert_string_equal(s.status, "413");
}

static void parse_proxy_key(void **state)
{
    struct stats_sample s;

    (void)state;
    assert_int_equal(stats_parse_key("krakend.proxy.requests.layer.pipe.name."
                                     "/v1/deliveries/{{.Id}}.complete.true.error.false", &s),
                     HITO_OK);
    assert_int_equal(s.kind, STATS_PROXY_REQUESTS);
    assert_string_equal(s.layer, "pipe");
    assert_string_equal(s.endpoint, "/v1/deliveries/{{.Id}}");
    assert_int_equal(s.complete, 1);
    assert_int_equal(s.error, 0);
}

static void parse_connection_keys(void **state)
{
    struct stats_sample s;

    (void)state;
    assert_int_equal(stats_parse_key("krakend.router.connected-total", &s), HITO_OK);
    assert_int_equal(s.kind, STATS_CONNECTIONS);
    assert_int_equal(s.connected, 1);
    assert_int_equal(stats_parse_key("krakend.router.disconnected-total", &s), HITO_OK);
    assert_int_equal(s.connected, 0);
}

static void parse_skips_other_keys(void **state)
{
    struct stats_sample s;

    (void)state;
    assert_int_equal(stats_parse_key("krakend.service.runtime.MemStats.Alloc", &s),
                     HITO_ERR_NOT_FOUND);
    assert_int_equal(stats_parse_key("krakend.router.response./x.status.200.max", &s),
                     HITO_ERR_NOT_FOUND);
    assert_int_equal(stats_parse_key("krakend.router.response..status.200.count", &s),
                     HITO_ERR_NOT_FOUND);
    assert_int_equal(stats_parse_key("krakend.proxy.requests.layer.pipe.name./x.complete.true",
                                     &s), HITO_ERR_NOT_FOUND);
    assert_int_equal(stats_parse_key("cmdline", &s), HITO_ERR_NOT_FOUND);
}

static void apply_sets_gauges(void **state)
{
    json_t *stats = json_pack("{s:[s], s:i, s:i, s:f, s:s}", "cmdline", "krakend",
                              "krakend.router.response./v1/otp/issue.status.429.count", 7,
                              "krakend.router.connected-total", 3,
                              "krakend.service.runtime.MemStats.Alloc", 1.5,
                              "krakend.router.response./v1/x.status.200.count", "NaN");
    char *text;

    (void)state;
    metrics_reset();
    assert_int_equal(stats_define(), HITO_OK);
    assert_int_equal(stats_apply(stats), 2);
    text = metrics_render();
    assert_non_null(text);
    assert_non_null(strstr(text, "krakend_router_responses{endpoint=\"/v1/otp/issue\","
                                 "status=\"429\"} 7"));
    assert_non_null(strstr(text, "krakend_router_connections{state=\"connected\"} 3"));
    assert_null(strstr(text, "MemStats"));
    free(text);
    json_decref(stats);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_response_key),
        cmocka_unit_test(parse_proxy_key),
        cmocka_unit_test(parse_connection_keys),
        cmocka_unit_test(parse_skips_other_keys),
        cmocka_unit_test(apply_sets_gauges),
    };

    return cmocka_run_group_tests_name("krakend_stats", tests, NULL, NULL);
}

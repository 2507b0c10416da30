/*
 * test_echo.c - the echo backend's control parsing, and its replies from a
 * real httpd server on a loopback port chosen by the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "echo.h"
#include "hito/httpc.h"
#include "hito/httpd.h"

#define TEST_MAX_BODY 1024

struct fixture {
    struct httpd *srv;
    char base[64];
};

static int server_up(void **state)
{
    struct httpd_options opts = {
        .service = "echo-test", .listen = "127.0.0.1:0", .threads = 4,
        .max_body_bytes = TEST_MAX_BODY,
    };
    struct hito_error err = {0};
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->srv = httpd_new(&opts, &err);
    if (f->srv == NULL)
        return -1;
    httpd_set_not_found(f->srv, echo_handle, NULL);
    if (httpd_start(f->srv, &err) != HITO_OK)
        return -1;
    snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", httpd_port(f->srv));
    *state = f;
    return 0;
}

static int server_down(void **state)
{
    struct fixture *f = *state;

    httpd_free(f->srv);
    free(f);
    return 0;
}

/* Sends one request to the fixture's server; the body is parsed as JSON. */
static json_t *send_request(const struct fixture *f, const char *method, const char *path,
                            const char *const *headers, const char *body, size_t body_len,
                            long *status)
{
    char url[256];
    struct httpc_request req = {
        .method = method, .url = url, .headers = headers, .body = body, .body_len = body_len,
    };
    struct httpc_response res = {0};
    struct hito_error err = {0};
    json_t *parsed = NULL;

    snprintf(url, sizeof(url), "%s%s", f->base, path);
    if (httpc_do(&req, &res, &err) == HITO_OK) {
        *status = res.status;
        parsed = json_loadb(res.body, res.body_len, 0, NULL);
    }
    httpc_response_free(&res);
    return parsed;
}

static void control_parse_defaults(void **state)
{
    struct echo_control c = {.delay_ms = -1, .status = -1};

    (void)state;
    assert_int_equal(echo_control_parse(NULL, NULL, &c, NULL), HITO_OK);
    assert_int_equal(c.delay_ms, 0);
    assert_int_equal(c.status, 200);
}

static void control_parse_values(void **state)
{
    struct echo_control c;

    (void)state;
    assert_int_equal(echo_control_parse("250", "503", &c, NULL), HITO_OK);
    assert_int_equal(c.delay_ms, 250);
    assert_int_equal(c.status, 503);
}

static void control_parse_rejects_invalid(void **state)
{
    struct echo_control c = {.delay_ms = 7, .status = 201};
    struct hito_error err = {0};

    (void)state;
    assert_int_equal(echo_control_parse("5001", NULL, &c, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "5001"));
    assert_int_equal(echo_control_parse("-1", NULL, &c, NULL), HITO_ERR_INVALID);
    assert_int_equal(echo_control_parse("12ms", NULL, &c, NULL), HITO_ERR_INVALID);
    assert_int_equal(echo_control_parse(NULL, "99", &c, NULL), HITO_ERR_INVALID);
    assert_int_equal(echo_control_parse(NULL, "600", &c, NULL), HITO_ERR_INVALID);
    assert_int_equal(echo_control_parse(NULL, "", &c, NULL), HITO_ERR_INVALID);
    assert_int_equal(c.delay_ms, 7);
    assert_int_equal(c.status, 201);
}

static void echo_describes_request(void **state)
{
    const char *headers[] = {
        "X-User-Id: user-1", "X-Request-Id: req-42", "Authorization: Bearer abc",
        "Content-Type: application/json", "X-Not-Echoed: 1", NULL,
    };
    long status = 0;
    json_t *reply = send_request(*state, "POST", "/v1/otp/issue?a=1&b=2", headers,
                                 "{\"k\":1}", 7, &status);
    json_t *h;

    assert_non_null(reply);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(reply, "method")), "POST");
    assert_string_equal(json_string_value(json_object_get(reply, "path")), "/v1/otp/issue");
    assert_string_equal(json_string_value(json_object_get(reply, "query")), "a=1&b=2");
    assert_string_equal(json_string_value(json_object_get(reply, "request_id")), "req-42");
    assert_int_equal(json_integer_value(json_object_get(reply, "body_bytes")), 7);
    assert_true(json_is_true(json_object_get(reply, "has_authorization")));
    h = json_object_get(reply, "headers");
    assert_string_equal(json_string_value(json_object_get(h, "X-User-Id")), "user-1");
    assert_string_equal(json_string_value(json_object_get(h, "Content-Type")),
                        "application/json");
    assert_null(json_object_get(h, "X-Not-Echoed"));
    assert_null(json_object_get(h, "Authorization"));
    json_decref(reply);
}

static void echo_status_from_query(void **state)
{
    long status = 0;
    json_t *reply = send_request(*state, "GET", "/x?echo_status=503", NULL, NULL, 0, &status);

    assert_non_null(reply);
    assert_int_equal(status, 503);
    json_decref(reply);
}

static void echo_status_from_header(void **state)
{
    const char *headers[] = {"X-Echo-Status: 418", NULL};
    long status = 0;
    json_t *reply = send_request(*state, "GET", "/x", headers, NULL, 0, &status);

    assert_non_null(reply);
    assert_int_equal(status, 418);
    json_decref(reply);
}

static void echo_delay_waits(void **state)
{
    struct timespec start;
    struct timespec end;
    long status = 0;
    double elapsed_ms;
    json_t *reply;

    clock_gettime(CLOCK_MONOTONIC, &start);
    reply = send_request(*state, "GET", "/x?echo_delay_ms=300", NULL, NULL, 0, &status);
    clock_gettime(CLOCK_MONOTONIC, &end);
    elapsed_ms = (double)(end.tv_sec - start.tv_sec) * 1e3 +
                 (double)(end.tv_nsec - start.tv_nsec) / 1e6;
    assert_non_null(reply);
    assert_int_equal(status, 200);
    assert_true(elapsed_ms >= 300.0);
    json_decref(reply);
}

static void echo_invalid_control_400(void **state)
{
    long status = 0;
    json_t *reply = send_request(*state, "GET", "/x?echo_delay_ms=60000", NULL, NULL, 0,
                                 &status);

    assert_non_null(reply);
    assert_int_equal(status, 400);
    json_decref(reply);
}

static void echo_body_over_limit_413(void **state)
{
    static char body[TEST_MAX_BODY + 1];
    long status = 0;
    json_t *reply;

    memset(body, 'a', sizeof(body));
    reply = send_request(*state, "POST", "/x", NULL, body, sizeof(body), &status);
    assert_int_equal(status, 413);
    json_decref(reply);
}

static void echo_body_at_limit_200(void **state)
{
    static char body[TEST_MAX_BODY];
    long status = 0;
    json_t *reply;

    memset(body, 'a', sizeof(body));
    reply = send_request(*state, "POST", "/x", NULL, body, sizeof(body), &status);
    assert_non_null(reply);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(reply, "body_bytes")), TEST_MAX_BODY);
    json_decref(reply);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(control_parse_defaults),
        cmocka_unit_test(control_parse_values),
        cmocka_unit_test(control_parse_rejects_invalid),
    };
    const struct CMUnitTest served[] = {
        cmocka_unit_test(echo_describes_request),
        cmocka_unit_test(echo_status_from_query),
        cmocka_unit_test(echo_status_from_header),
        cmocka_unit_test(echo_delay_waits),
        cmocka_unit_test(echo_invalid_control_400),
        cmocka_unit_test(echo_body_over_limit_413),
        cmocka_unit_test(echo_body_at_limit_200),
    };
    int failed = cmocka_run_group_tests_name("echo_control", pure, NULL, NULL);

    failed += cmocka_run_group_tests_name("echo_server", served, server_up, server_down);
    return failed == 0 ? 0 : 1;
}

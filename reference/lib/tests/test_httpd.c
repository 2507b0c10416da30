/* Unit tests of httpd.c against a real server on an ephemeral loopback port. */
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

#include "hito/httpc.h"
#include "hito/httpd.h"
#include "hito/json_guard.h"
#include "hito/log.h"
#include "hito/metrics.h"
#include "test_server.h"
#include "test_nested_json.h"

#define TEST_MAX_BODY 1024
#define URL_MAX 2048
#define LOG_PATH_MAX 64
#define LOG_WAIT_STEPS 100
/* Body limit and request time-out of the second server, which takes deep JSON and slow clients. */
#define TEST_LARGE_MAX_BODY (256 * 1024)
#define TEST_SHORT_TIMEOUT_MS 500
/* Deep enough to overflow a worker thread's stack if jansson parsed it. */
#define TEST_CRASH_DEPTH 100000

struct fixture {
    struct httpd *srv;
    int port;
    int ready;
    FILE *log;
    char log_path[LOG_PATH_MAX];
};

static struct fixture fx;

static void handle_user(struct httpd_req *req, void *user)
{
    (void)user;
    httpd_reply_json(req, 200, json_pack("{s:s, s:s}", "id", httpd_param(req, "id"), "grant",
                                         httpd_param(req, "grant")));
}

static void handle_echo(struct httpd_req *req, void *user)
{
    json_t *body = httpd_body_json(req);

    (void)user;
    if (body == NULL)
        return;
    httpd_reply_json(req, 201, body);
}

static void handle_raw_length(struct httpd_req *req, void *user)
{
    size_t len = 0;

    (void)user;
    httpd_body(req, &len);
    httpd_reply_json(req, 200, json_pack("{s:I}", "length", (json_int_t)len));
}

static void handle_query(struct httpd_req *req, void *user)
{
    char value[64];

    (void)user;
    if (httpd_query(req, "q", value, sizeof(value)) < 0)
        snprintf(value, sizeof(value), "(absent)");
    httpd_set_header(req, "X-Test", "yes");
    httpd_reply(req, 200, "text/plain", value, strlen(value));
}

static void handle_silent(struct httpd_req *req, void *user)
{
    (void)req;
    (void)user;
}

static int check_ready(void *user, char *reason, size_t size)
{
    struct fixture *f = user;

    if (f->ready)
        return 0;
    snprintf(reason, size, "database unreachable");
    return -1;
}

static int server_up(void **state)
{
    struct httpd_options opts = {"test", "127.0.0.1:0", 8, TEST_MAX_BODY, check_ready, &fx, 0};
    struct hito_error err = {0, ""};

    (void)state;
    snprintf(fx.log_path, sizeof(fx.log_path), "/tmp/hito-test-httpd-%d.log", (int)getpid());
    fx.log = fopen(fx.log_path, "w+");
    log_init("test", LOG_LEVEL_INFO, fx.log);
    metrics_reset();
    fx.ready = 1;
    fx.srv = httpd_new(&opts, &err);
    if (fx.srv == NULL)
        return -1;
    httpd_route(fx.srv, "GET", "/v1/users/{id}/grants/{grant}", handle_user, NULL);
    httpd_route(fx.srv, "POST", "/v1/echo", handle_echo, NULL);
    httpd_route(fx.srv, "PUT", "/v1/echo", handle_echo, NULL);
    httpd_route(fx.srv, "POST", "/v1/length", handle_raw_length, NULL);
    httpd_route(fx.srv, "GET", "/v1/query", handle_query, NULL);
    httpd_route(fx.srv, "*", "/v1/silent", handle_silent, NULL);
    fx.port = test_server_start(fx.srv);
    return fx.port > 0 ? 0 : -1;
}

static int server_down(void **state)
{
    (void)state;
    httpd_free(fx.srv);
    log_init("hito", LOG_LEVEL_INFO, NULL);
    fclose(fx.log);
    unlink(fx.log_path);
    return 0;
}

/* Sends method path with an optional body and headers; asserts that it got a response. */
static void call(const char *method, const char *path, const char *const *headers,
                 const char *body, struct httpc_response *res)
{
    char url[URL_MAX];
    struct hito_error err = {0, ""};
    struct httpc_request req = {0};

    test_server_url(url, sizeof(url), fx.port, path);
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    assert_int_equal(httpc_do(&req, res, &err), HITO_OK);
}

static json_t *body_json(const struct httpc_response *res)
{
    json_t *value = json_loadb(res->body, res->body_len, 0, NULL);

    assert_non_null(value);
    return value;
}

static const char *error_code(json_t *body)
{
    return json_string_value(json_object_get(json_object_get(body, "error"), "code"));
}

static void route_captures_params(void **state)
{
    struct httpc_response res;
    json_t *body;

    (void)state;
    call("GET", "/v1/users/ana%20maria/grants/orders", NULL, NULL, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(httpc_response_header(&res, "Content-Type"), "application/json");
    body = body_json(&res);
    assert_string_equal(json_string_value(json_object_get(body, "id")), "ana maria");
    assert_string_equal(json_string_value(json_object_get(body, "grant")), "orders");
    json_decref(body);
    httpc_response_free(&res);
}

static void long_path_parameter_gets_414(void **state)
{
    char path[1200];
    struct httpc_response res;
    json_t *body;

    (void)state;
    memcpy(path, "/v1/users/", 10);
    memset(path + 10, 'a', 1100);
    strcpy(path + 1110, "/grants/orders");
    call("GET", path, NULL, NULL, &res);
    assert_int_equal(res.status, 414);
    body = body_json(&res);
    assert_string_equal(error_code(body), "uri_too_long");
    json_decref(body);
    httpc_response_free(&res);
}

static void unknown_path_gets_404(void **state)
{
    struct httpc_response res;
    json_t *body;
    json_t *error;

    (void)state;
    call("GET", "/v1/users/ana", NULL, NULL, &res);
    assert_int_equal(res.status, 404);
    body = body_json(&res);
    error = json_object_get(body, "error");
    assert_string_equal(error_code(body), "not_found");
    assert_non_null(json_string_value(json_object_get(error, "message")));
    assert_string_equal(json_string_value(json_object_get(error, "request_id")),
                        httpc_response_header(&res, "X-Request-Id"));
    json_decref(body);
    httpc_response_free(&res);
}

static void wrong_method_gets_405_with_allow(void **state)
{
    struct httpc_response res;
    json_t *body;

    (void)state;
    call("DELETE", "/v1/echo", NULL, NULL, &res);
    assert_int_equal(res.status, 405);
    assert_string_equal(httpc_response_header(&res, "Allow"), "POST, PUT");
    body = body_json(&res);
    assert_string_equal(error_code(body), "method_not_allowed");
    json_decref(body);
    httpc_response_free(&res);
}

static void json_body_echoed(void **state)
{
    static const char *const headers[] = {"Content-Type: application/json; charset=utf-8", NULL};
    struct httpc_response res;

    (void)state;
    call("POST", "/v1/echo", headers, "{\"a\":[1,2]}", &res);
    assert_int_equal(res.status, 201);
    assert_string_equal(res.body, "{\"a\":[1,2]}");
    httpc_response_free(&res);
}

static void non_json_body_gets_415(void **state)
{
    static const char *const headers[] = {"Content-Type: text/plain", NULL};
    struct httpc_response res;
    json_t *body;

    (void)state;
    call("POST", "/v1/echo", headers, "{}", &res);
    assert_int_equal(res.status, 415);
    body = body_json(&res);
    assert_string_equal(error_code(body), "unsupported_media_type");
    json_decref(body);
    httpc_response_free(&res);
}

static void invalid_json_gets_400(void **state)
{
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    struct httpc_response res;
    json_t *body;

    (void)state;
    call("POST", "/v1/echo", headers, "{\"a\":", &res);
    assert_int_equal(res.status, 400);
    body = body_json(&res);
    assert_string_equal(error_code(body), "invalid_json");
    json_decref(body);
    httpc_response_free(&res);
    call("POST", "/v1/echo", headers, "[1]", &res);
    assert_int_equal(res.status, 400);
    httpc_response_free(&res);
}

/* Formats {"a":[[...]]} nested depth levels deep in all. */
static char *nested_object(size_t depth)
{
    char *inner = test_nested_json(depth - 1, '[', ']');
    size_t size = strlen(inner) + 8;
    char *text = malloc(size);

    assert_non_null(text);
    snprintf(text, size, "{\"a\":%s}", inner);
    free(inner);
    return text;
}

static void deep_json_body_gets_400(void **state)
{
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    char *at_limit = nested_object(JSON_GUARD_MAX_DEPTH);
    char *over_limit = nested_object(JSON_GUARD_MAX_DEPTH + 1);
    struct httpc_response res;
    json_t *body;

    (void)state;
    call("POST", "/v1/echo", headers, at_limit, &res);
    assert_int_equal(res.status, 201);
    httpc_response_free(&res);
    call("POST", "/v1/echo", headers, over_limit, &res);
    assert_int_equal(res.status, 400);
    body = body_json(&res);
    assert_string_equal(error_code(body), "invalid_json");
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(body, "error"),
                                                             "message")),
                           "deeper than 64"));
    json_decref(body);
    httpc_response_free(&res);
    free(at_limit);
    free(over_limit);
}

static struct httpd *second_server(int *port)
{
    struct httpd_options opts = {"test", "127.0.0.1:0", 4, TEST_LARGE_MAX_BODY, NULL, NULL,
                                 TEST_SHORT_TIMEOUT_MS};
    struct hito_error err = {0, ""};
    struct httpd *srv = httpd_new(&opts, &err);

    assert_non_null(srv);
    assert_int_equal(httpd_route(srv, "POST", "/v1/echo", handle_echo, NULL), 0);
    *port = test_server_start(srv);
    assert_true(*port > 0);
    return srv;
}

static void very_deep_json_no_crash(void **state)
{
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    char *text = test_nested_json(TEST_CRASH_DEPTH, '[', ']');
    char url[URL_MAX];
    struct hito_error err = {0, ""};
    struct httpc_request req = {0};
    struct httpc_response res;
    int port;
    struct httpd *srv = second_server(&port);

    (void)state;
    test_server_url(url, sizeof(url), port, "/v1/echo");
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = text;
    req.body_len = strlen(text);
    assert_int_equal(httpc_do(&req, &res, &err), HITO_OK);
    assert_int_equal(res.status, 400);
    httpc_response_free(&res);
    httpd_free(srv);
    free(text);
}

static void half_sent_request_dropped(void **state)
{
    static const char head[] = "POST /v1/echo HTTP/1.1\r\nHost: test\r\n";
    static const char body[] = "POST /v1/echo HTTP/1.1\r\nHost: test\r\n"
                               "Content-Type: application/json\r\nContent-Length: 100\r\n"
                               "\r\n{\"a\":";
    char reply[TEST_RAW_REPLY_MAX];
    int port;
    struct httpd *srv = second_server(&port);

    (void)state;
    /* Both return before TEST_RAW_TIMEOUT_S only if the server closes the connection. */
    assert_true(test_raw_exchange(port, head, sizeof(head) - 1, reply, sizeof(reply)) >= 0);
    assert_null(strstr(reply, " 200 "));
    assert_true(test_raw_exchange(port, body, sizeof(body) - 1, reply, sizeof(reply)) >= 0);
    assert_null(strstr(reply, " 201 "));
    httpd_free(srv);
}

static void body_at_limit_accepted(void **state)
{
    char body[TEST_MAX_BODY + 1];
    struct httpc_response res;
    json_t *reply;

    (void)state;
    memset(body, 'x', TEST_MAX_BODY);
    body[TEST_MAX_BODY] = '\0';
    call("POST", "/v1/length", NULL, body, &res);
    assert_int_equal(res.status, 200);
    reply = body_json(&res);
    assert_int_equal(json_integer_value(json_object_get(reply, "length")), TEST_MAX_BODY);
    json_decref(reply);
    httpc_response_free(&res);
}

static void body_over_limit_gets_413(void **state)
{
    char body[TEST_MAX_BODY + 2];
    struct httpc_response res;

    (void)state;
    memset(body, 'x', TEST_MAX_BODY + 1);
    body[TEST_MAX_BODY + 1] = '\0';
    call("POST", "/v1/length", NULL, body, &res);
    assert_int_equal(res.status, 413);
    httpc_response_free(&res);
}

/*
 * The head announces 100 MB and no body follows, so a server that read the
 * body before replying would keep the connection open until the client times out.
 */
static void declared_length_rejected_before_body(void **state)
{
    static const char request[] = "POST /v1/length HTTP/1.1\r\nHost: test\r\n"
                                  "Content-Length: 100000000\r\n\r\n";
    char reply[TEST_RAW_REPLY_MAX];
    long n;

    (void)state;
    n = test_raw_exchange(fx.port, request, sizeof(request) - 1, reply, sizeof(reply));
    assert_true(n > 0);
    assert_non_null(strstr(reply, "HTTP/1.1 413 "));
    assert_non_null(strstr(reply, "Connection: close"));
    assert_non_null(strstr(reply, "\"payload_too_large\""));
}

static void expect_continue_gets_full_reply(void **state)
{
    static const char request[] = "POST /v1/length HTTP/1.1\r\nHost: test\r\n"
                                  "Expect: 100-continue\r\nContent-Length: 5\r\n"
                                  "Connection: close\r\n\r\nhello";
    char reply[TEST_RAW_REPLY_MAX];
    long n;

    (void)state;
    n = test_raw_exchange(fx.port, request, sizeof(request) - 1, reply, sizeof(reply));
    assert_true(n > 0);
    /* The first bytes must be the final status line, not an interim one. */
    assert_int_equal(strncmp(reply, "HTTP/1.1 200 ", 13), 0);
    assert_non_null(strstr(reply, "Content-Length: "));
}

static void too_many_headers_get_431(void **state)
{
    char request[8192];
    char reply[TEST_RAW_REPLY_MAX];
    size_t len;
    long n;
    int i;

    (void)state;
    len = (size_t)snprintf(request, sizeof(request), "POST /v1/length HTTP/1.1\r\nHost: test\r\n");
    for (i = 0; i < 70; i++)
        len += (size_t)snprintf(request + len, sizeof(request) - len, "X-Filler-%d: %d\r\n", i, i);
    /* Past civetweb's table, so it would be dropped: the body would look like a request. */
    len += (size_t)snprintf(request + len, sizeof(request) - len,
                            "Content-Length: 37\r\n\r\nGET /healthz HTTP/1.1\r\nHost: test\r\n\r\n");
    n = test_raw_exchange(fx.port, request, len, reply, sizeof(reply));
    assert_true(n > 0);
    assert_int_equal(strncmp(reply, "HTTP/1.1 431 ", 13), 0);
    assert_non_null(strstr(reply, "Connection: close"));
    /* The reply contains one response only, because the smuggled GET gets none. */
    assert_null(strstr(reply + 1, "HTTP/1.1 "));
}

static void chunked_body_over_limit_gets_413(void **state)
{
    char request[4096];
    char chunk[601];
    char reply[TEST_RAW_REPLY_MAX];
    int len;
    long n;

    (void)state;
    memset(chunk, 'y', 600);
    chunk[600] = '\0';
    len = snprintf(request, sizeof(request),
                   "POST /v1/length HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "258\r\n%s\r\n258\r\n%s\r\n258\r\n%s\r\n0\r\n\r\n",
                   chunk, chunk, chunk);
    n = test_raw_exchange(fx.port, request, (size_t)len, reply, sizeof(reply));
    assert_true(n > 0);
    assert_non_null(strstr(reply, "HTTP/1.1 413 "));
    assert_non_null(strstr(reply, "Connection: close"));
}

static void chunked_body_within_limit_read(void **state)
{
    static const char request[] = "POST /v1/length HTTP/1.1\r\nHost: test\r\n"
                                  "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    char reply[TEST_RAW_REPLY_MAX];
    long n;

    (void)state;
    n = test_raw_exchange(fx.port, request, sizeof(request) - 1, reply, sizeof(reply));
    assert_true(n > 0);
    assert_non_null(strstr(reply, "HTTP/1.1 200 "));
    assert_non_null(strstr(reply, "{\"length\":11}"));
}

static void request_id_echoed(void **state)
{
    static const char *const given[] = {"X-Request-Id: abc-123_XYZ", NULL};
    struct httpc_response res;

    (void)state;
    call("GET", "/healthz", given, NULL, &res);
    assert_string_equal(httpc_response_header(&res, "X-Request-Id"), "abc-123_XYZ");
    httpc_response_free(&res);
}

static void invalid_request_id_replaced(void **state)
{
    char long_header[200];
    const char *headers[] = {long_header, NULL};
    static const char *const spaced[] = {"X-Request-Id: two words", NULL};
    struct httpc_response res;
    const char *id;

    (void)state;
    snprintf(long_header, sizeof(long_header), "X-Request-Id: %0129d", 7);
    call("GET", "/healthz", headers, NULL, &res);
    id = httpc_response_header(&res, "X-Request-Id");
    assert_non_null(id);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[14], '4');
    httpc_response_free(&res);
    call("GET", "/healthz", spaced, NULL, &res);
    assert_int_equal(strlen(httpc_response_header(&res, "X-Request-Id")), 36);
    httpc_response_free(&res);
    call("GET", "/healthz", NULL, NULL, &res);
    assert_int_equal(strlen(httpc_response_header(&res, "X-Request-Id")), 36);
    httpc_response_free(&res);
}

static void query_and_extra_header(void **state)
{
    struct httpc_response res;

    (void)state;
    call("GET", "/v1/query?x=1&q=caf%C3%A9+au+lait", NULL, NULL, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "café au lait");
    assert_string_equal(httpc_response_header(&res, "X-Test"), "yes");
    httpc_response_free(&res);
}

static void handler_without_reply_gets_500(void **state)
{
    struct httpc_response res;

    (void)state;
    call("GET", "/v1/silent", NULL, NULL, &res);
    assert_int_equal(res.status, 500);
    httpc_response_free(&res);
}

static void healthz_ok(void **state)
{
    struct httpc_response res;

    (void)state;
    call("GET", "/healthz", NULL, NULL, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "{\"status\":\"ok\"}");
    httpc_response_free(&res);
}

static void readyz_reports_reason(void **state)
{
    struct httpc_response res;
    json_t *body;

    (void)state;
    call("GET", "/readyz", NULL, NULL, &res);
    assert_int_equal(res.status, 200);
    httpc_response_free(&res);
    fx.ready = 0;
    call("GET", "/readyz", NULL, NULL, &res);
    fx.ready = 1;
    assert_int_equal(res.status, 503);
    body = body_json(&res);
    assert_string_equal(json_string_value(json_object_get(body, "reason")),
                        "database unreachable");
    json_decref(body);
    httpc_response_free(&res);
}

static void metrics_count_by_route_pattern(void **state)
{
    struct httpc_response res;

    (void)state;
    call("GET", "/v1/users/u1/grants/g1", NULL, NULL, &res);
    httpc_response_free(&res);
    call("GET", "/v1/users/u2/grants/g2", NULL, NULL, &res);
    httpc_response_free(&res);
    call("GET", "/metrics", NULL, NULL, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(httpc_response_header(&res, "Content-Type"),
                        "text/plain; version=0.0.4; charset=utf-8");
    /* Two here, one in route_captures_params. */
    assert_non_null(strstr(res.body, "http_requests_total{service=\"test\","
                                     "route=\"/v1/users/{id}/grants/{grant}\",method=\"GET\","
                                     "status=\"200\"} 3\n"));
    assert_non_null(strstr(res.body, "http_request_duration_seconds_count{service=\"test\","
                                     "route=\"/v1/users/{id}/grants/{grant}\","
                                     "method=\"GET\"} 3\n"));
    assert_non_null(strstr(res.body, "route=\"unmatched\",method=\"GET\",status=\"404\"}"));
    /* body_over_limit_gets_413 counted its 413 under the route pattern. */
    assert_non_null(strstr(res.body, "route=\"/v1/length\",method=\"POST\",status=\"413\"}"));
    assert_null(strstr(res.body, "/v1/users/u1"));
    assert_non_null(strstr(res.body, "# TYPE http_request_duration_seconds histogram\n"));
    httpc_response_free(&res);
}

/* Returns the access-log line of path, waiting for the server thread to write it. */
static char *find_access_log(const char *path_field)
{
    static char line[4096];
    int step;

    for (step = 0; step < LOG_WAIT_STEPS; step++) {
        FILE *f = fopen(fx.log_path, "r");

        while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
            if (strstr(line, path_field) != NULL && strstr(line, "\"msg\":\"request\"") != NULL) {
                fclose(f);
                return line;
            }
        }
        if (f != NULL)
            fclose(f);
        usleep(10000);
    }
    return NULL;
}

static void access_log_redacts_secrets(void **state)
{
    static const char *const headers[] = {"Authorization: Bearer sekrit-bearer",
                                          "X-Request-Id: log-check-1", NULL};
    struct httpc_response res;
    json_t *event;
    char *line;

    (void)state;
    call("GET", "/v1/query?q=1&access_token=sekrit-query&Password=sekrit2", headers, NULL, &res);
    httpc_response_free(&res);
    line = find_access_log("\"request_id\":\"log-check-1\"");
    assert_non_null(line);
    assert_null(strstr(line, "sekrit"));
    event = json_loads(line, 0, NULL);
    assert_non_null(event);
    assert_string_equal(json_string_value(json_object_get(event, "method")), "GET");
    assert_string_equal(json_string_value(json_object_get(event, "path")), "/v1/query");
    assert_string_equal(json_string_value(json_object_get(event, "query")),
                        "q=1&access_token=[REDACTED]&Password=[REDACTED]");
    assert_string_equal(json_string_value(json_object_get(event, "status")), "200");
    assert_string_equal(json_string_value(json_object_get(event, "bytes")), "1");
    assert_string_equal(json_string_value(json_object_get(event, "remote")), "127.0.0.1");
    assert_non_null(json_object_get(event, "duration_ms"));
    json_decref(event);
}

static void passed_probes_not_logged(void **state)
{
    static const char *const passed[] = {"X-Request-Id: probe-passed-1", NULL};
    static const char *const failed[] = {"X-Request-Id: probe-failed-1", NULL};
    static const char *const later[] = {"X-Request-Id: probe-later-1", NULL};
    struct httpc_response res;

    (void)state;
    call("GET", "/readyz", passed, NULL, &res);
    assert_int_equal(res.status, 200);
    httpc_response_free(&res);
    fx.ready = 0;
    call("GET", "/readyz", failed, NULL, &res);
    fx.ready = 1;
    assert_int_equal(res.status, 503);
    httpc_response_free(&res);
    call("GET", "/v1/query", later, NULL, &res);
    httpc_response_free(&res);
    /* Requests on one connection are logged in order, so the later one comes last. */
    assert_non_null(find_access_log("\"request_id\":\"probe-later-1\""));
    assert_non_null(find_access_log("\"request_id\":\"probe-failed-1\""));
    assert_null(find_access_log("\"request_id\":\"probe-passed-1\""));
}

static void start_on_taken_port_fails(void **state)
{
    char listen[64];
    struct httpd_options opts = {"dup", listen, 2, 0, NULL, NULL, 0};
    struct hito_error err = {0, ""};
    struct httpd *other;

    (void)state;
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", fx.port);
    other = httpd_new(&opts, &err);
    assert_non_null(other);
    assert_int_equal(httpd_start(other, &err), HITO_ERR_IO);
    assert_non_null(strstr(err.message, listen));
    httpd_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(route_captures_params),
        cmocka_unit_test(long_path_parameter_gets_414),
        cmocka_unit_test(unknown_path_gets_404),
        cmocka_unit_test(wrong_method_gets_405_with_allow),
        cmocka_unit_test(json_body_echoed),
        cmocka_unit_test(non_json_body_gets_415),
        cmocka_unit_test(invalid_json_gets_400),
        cmocka_unit_test(body_at_limit_accepted),
        cmocka_unit_test(body_over_limit_gets_413),
        cmocka_unit_test(declared_length_rejected_before_body),
        cmocka_unit_test(chunked_body_over_limit_gets_413),
        cmocka_unit_test(chunked_body_within_limit_read),
        cmocka_unit_test(request_id_echoed),
        cmocka_unit_test(invalid_request_id_replaced),
        cmocka_unit_test(query_and_extra_header),
        cmocka_unit_test(handler_without_reply_gets_500),
        cmocka_unit_test(healthz_ok),
        cmocka_unit_test(readyz_reports_reason),
        cmocka_unit_test(metrics_count_by_route_pattern),
        cmocka_unit_test(access_log_redacts_secrets),
        cmocka_unit_test(start_on_taken_port_fails),
        cmocka_unit_test(passed_probes_not_logged),
        cmocka_unit_test(expect_continue_gets_full_reply),
        cmocka_unit_test(too_many_headers_get_431),
        cmocka_unit_test(deep_json_body_gets_400),
        cmocka_unit_test(very_deep_json_no_crash),
        cmocka_unit_test(half_sent_request_dropped),
    };

    return cmocka_run_group_tests(tests, server_up, server_down);
}

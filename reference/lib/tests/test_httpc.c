/* Unit tests of httpc.c against an httpd started by the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "hito/httpc.h"
#include "hito/httpd.h"
#include "hito/log.h"
#include "test_server.h"

#define URL_MAX 256
#define SLOW_REPLY_MS 1000

static struct httpd *srv;
static int port;

static void handle_echo_request(struct httpd_req *req, void *user)
{
    char text[1024];
    const char *auth = httpd_header(req, "Authorization");
    const char *custom = httpd_header(req, "X-Custom");
    size_t len = 0;
    const char *body = httpd_body(req, &len);
    int head;

    (void)user;
    /* The body is copied as bytes, because it may contain NUL. */
    head = snprintf(text, sizeof(text), "%s|%s|%s|", httpd_method(req), auth ? auth : "-",
                    custom ? custom : "-");
    assert_true(head > 0 && (size_t)head + len <= sizeof(text));
    memcpy(text + head, body, len);
    httpd_set_header(req, "X-Reply", "two words");
    httpd_reply(req, 200, "text/plain", text, (size_t)head + len);
}

static void handle_slow(struct httpd_req *req, void *user)
{
    struct timespec pause = {SLOW_REPLY_MS / 1000, (SLOW_REPLY_MS % 1000) * 1000000L};

    (void)user;
    nanosleep(&pause, NULL);
    httpd_reply(req, 200, "text/plain", "late", 4);
}

static void handle_huge(struct httpd_req *req, void *user)
{
    size_t len = (size_t)HTTPC_MAX_BODY + 1;
    char *body = malloc(len);

    (void)user;
    memset(body, 'z', len);
    httpd_reply(req, 200, "application/octet-stream", body, len);
    free(body);
}

/* Replies with the request id the server received (the given or a generated one). */
static void handle_request_id(struct httpd_req *req, void *user)
{
    const char *id = httpd_request_id(req);

    (void)user;
    httpd_reply(req, 200, "text/plain", id, strlen(id));
}

static void handle_length(struct httpd_req *req, void *user)
{
    char text[32];
    size_t len = 0;

    (void)user;
    httpd_body(req, &len);
    snprintf(text, sizeof(text), "%zu", len);
    httpd_reply(req, 200, "text/plain", text, strlen(text));
}

static void handle_redirect(struct httpd_req *req, void *user)
{
    (void)user;
    httpd_set_header(req, "Location", "/echo");
    httpd_reply(req, 302, "text/plain", "", 0);
}

static int server_up(void **state)
{
    struct httpd_options opts = {"httpc-test", "127.0.0.1:0", 8, 0, NULL, NULL, 0};
    struct hito_error err = {0, ""};

    (void)state;
    log_init("httpc-test", LOG_LEVEL_WARN, NULL);
    srv = httpd_new(&opts, &err);
    if (srv == NULL)
        return -1;
    httpd_route(srv, "*", "/echo", handle_echo_request, NULL);
    httpd_route(srv, "GET", "/slow", handle_slow, NULL);
    httpd_route(srv, "GET", "/huge", handle_huge, NULL);
    httpd_route(srv, "GET", "/redirect", handle_redirect, NULL);
    httpd_route(srv, "GET", "/request-id", handle_request_id, NULL);
    httpd_route(srv, "POST", "/length", handle_length, NULL);
    port = test_server_start(srv);
    return port > 0 ? 0 : -1;
}

static int server_down(void **state)
{
    (void)state;
    httpd_free(srv);
    return 0;
}

/* One request to the test server and its outcome. */
struct exchange {
    char url[URL_MAX];
    struct httpc_request req;
    struct httpc_response res;
    struct hito_error err;
};

/* Prepares a GET of path on the test server. */
static void prepare(struct exchange *x, const char *path)
{
    memset(x, 0, sizeof(*x));
    test_server_url(x->url, sizeof(x->url), port, path);
    x->req.url = x->url;
}

static int send_request(struct exchange *x)
{
    return httpc_do(&x->req, &x->res, &x->err);
}

static void get_returns_status_body_headers(void **state)
{
    struct exchange x;

    (void)state;
    prepare(&x, "/echo");
    assert_int_equal(send_request(&x), HITO_OK);
    assert_int_equal(x.res.status, 200);
    assert_string_equal(x.res.body, "GET|-|-|");
    assert_int_equal(x.res.body_len, 8);
    assert_string_equal(httpc_response_header(&x.res, "x-reply"), "two words");
    assert_string_equal(httpc_response_header(&x.res, "CONTENT-TYPE"), "text/plain");
    assert_null(httpc_response_header(&x.res, "X-Absent"));
    assert_true(x.res.elapsed_ms > 0);
    httpc_response_free(&x.res);
}

static void post_sends_body_headers_and_basic_auth(void **state)
{
    static const char *const headers[] = {"X-Custom: yes", NULL};
    struct exchange x;

    (void)state;
    prepare(&x, "/echo");
    x.req.method = "PATCH";
    x.req.headers = headers;
    x.req.body = "abc\0def";
    x.req.body_len = 7;
    x.req.basic_user = "user";
    x.req.basic_password = "pass";
    assert_int_equal(send_request(&x), HITO_OK);
    assert_int_equal(x.res.status, 200);
    /* base64("user:pass") */
    assert_int_equal(x.res.body_len, strlen("PATCH|Basic dXNlcjpwYXNz|yes|abc") + 4);
    assert_memory_equal(x.res.body, "PATCH|Basic dXNlcjpwYXNz|yes|abc\0def", x.res.body_len);
    httpc_response_free(&x.res);
}

static void request_id_of_thread_sent(void **state)
{
    static const char *const own[] = {"X-Request-Id: chosen-by-caller", NULL};
    struct exchange x;

    (void)state;
    log_set_request_id("thread-id-7");
    prepare(&x, "/request-id");
    assert_int_equal(send_request(&x), HITO_OK);
    assert_string_equal(x.res.body, "thread-id-7");
    httpc_response_free(&x.res);
    x.req.headers = own;
    assert_int_equal(send_request(&x), HITO_OK);
    assert_string_equal(x.res.body, "chosen-by-caller");
    httpc_response_free(&x.res);
    log_set_request_id(NULL);
}

static void head_served_by_get_route(void **state)
{
    struct exchange x;

    (void)state;
    prepare(&x, "/request-id");
    x.req.method = "HEAD";
    assert_int_equal(send_request(&x), HITO_OK);
    assert_int_equal(x.res.status, 200);
    assert_int_equal(x.res.body_len, 0);
    httpc_response_free(&x.res);
}

static void redirect_followed_only_on_request(void **state)
{
    struct exchange x;

    (void)state;
    prepare(&x, "/redirect");
    assert_int_equal(send_request(&x), HITO_OK);
    assert_int_equal(x.res.status, 302);
    assert_string_equal(httpc_response_header(&x.res, "Location"), "/echo");
    httpc_response_free(&x.res);
    x.req.follow_redirects = 1;
    assert_int_equal(send_request(&x), HITO_OK);
    assert_int_equal(x.res.status, 200);
    assert_null(httpc_response_header(&x.res, "Location"));
    httpc_response_free(&x.res);
}

static void timeout_names_url(void **state)
{
    struct exchange x;

    (void)state;
    prepare(&x, "/slow");
    x.req.timeout_ms = 100;
    assert_int_equal(send_request(&x), HITO_ERR_TIMEOUT);
    assert_int_equal(x.err.code, HITO_ERR_TIMEOUT);
    assert_non_null(strstr(x.err.message, x.url));
    assert_non_null(strstr(x.err.message, "imed out"));
    httpc_response_free(&x.res);
}

static void refused_connection_names_url(void **state)
{
    struct exchange x;

    (void)state;
    prepare(&x, "/");
    /* Port 1 on loopback: nothing listens there in the test environment. */
    snprintf(x.url, sizeof(x.url), "http://127.0.0.1:1/");
    assert_int_equal(send_request(&x), HITO_ERR_IO);
    assert_non_null(strstr(x.err.message, x.url));
    httpc_response_free(&x.res);
}

static void oversize_body_rejected(void **state)
{
    struct exchange x;

    (void)state;
    prepare(&x, "/huge");
    assert_int_equal(send_request(&x), HITO_ERR_LIMIT);
    assert_non_null(strstr(x.err.message, "larger than"));
    httpc_response_free(&x.res);
}

static void invalid_scheme_rejected(void **state)
{
    struct exchange x;

    (void)state;
    prepare(&x, "/");
    x.req.url = "file:///etc/passwd";
    assert_int_equal(send_request(&x), HITO_ERR_INVALID);
    httpc_response_free(&x.res);
}

/*
 * An httpd test that needs this server's default 1 MiB body limit: httpd's
 * body buffer starts at 16 KiB and doubles, so the body is larger than that.
 */
static void large_chunked_body_received(void **state)
{
    enum { CHUNKS = 4, CHUNK_LEN = 10000 };
    static char request[CHUNKS * (CHUNK_LEN + 16) + 256];
    char reply[TEST_RAW_REPLY_MAX];
    size_t used;
    int i;

    (void)state;
    used = (size_t)snprintf(request, sizeof(request),
                            "POST /length HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n");
    for (i = 0; i < CHUNKS; i++) {
        used += (size_t)snprintf(request + used, sizeof(request) - used, "%x\r\n", CHUNK_LEN);
        memset(request + used, 'c', CHUNK_LEN);
        used += CHUNK_LEN;
        used += (size_t)snprintf(request + used, sizeof(request) - used, "\r\n");
    }
    used += (size_t)snprintf(request + used, sizeof(request) - used, "0\r\n\r\n");
    assert_true(test_raw_exchange(port, request, used, reply, sizeof(reply)) > 0);
    assert_non_null(strstr(reply, "HTTP/1.1 200 "));
    assert_non_null(strstr(reply, "\r\n\r\n40000"));
}

static void escape_percent_encodes(void **state)
{
    char *escaped = httpc_escape("a b&c=d/é");

    (void)state;
    assert_string_equal(escaped, "a%20b%26c%3Dd%2F%C3%A9");
    free(escaped);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_returns_status_body_headers),
        cmocka_unit_test(post_sends_body_headers_and_basic_auth),
        cmocka_unit_test(request_id_of_thread_sent),
        cmocka_unit_test(head_served_by_get_route),
        cmocka_unit_test(redirect_followed_only_on_request),
        cmocka_unit_test(timeout_names_url),
        cmocka_unit_test(refused_connection_names_url),
        cmocka_unit_test(oversize_body_rejected),
        cmocka_unit_test(invalid_scheme_rejected),
        cmocka_unit_test(large_chunked_body_received),
        cmocka_unit_test(escape_percent_encodes),
    };

    return cmocka_run_group_tests(tests, server_up, server_down);
}

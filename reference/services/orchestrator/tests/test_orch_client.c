/*
 * The service client against an in-process HTTP server on a loopback
 * port that plays the identity provider and a service. A token the
 * service rejects is replaced once, the idempotency key and the request
 * id are sent as headers, and statuses map to error codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "client/orch_client.h"
#include "hito/log.h"
#include "test_server.h"

#define HEADER_SIZE 256

struct peer {
    atomic_int tokens_issued;
    atomic_int calls;
    char authorization[HEADER_SIZE];
    char idempotency_key[HEADER_SIZE];
    char request_id[HEADER_SIZE];
};

static struct peer peer;

static void copy_header(struct httpd_req *req, const char *name, char *out)
{
    const char *value = httpd_header(req, name);

    snprintf(out, HEADER_SIZE, "%s", value ? value : "");
}

/* Issues tok-1, tok-2, ... */
static void token(struct httpd_req *req, void *user)
{
    char body[128];
    int n = atomic_fetch_add(&peer.tokens_issued, 1) + 1;

    (void)user;
    snprintf(body, sizeof(body),
             "{\"access_token\":\"tok-%d\",\"token_type\":\"Bearer\","
             "\"expires_in\":3600}",
             n);
    httpd_reply(req, 200, "application/json", body, strlen(body));
}

/* Accepts only tok-2, so the first token is always rejected. */
static void service(struct httpd_req *req, void *user)
{
    (void)user;
    atomic_fetch_add(&peer.calls, 1);
    copy_header(req, "Authorization", peer.authorization);
    copy_header(req, "Idempotency-Key", peer.idempotency_key);
    copy_header(req, "X-Request-Id", peer.request_id);
    if (strcmp(peer.authorization, "Bearer tok-2") != 0) {
        httpd_reply_error(req, 401, "unauthenticated", "token rejected");
        return;
    }
    httpd_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

static void failing(struct httpd_req *req, void *user)
{
    (void)user;
    httpd_reply_error(req, 503, "unavailable", "the model is loading");
}

struct fixture {
    struct httpd *srv;
    struct token_cache *tokens;
    struct orch_client *client;
};

static int setup(void **state)
{
    static struct fixture f;
    struct httpd_options opts = { .service = "peer", .listen = "127.0.0.1:0" };
    char base[128], token_url[160];
    struct token_cache_options token_opts = { 0 };
    struct orch_client_options client_opts = { 0 };
    int port;

    memset(&peer, 0, sizeof(peer));
    f.srv = httpd_new(&opts, NULL);
    if (f.srv == NULL)
        return -1;
    httpd_route(f.srv, "POST", "/oauth/v2/token", token, NULL);
    httpd_route(f.srv, "POST", "/v1/service", service, NULL);
    httpd_route(f.srv, "POST", "/v1/failing", failing, NULL);
    port = test_server_start(f.srv);
    if (port < 0)
        return -1;
    test_server_url(base, sizeof(base), port, "");
    test_server_url(token_url, sizeof(token_url), port, "/oauth/v2/token");
    token_opts.token_url = token_url;
    token_opts.client_id = "svc-orchestrator";
    token_opts.client_secret = "test-secret";
    f.tokens = token_cache_new(&token_opts, NULL);
    client_opts.base_url = base;
    client_opts.timeout_ms = 2000;
    client_opts.tokens = f.tokens;
    f.client = orch_client_new(&client_opts, NULL);
    *state = &f;
    return f.tokens == NULL || f.client == NULL;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    orch_client_free(f->client);
    token_cache_free(f->tokens);
    httpd_free(f->srv);
    return 0;
}

static void client_rejected_token_replaced(void **state)
{
    struct fixture *f = *state;
    json_t *body = json_object();
    json_t *reply = NULL;
    long status = 0;

    assert_int_equal(orch_client_post(f->client, "/v1/service", body, NULL,
                                      &status, &reply, NULL),
                     HITO_OK);
    assert_int_equal(status, 200);
    assert_non_null(reply);
    assert_int_equal(atomic_load(&peer.tokens_issued), 2);
    assert_int_equal(atomic_load(&peer.calls), 2);
    json_decref(reply);
    json_decref(body);
}

static void client_sends_key_and_request_id(void **state)
{
    struct fixture *f = *state;
    json_t *body = json_object();
    json_t *reply = NULL;
    long status = 0;

    log_set_request_id("wamid.ABC");
    assert_int_equal(orch_client_post(f->client, "/v1/service", body,
                                      "wamid.ABC", &status, &reply, NULL),
                     HITO_OK);
    log_set_request_id(NULL);
    assert_string_equal(peer.idempotency_key, "wamid.ABC");
    assert_string_equal(peer.request_id, "wamid.ABC");
    json_decref(reply);
    json_decref(body);
}

static void client_status_maps_to_error(void **state)
{
    struct fixture *f = *state;
    json_t *body = json_object();
    json_t *reply = NULL;
    struct hito_error err = { 0 };
    long status = 0;

    assert_int_equal(orch_client_post(f->client, "/v1/failing", body, NULL,
                                      &status, &reply, NULL),
                     HITO_OK);
    assert_int_equal(status, 503);
    assert_int_equal(orch_client_status_error("peer", status, reply, &err),
                     HITO_ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "the model is loading"));
    assert_int_equal(orch_client_status_error("peer", 422, NULL, NULL),
                     HITO_ERR_PROTOCOL);
    assert_int_equal(orch_client_status_error("peer", 429, NULL, NULL),
                     HITO_ERR_UNAVAILABLE);
    json_decref(reply);
    json_decref(body);
}

static void client_unreachable_fails(void **state)
{
    struct orch_client_options opts = { "http://127.0.0.1:1", 500, NULL };
    struct orch_client *client = orch_client_new(&opts, NULL);
    json_t *body = json_object();
    json_t *reply = NULL;
    long status = 0;

    (void)state;
    assert_non_null(client);
    assert_true(orch_client_post(client, "/v1/service", body, NULL, &status,
                                 &reply, NULL) < 0);
    assert_null(reply);
    orch_client_free(client);
    json_decref(body);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(client_rejected_token_replaced),
        TEST(client_sends_key_and_request_id),
        TEST(client_status_maps_to_error),
        cmocka_unit_test(client_unreachable_fails),
    };

    log_init("test", LOG_LEVEL_ERROR, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

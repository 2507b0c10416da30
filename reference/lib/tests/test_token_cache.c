/*
 * test_token_cache.c - client-credentials caching against an in-test token
 * endpoint built on httpd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hito/httpd.h"
#include "hito/token_cache.h"

/* The client id contains ':' and '@' so the form encoding is exercised. */
#define CLIENT_ID "svc:orchestrator@hito"
#define CLIENT_SECRET "s3cret+/="
/* base64("svc%3Aorchestrator%40hito:s3cret%2B%2F%3D") */
#define EXPECTED_BASIC "Basic c3ZjJTNBb3JjaGVzdHJhdG9yJTQwaGl0bzpzM2NyZXQlMkIlMkYlM0Q="

struct token_server {
    struct httpd *srv;
    pthread_mutex_t lock;
    int requests;
    long expires_in;
    int reject;
    char last_body[512];
    char last_auth[256];
    char url[128];
};

static void token_handler(struct httpd_req *req, void *user)
{
    struct token_server *s = user;
    const char *auth = httpd_header(req, "Authorization");
    size_t len = 0;
    const char *body = httpd_body(req, &len);
    char reply[256];
    int n, reject;

    pthread_mutex_lock(&s->lock);
    n = ++s->requests;
    reject = s->reject;
    snprintf(s->last_body, sizeof(s->last_body), "%.*s", (int)len, body != NULL ? body : "");
    snprintf(s->last_auth, sizeof(s->last_auth), "%s", auth != NULL ? auth : "");
    snprintf(reply, sizeof(reply),
             "{\"access_token\":\"token-%d\",\"token_type\":\"Bearer\",\"expires_in\":%ld}", n,
             s->expires_in);
    pthread_mutex_unlock(&s->lock);
    if (reject) {
        const char *e = "{\"error\":\"invalid_client\",\"error_description\":\"bad secret\"}";

        httpd_reply(req, 401, "application/json", e, strlen(e));
        return;
    }
    httpd_reply(req, 200, "application/json", reply, strlen(reply));
}

/* One server for every test: stopping civetweb takes over a second. */
static struct token_server *shared;

static int group_setup(void **state)
{
    struct httpd_options opts = {.service = "test-token", .listen = "127.0.0.1:0", .threads = 4};

    (void)state;
    shared = calloc(1, sizeof(*shared));
    pthread_mutex_init(&shared->lock, NULL);
    shared->srv = httpd_new(&opts, NULL);
    if (shared->srv == NULL ||
        httpd_route(shared->srv, "POST", "/oauth/v2/token", token_handler, shared) != 0 ||
        httpd_start(shared->srv, NULL) != 0)
        return -1;
    snprintf(shared->url, sizeof(shared->url), "http://127.0.0.1:%d/oauth/v2/token",
             httpd_port(shared->srv));
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    httpd_free(shared->srv);
    pthread_mutex_destroy(&shared->lock);
    free(shared);
    return 0;
}

/* Resets the shared server's counters and replies for the next test. */
static int setup(void **state)
{
    pthread_mutex_lock(&shared->lock);
    shared->requests = 0;
    shared->expires_in = 3600;
    shared->reject = 0;
    shared->last_body[0] = '\0';
    shared->last_auth[0] = '\0';
    pthread_mutex_unlock(&shared->lock);
    *state = shared;
    return 0;
}

static struct token_cache *new_cache(struct token_server *s, const char *scope)
{
    struct token_cache_options opts = {.token_url = s->url, .client_id = CLIENT_ID,
                                       .client_secret = CLIENT_SECRET, .scope = scope};

    return token_cache_new(&opts, NULL);
}

static void cache_reuses_token(void **state)
{
    struct token_server *s = *state;
    struct token_cache *cache = new_cache(s, NULL);
    char *a = NULL, *b = NULL;

    assert_int_equal(token_cache_get(cache, &a, NULL), HITO_OK);
    assert_int_equal(token_cache_get(cache, &b, NULL), HITO_OK);
    assert_string_equal(a, "token-1");
    assert_string_equal(b, "token-1");
    assert_int_equal(s->requests, 1);
    free(a);
    free(b);
    token_cache_free(cache);
}

static void cache_sends_credentials(void **state)
{
    struct token_server *s = *state;
    struct token_cache *cache = new_cache(s, "openid urn:zitadel:iam:org:project:id:1:aud");
    char *token = NULL;

    assert_int_equal(token_cache_get(cache, &token, NULL), HITO_OK);
    assert_string_equal(s->last_auth, EXPECTED_BASIC);
    assert_string_equal(s->last_body,
                        "grant_type=client_credentials&scope="
                        "openid%20urn%3Azitadel%3Aiam%3Aorg%3Aproject%3Aid%3A1%3Aaud");
    free(token);
    token_cache_free(cache);
}

static void cache_refreshes_within_margin(void **state)
{
    struct token_server *s = *state;
    struct token_cache *cache = new_cache(s, NULL);
    char *a = NULL, *b = NULL;

    /* 30 s left is inside the default 60 s margin: every call refetches. */
    s->expires_in = 30;
    assert_int_equal(token_cache_get(cache, &a, NULL), HITO_OK);
    assert_int_equal(token_cache_get(cache, &b, NULL), HITO_OK);
    assert_string_equal(a, "token-1");
    assert_string_equal(b, "token-2");
    free(a);
    free(b);
    token_cache_free(cache);
}

static void cache_invalidate_refetches(void **state)
{
    struct token_server *s = *state;
    struct token_cache *cache = new_cache(s, NULL);
    char *a = NULL, *b = NULL;

    assert_int_equal(token_cache_get(cache, &a, NULL), HITO_OK);
    token_cache_invalidate(cache);
    assert_int_equal(token_cache_get(cache, &b, NULL), HITO_OK);
    assert_string_equal(b, "token-2");
    free(a);
    free(b);
    token_cache_free(cache);
}

static void cache_rejected_client(void **state)
{
    struct token_server *s = *state;
    struct token_cache *cache = new_cache(s, NULL);
    struct hito_error err = {0};
    char *token = NULL;

    s->reject = 1;
    assert_int_equal(token_cache_get(cache, &token, &err), HITO_ERR_AUTH);
    assert_null(token);
    assert_non_null(strstr(err.message, "invalid_client"));
    assert_null(strstr(err.message, CLIENT_SECRET));
    token_cache_free(cache);
}

#define CONCURRENT_THREADS 4
#define CONCURRENT_GETS 100

static void *get_many(void *arg)
{
    struct token_cache *cache = arg;
    long failures = 0;

    for (int i = 0; i < CONCURRENT_GETS; i++) {
        char *token = NULL;

        if (token_cache_get(cache, &token, NULL) != HITO_OK || strcmp(token, "token-1") != 0)
            failures++;
        free(token);
    }
    return (void *)failures;
}

/* Concurrent callers share the first fetch's token. */
static void cache_concurrent_get(void **state)
{
    struct token_server *s = *state;
    struct token_cache *cache = new_cache(s, NULL);
    pthread_t threads[CONCURRENT_THREADS];
    void *failures;

    for (int i = 0; i < CONCURRENT_THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, get_many, cache), 0);
    for (int i = 0; i < CONCURRENT_THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], &failures), 0);
        assert_int_equal((long)failures, 0);
    }
    assert_int_equal(s->requests, 1);
    token_cache_free(cache);
}

static void cache_server_down(void **state)
{
    struct token_cache_options opts = {.token_url = "http://127.0.0.1:1/oauth/v2/token",
                                       .client_id = "a", .client_secret = "b",
                                       .timeout_ms = 2000};
    struct token_cache *cache = token_cache_new(&opts, NULL);
    char *token = NULL;

    (void)state;
    assert_int_equal(token_cache_get(cache, &token, NULL), HITO_ERR_UNAVAILABLE);
    token_cache_free(cache);
}

static void cache_requires_options(void **state)
{
    struct token_cache_options opts = {.token_url = "http://127.0.0.1:1/"};
    struct hito_error err = {0};

    (void)state;
    assert_null(token_cache_new(&opts, &err));
    assert_int_equal(err.code, HITO_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(cache_reuses_token, setup),
        cmocka_unit_test_setup(cache_sends_credentials, setup),
        cmocka_unit_test_setup(cache_refreshes_within_margin, setup),
        cmocka_unit_test_setup(cache_invalidate_refetches, setup),
        cmocka_unit_test_setup(cache_rejected_client, setup),
        cmocka_unit_test_setup(cache_concurrent_get, setup),
        cmocka_unit_test(cache_server_down),
        cmocka_unit_test(cache_requires_options),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

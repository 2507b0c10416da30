/*
 * test_jwks.c - base64url decoding, RSA JWK to PEM conversion, and the
 * cache's TTL, cooldown and refetch behaviour against an in-test httpd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "hito/jwks.h"
#include "jwt_test_keys.h"

static struct test_key key_a;
static struct test_key key_b;
/* One server for every test: stopping civetweb takes over a second. */
static struct test_jwks_server shared_server;

static int group_setup(void **state)
{
    (void)state;
    test_key_init(&key_a, "1");
    test_key_init(&key_b, "2");
    return test_jwks_server_start(&shared_server, "{}");
}

static int group_teardown(void **state)
{
    (void)state;
    test_jwks_server_stop(&shared_server);
    test_key_free(&key_a);
    test_key_free(&key_b);
    return 0;
}

/* Points the shared server at document and returns it. */
static struct test_jwks_server *serve(const char *document)
{
    test_jwks_server_reset(&shared_server, document);
    return &shared_server;
}

/* Creates a key set with opts that fetches from server. */
static struct jwks *keys_from(struct test_jwks_server *server,
                              struct jwks_options opts)
{
    opts.url = server->url;
    return jwks_new(&opts, NULL);
}

/* Looks kid up in keys and asserts that it is found. */
static void assert_kid_found(struct jwks *keys, const char *kid)
{
    char *pem = NULL;

    assert_int_equal(jwks_get_pem(keys, kid, &pem, NULL), HITO_OK);
    assert_non_null(pem);
    free(pem);
}

static void base64url_decode_vectors(void **state)
{
    /* RFC 4648 section 10 vectors, unpadded, plus the two url-safe letters. */
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"", ""}, {"Zg", "f"}, {"Zm8", "fo"}, {"Zm9v", "foo"}, {"Zm9vYg", "foob"},
        {"Zm9vYmE", "fooba"}, {"Zm9vYmFy", "foobar"}, {"-_8", "\xfb\xff"},
    };
    unsigned char *out;
    size_t len;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(jwks_base64url_decode(cases[i].in, strlen(cases[i].in), &out, &len),
                         HITO_OK);
        assert_int_equal(len, strlen(cases[i].out));
        assert_memory_equal(out, cases[i].out, len);
        free(out);
    }
}

static void base64url_decode_invalid(void **state)
{
    unsigned char *out;
    size_t len;

    (void)state;
    assert_int_equal(jwks_base64url_decode("Zm9v+", 5, &out, &len), HITO_ERR_INVALID);
    assert_int_equal(jwks_base64url_decode("Zm9v/A", 6, &out, &len), HITO_ERR_INVALID);
    assert_int_equal(jwks_base64url_decode("Zm9=", 4, &out, &len), HITO_ERR_INVALID);
    assert_int_equal(jwks_base64url_decode("Z", 1, &out, &len), HITO_ERR_INVALID);
    assert_null(out);
}

static void rsa_to_pem_matches_openssl(void **state)
{
    json_t *jwk = json_loads(key_a.jwk, 0, NULL);
    char *pem = NULL;
    int rc;

    (void)state;
    rc = jwks_rsa_to_pem(json_string_value(json_object_get(jwk, "n")),
                         json_string_value(json_object_get(jwk, "e")), &pem, NULL);
    assert_int_equal(rc, HITO_OK);
    assert_string_equal(pem, key_a.public_pem);
    free(pem);
    json_decref(jwk);
}

static void rsa_to_pem_rejects_garbage(void **state)
{
    struct hito_error err = {0};
    char *pem = NULL;

    (void)state;
    assert_int_equal(jwks_rsa_to_pem("!!", "AQAB", &pem, &err), HITO_ERR_INVALID);
    assert_null(pem);
    assert_non_null(strstr(err.message, "base64url"));
}

static void load_json_skips_other_keys(void **state)
{
    struct jwks_options opts = {0};
    struct jwks *keys = jwks_new(&opts, NULL);
    char doc[8192];
    char *pem = NULL;

    (void)state;
    snprintf(doc, sizeof(doc),
             "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\"},"
             "{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"},%s]}",
             key_a.jwk);
    assert_int_equal(jwks_load_json(keys, doc, strlen(doc), NULL), HITO_OK);
    assert_int_equal(jwks_get_pem(keys, "1", &pem, NULL), HITO_OK);
    assert_string_equal(pem, key_a.public_pem);
    free(pem);
    assert_int_equal(jwks_get_pem(keys, "ec", &pem, NULL), HITO_ERR_NOT_FOUND);
    assert_int_equal(jwks_get_pem(keys, "enc", &pem, NULL), HITO_ERR_NOT_FOUND);
    assert_int_equal(jwks_fetch_count(keys), 0);
    jwks_free(keys);
}

static void load_json_rejects_no_keys(void **state)
{
    struct jwks_options opts = {0};
    struct jwks *keys = jwks_new(&opts, NULL);
    struct hito_error err = {0};

    (void)state;
    assert_int_equal(jwks_load_json(keys, "{\"k\":1}", 7, &err), HITO_ERR_PROTOCOL);
    assert_non_null(strstr(err.message, "keys"));
    assert_int_equal(jwks_load_json(keys, "nope", 4, &err), HITO_ERR_PROTOCOL);
    jwks_free(keys);
}

static void fetch_caches_within_ttl(void **state)
{
    struct test_jwks_server *server;
    char *doc = test_jwks_document(&key_a, NULL);
    struct jwks_options opts = {0};
    struct jwks *keys;

    (void)state;
    server = serve(doc);
    keys = keys_from(server, opts);
    for (int i = 0; i < 5; i++)
        assert_kid_found(keys, "1");
    assert_int_equal(test_jwks_server_requests(server), 1);
    assert_int_equal(jwks_fetch_count(keys), 1);
    jwks_free(keys);
    free(doc);
}

static void fetch_after_ttl(void **state)
{
    struct test_jwks_server *server;
    char *doc = test_jwks_document(&key_a, NULL);
    struct jwks_options opts = {.ttl_seconds = 1};
    struct jwks *keys;

    (void)state;
    server = serve(doc);
    keys = keys_from(server, opts);
    assert_kid_found(keys, "1");
    usleep(1100 * 1000);
    assert_kid_found(keys, "1");
    assert_int_equal(test_jwks_server_requests(server), 2);
    jwks_free(keys);
    free(doc);
}

static void unknown_kid_respects_cooldown(void **state)
{
    struct test_jwks_server *server;
    char *doc = test_jwks_document(&key_a, NULL);
    char *both = test_jwks_document(&key_a, &key_b);
    struct jwks_options opts = {.cooldown_seconds = 2};
    struct jwks *keys;
    char *pem = NULL;

    (void)state;
    server = serve(doc);
    keys = keys_from(server, opts);
    /* The first call fetches; calls within the 2 s cooldown do not fetch again. */
    assert_int_equal(jwks_get_pem(keys, "2", &pem, NULL), HITO_ERR_NOT_FOUND);
    assert_int_equal(jwks_get_pem(keys, "2", &pem, NULL), HITO_ERR_NOT_FOUND);
    assert_int_equal(test_jwks_server_requests(server), 1);
    test_jwks_server_set(server, both, 200);
    usleep(2100 * 1000);
    assert_int_equal(jwks_get_pem(keys, "2", &pem, NULL), HITO_OK);
    assert_string_equal(pem, key_b.public_pem);
    free(pem);
    assert_int_equal(test_jwks_server_requests(server), 2);
    jwks_free(keys);
    free(doc);
    free(both);
}

static void stale_keys_survive_outage(void **state)
{
    struct test_jwks_server *server;
    char *doc = test_jwks_document(&key_a, NULL);
    struct jwks_options opts = {.ttl_seconds = 1};
    struct jwks *keys;

    (void)state;
    server = serve(doc);
    keys = keys_from(server, opts);
    assert_kid_found(keys, "1");
    test_jwks_server_set(server, "oops", 503);
    usleep(1100 * 1000);
    assert_kid_found(keys, "1");
    jwks_free(keys);
    free(doc);
}

static void fetch_error_status(void **state)
{
    struct test_jwks_server *server;
    struct jwks_options opts = {0};
    struct hito_error err = {0};
    struct jwks *keys;
    char *pem = NULL;

    (void)state;
    server = serve("{}");
    test_jwks_server_set(server, "{}", 500);
    keys = keys_from(server, opts);
    assert_int_equal(jwks_get_pem(keys, "1", &pem, &err), HITO_ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "HTTP 500"));
    jwks_free(keys);
}

#define CONCURRENT_THREADS 4
#define CONCURRENT_LOOKUPS 200

static void *lookup_many(void *arg)
{
    struct jwks *keys = arg;
    long failures = 0;

    for (int i = 0; i < CONCURRENT_LOOKUPS; i++) {
        char *pem = NULL;

        if (jwks_get_pem(keys, "1", &pem, NULL) != HITO_OK ||
            strcmp(pem, key_a.public_pem) != 0)
            failures++;
        free(pem);
    }
    return (void *)failures;
}

/* Threads share one fetch and always see a complete key set. */
static void concurrent_lookups_fetch_once(void **state)
{
    struct test_jwks_server *server;
    char *doc = test_jwks_document(&key_a, NULL);
    struct jwks_options opts = {0};
    pthread_t threads[CONCURRENT_THREADS];
    struct jwks *keys;
    void *failures;

    (void)state;
    server = serve(doc);
    keys = keys_from(server, opts);
    for (int i = 0; i < CONCURRENT_THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, lookup_many, keys), 0);
    for (int i = 0; i < CONCURRENT_THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], &failures), 0);
        assert_int_equal((long)failures, 0);
    }
    assert_int_equal(test_jwks_server_requests(server), 1);
    jwks_free(keys);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base64url_decode_vectors),
        cmocka_unit_test(base64url_decode_invalid),
        cmocka_unit_test(rsa_to_pem_matches_openssl),
        cmocka_unit_test(rsa_to_pem_rejects_garbage),
        cmocka_unit_test(load_json_skips_other_keys),
        cmocka_unit_test(load_json_rejects_no_keys),
        cmocka_unit_test(fetch_caches_within_ttl),
        cmocka_unit_test(fetch_after_ttl),
        cmocka_unit_test(unknown_kid_respects_cooldown),
        cmocka_unit_test(stale_keys_survive_outage),
        cmocka_unit_test(fetch_error_status),
        cmocka_unit_test(concurrent_lookups_fetch_once),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

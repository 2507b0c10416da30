/*
 * test_jwt_verify.c - RS256 verification, including the forgeries libjwt
 * 1.10 alone would accept, with keys served by an in-test httpd.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hito/jwt_verify.h"
#include "jwt_test_keys.h"

/*
 * Generated once per run because RSA key generation is slow under
 * sanitizers, and one server serves every test because stopping civetweb
 * takes over a second.
 */
static struct test_key key_published;
static struct test_key key_other;
static struct test_jwks_server server;
static char *published_doc;

struct fixture {
    struct test_key key;
    struct test_key other;           /* a second pair, published only on rotation */
    struct test_jwks_server *server;
    struct jwks *keys;
    struct jwt_verify_options opts;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct jwks_options jo = {0};

    f->key = key_published;
    f->other = key_other;
    f->server = &server;
    test_jwks_server_reset(&server, published_doc);
    jo.url = server.url;
    jo.cooldown_seconds = -1;
    f->keys = jwks_new(&jo, NULL);
    f->opts.issuer = TEST_ISSUER;
    f->opts.audience = TEST_AUDIENCE;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    jwks_free(f->keys);
    free(f);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    test_key_init(&key_published, "100");
    test_key_init(&key_other, "200");
    published_doc = test_jwks_document(&key_published, NULL);
    return test_jwks_server_start(&server, published_doc);
}

static int group_teardown(void **state)
{
    (void)state;
    test_jwks_server_stop(&server);
    free(published_doc);
    test_key_free(&key_published);
    test_key_free(&key_other);
    return 0;
}

/* Verifies token and returns the reason; claims are freed. */
static enum jwt_verify_reason verify(struct fixture *f, const char *token, int *rc)
{
    struct jwt_claims claims;
    enum jwt_verify_reason reason = JWT_VERIFY_OK;
    struct hito_error err = {0};

    *rc = jwt_verify_token(f->keys, &f->opts, token, &claims, &reason, &err);
    jwt_claims_free(&claims);
    return reason;
}

/* Signs standard claims (with extra) using the published key. */
static char *good_token(struct fixture *f, long exp_offset, const char *extra)
{
    char *claims = test_claims(TEST_ISSUER, TEST_AUDIENCE, exp_offset, -10, extra);
    char *token = test_sign(claims, JWT_ALG_RS256, f->key.private_pem, f->key.kid);

    free(claims);
    return token;
}

static void verify_valid_token(void **state)
{
    struct fixture *f = *state;
    const char *roles = "\"urn:zitadel:iam:org:project:roles\":"
                        "{\"admin\":{\"300\":\"hito.localhost\"},"
                        "\"support\":{\"300\":\"hito.localhost\"}},"
                        "\"roles\":[\"admin\",\"customer\"]";
    char *token = good_token(f, 600, roles);
    struct jwt_claims claims;
    enum jwt_verify_reason reason;
    int rc = jwt_verify_token(f->keys, &f->opts, token, &claims, &reason, NULL);

    assert_int_equal(rc, HITO_OK);
    assert_int_equal(reason, JWT_VERIFY_OK);
    assert_string_equal(claims.sub, "2001");
    assert_string_equal(claims.issuer, TEST_ISSUER);
    assert_string_equal(claims.org_id, "300");
    assert_int_equal(claims.role_count, 3);
    assert_true(jwt_claims_has_role(&claims, "admin"));
    assert_true(jwt_claims_has_role(&claims, "support"));
    assert_true(jwt_claims_has_role(&claims, "customer"));
    assert_false(jwt_claims_has_role(&claims, "courier"));
    assert_true(claims.exp > (long)time(NULL));
    jwt_claims_free(&claims);
    free(token);
}

static void verify_project_roles_claim(void **state)
{
    struct fixture *f = *state;
    char *token = good_token(f, 600,
                             "\"urn:zitadel:iam:org:project:555:roles\":"
                             "{\"courier\":{\"301\":\"x\"}},"
                             "\"urn:zitadel:iam:user:resourceowner:id\":\"302\"");
    struct jwt_claims claims;
    int rc = jwt_verify_token(f->keys, &f->opts, token, &claims, NULL, NULL);

    assert_int_equal(rc, HITO_OK);
    assert_true(jwt_claims_has_role(&claims, "courier"));
    assert_string_equal(claims.org_id, "302");
    jwt_claims_free(&claims);
    free(token);
}

static void verify_string_audience(void **state)
{
    struct fixture *f = *state;
    long now = (long)time(NULL);
    char claims[256];
    char *token;
    int rc;

    snprintf(claims, sizeof(claims), "{\"iss\":\"%s\",\"sub\":\"1\",\"aud\":\"%s\",\"exp\":%ld}",
             TEST_ISSUER, TEST_AUDIENCE, now + 60);
    token = test_sign(claims, JWT_ALG_RS256, f->key.private_pem, f->key.kid);
    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_OK);
    assert_int_equal(rc, HITO_OK);
    free(token);
}

static void verify_tampered_payload(void **state)
{
    struct fixture *f = *state;
    char *token = good_token(f, 600, "\"roles\":[\"customer\"]");
    char *forged_claims =
        test_claims(TEST_ISSUER, TEST_AUDIENCE, 600, -10, "\"roles\":[\"admin\"]");
    char *forged = test_sign(forged_claims, JWT_ALG_RS256, f->other.private_pem, f->key.kid);
    char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    char *fdot1 = strchr(forged, '.'), *fdot2 = strrchr(forged, '.');
    char spliced[8192];
    int rc;

    /* The original header and signature around another payload. */
    snprintf(spliced, sizeof(spliced), "%.*s%.*s%s", (int)(dot1 - token), token,
             (int)(fdot2 - fdot1), fdot1, dot2);
    assert_int_equal(verify(f, spliced, &rc), JWT_VERIFY_BAD_SIGNATURE);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(token);
    free(forged);
    free(forged_claims);
}

static void verify_wrong_key(void **state)
{
    struct fixture *f = *state;
    char *claims = test_claims(TEST_ISSUER, TEST_AUDIENCE, 600, -10, NULL);
    char *token = test_sign(claims, JWT_ALG_RS256, f->other.private_pem, f->key.kid);
    int rc;

    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_BAD_SIGNATURE);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(token);
    free(claims);
}

static void verify_alg_none(void **state)
{
    struct fixture *f = *state;
    char *claims = test_claims(TEST_ISSUER, TEST_AUDIENCE, 600, -10, NULL);
    const char *header = "{\"alg\":\"none\",\"kid\":\"100\",\"typ\":\"JWT\"}";
    char *h64 = test_base64url((const unsigned char *)header, strlen(header));
    char *p64 = test_base64url((const unsigned char *)claims, strlen(claims));
    char token[4096];
    int rc;

    snprintf(token, sizeof(token), "%s.%s.", h64, p64);
    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_BAD_ALG);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(h64);
    free(p64);
    free(claims);
}

/* HS256 keyed with the public PEM: what a naive libjwt caller accepts. */
static void verify_hs256_confusion(void **state)
{
    struct fixture *f = *state;
    char *claims = test_claims(TEST_ISSUER, TEST_AUDIENCE, 600, -10, NULL);
    char *token = test_sign(claims, JWT_ALG_HS256, f->key.public_pem, f->key.kid);
    jwt_t *naive = NULL;
    int rc;

    /* The attack works against libjwt alone; the check below must stop it. */
    assert_int_equal(jwt_decode(&naive, token, (const unsigned char *)f->key.public_pem,
                                (int)strlen(f->key.public_pem)), 0);
    jwt_free(naive);
    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_BAD_ALG);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(token);
    free(claims);
}

static void verify_expired(void **state)
{
    struct fixture *f = *state;
    char *token = good_token(f, -120, NULL);
    int rc;

    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_EXPIRED);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(token);
}

static void verify_expired_within_leeway(void **state)
{
    struct fixture *f = *state;
    char *token = good_token(f, -5, NULL);
    int rc;

    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_OK);
    assert_int_equal(rc, HITO_OK);
    free(token);
}

static void verify_not_yet_valid(void **state)
{
    struct fixture *f = *state;
    char extra[64];
    char *token;
    int rc;

    snprintf(extra, sizeof(extra), "\"nbf\":%ld", (long)time(NULL) + 300);
    token = good_token(f, 600, extra);
    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_NOT_YET_VALID);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(token);
}

static void verify_wrong_issuer(void **state)
{
    struct fixture *f = *state;
    char *claims = test_claims("http://localhost:26081", TEST_AUDIENCE, 600, -10, NULL);
    char *token = test_sign(claims, JWT_ALG_RS256, f->key.private_pem, f->key.kid);
    int rc;

    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_BAD_ISSUER);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(token);
    free(claims);
}

static void verify_wrong_audience(void **state)
{
    struct fixture *f = *state;
    char *claims = test_claims(TEST_ISSUER, "some-other-project", 600, -10, NULL);
    char *token = test_sign(claims, JWT_ALG_RS256, f->key.private_pem, f->key.kid);
    int rc;

    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_BAD_AUDIENCE);
    assert_int_equal(rc, HITO_ERR_AUTH);
    free(token);
    free(claims);
}

static void verify_unknown_kid_refetches_once(void **state)
{
    struct fixture *f = *state;
    char *claims = test_claims(TEST_ISSUER, TEST_AUDIENCE, 600, -10, NULL);
    char *token = test_sign(claims, JWT_ALG_RS256, f->other.private_pem, "999");
    char *good = good_token(f, 600, NULL);
    int before, rc;

    assert_int_equal(verify(f, good, &rc), JWT_VERIFY_OK);
    before = test_jwks_server_requests(f->server);
    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_UNKNOWN_KID);
    assert_int_equal(rc, HITO_ERR_AUTH);
    assert_int_equal(test_jwks_server_requests(f->server), before + 1);
    free(good);
    free(token);
    free(claims);
}

static void verify_rotated_key_after_refetch(void **state)
{
    struct fixture *f = *state;
    char *claims = test_claims(TEST_ISSUER, TEST_AUDIENCE, 600, -10, NULL);
    char *old_token = good_token(f, 600, NULL);
    char *new_token = test_sign(claims, JWT_ALG_RS256, f->other.private_pem, f->other.kid);
    char *both = test_jwks_document(&f->key, &f->other);
    char *only_new = test_jwks_document(&f->other, NULL);
    int rc;

    assert_int_equal(verify(f, old_token, &rc), JWT_VERIFY_OK);
    test_jwks_server_set(f->server, both, 200);
    assert_int_equal(verify(f, new_token, &rc), JWT_VERIFY_OK);
    assert_int_equal(verify(f, old_token, &rc), JWT_VERIFY_OK);
    /* Once the old key leaves the set, a refetch drops it from the cache. */
    test_jwks_server_set(f->server, only_new, 200);
    jwks_load_json(f->keys, only_new, strlen(only_new), NULL);
    assert_int_equal(verify(f, old_token, &rc), JWT_VERIFY_UNKNOWN_KID);
    free(claims);
    free(old_token);
    free(new_token);
    free(both);
    free(only_new);
}

static void verify_keys_unavailable(void **state)
{
    struct fixture *f = *state;
    struct jwks_options jo = {.url = "http://127.0.0.1:1/jwks", .timeout_ms = 2000};
    struct jwks *down = jwks_new(&jo, NULL);
    char *token = good_token(f, 600, NULL);
    struct jwt_claims claims;
    enum jwt_verify_reason reason;
    int rc = jwt_verify_token(down, &f->opts, token, &claims, &reason, NULL);

    assert_int_equal(rc, HITO_ERR_UNAVAILABLE);
    assert_int_equal(reason, JWT_VERIFY_KEYS_UNAVAILABLE);
    jwks_free(down);
    free(token);
}

static void verify_malformed(void **state)
{
    struct fixture *f = *state;
    int rc;

    assert_int_equal(verify(f, "", &rc), JWT_VERIFY_MALFORMED);
    assert_int_equal(verify(f, "abc", &rc), JWT_VERIFY_MALFORMED);
    assert_int_equal(verify(f, "a.b", &rc), JWT_VERIFY_MALFORMED);
    assert_int_equal(verify(f, "a.b.c.d", &rc), JWT_VERIFY_MALFORMED);
    assert_int_equal(verify(f, "!!!.e30.", &rc), JWT_VERIFY_MALFORMED);
    assert_int_equal(rc, HITO_ERR_AUTH);
}

/*
 * Deeper than jansson's recursion fits in DEEP_THREAD_STACK, and within
 * jansson 2.14's limit of 2048 levels.
 */
#define DEEP_JSON_DEPTH 2000
/* A stack as small as a worker thread's, so a recursive parse of the token overflows it. */
#define DEEP_THREAD_STACK (32 * 1024)

/* Encodes len bytes of raw as unpadded base64url into a new string. */
static char *base64url(const char *raw, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc((len + 2) / 3 * 4 + 1);
    size_t i, o = 0;

    assert_non_null(out);
    for (i = 0; i < len; i += 3) {
        unsigned long v = (unsigned long)(unsigned char)raw[i] << 16;

        if (i + 1 < len)
            v |= (unsigned long)(unsigned char)raw[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)raw[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = alphabet[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
    return out;
}

/* Formats a token whose header or payload is DEEP_JSON_DEPTH nested arrays. */
static char *deep_token(const char *kid, int deep_header)
{
    char *nested = malloc(2 * DEEP_JSON_DEPTH);
    char header_json[256];
    char *deep, *header, *token;
    size_t size;

    assert_non_null(nested);
    memset(nested, '[', DEEP_JSON_DEPTH);
    memset(nested + DEEP_JSON_DEPTH, ']', DEEP_JSON_DEPTH);
    deep = base64url(nested, 2 * DEEP_JSON_DEPTH);
    snprintf(header_json, sizeof(header_json), "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
             kid);
    header = base64url(header_json, strlen(header_json));
    size = strlen(deep) + strlen(header) + 16;
    token = malloc(size);
    assert_non_null(token);
    snprintf(token, size, "%s.%s.c2ln", deep_header ? deep : header, deep_header ? "e30" : deep);
    free(nested);
    free(deep);
    free(header);
    return token;
}

struct deep_call {
    struct fixture *f;
    const char *token;
    enum jwt_verify_reason reason;
    int rc;
};

static void *verify_on_thread(void *arg)
{
    struct deep_call *call = arg;

    call->reason = verify(call->f, call->token, &call->rc);
    return NULL;
}

/* Verifies token on a thread with a worker-sized stack, where deep recursion would crash. */
static void verify_small_stack(struct deep_call *call)
{
    pthread_attr_t attr;
    pthread_t thread;

    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, DEEP_THREAD_STACK), 0);
    assert_int_equal(pthread_create(&thread, &attr, verify_on_thread, call), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    pthread_attr_destroy(&attr);
}

static void verify_deep_json_rejected(void **state)
{
    struct fixture *f = *state;
    struct deep_call header = {f, deep_token(f->key.kid, 1), JWT_VERIFY_OK, 0};
    struct deep_call payload = {f, deep_token(f->key.kid, 0), JWT_VERIFY_OK, 0};

    verify_small_stack(&header);
    assert_int_equal(header.reason, JWT_VERIFY_MALFORMED);
    assert_int_equal(header.rc, HITO_ERR_AUTH);
    verify_small_stack(&payload);
    assert_int_equal(payload.reason, JWT_VERIFY_MALFORMED);
    assert_int_equal(payload.rc, HITO_ERR_AUTH);
    free((char *)header.token);
    free((char *)payload.token);
}

static void verify_missing_exp(void **state)
{
    struct fixture *f = *state;
    char claims[256];
    char *token;
    int rc;

    snprintf(claims, sizeof(claims), "{\"iss\":\"%s\",\"sub\":\"1\",\"aud\":\"%s\"}",
             TEST_ISSUER, TEST_AUDIENCE);
    token = test_sign(claims, JWT_ALG_RS256, f->key.private_pem, f->key.kid);
    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_EXPIRED);
    free(token);
}

static void verify_roles_wrong_shape(void **state)
{
    struct fixture *f = *state;
    char *token = good_token(f, 600, "\"roles\":\"admin\"");
    int rc;

    assert_int_equal(verify(f, token, &rc), JWT_VERIFY_MALFORMED);
    free(token);
}

static void reason_name_known(void **state)
{
    (void)state;
    assert_string_equal(jwt_verify_reason_name(JWT_VERIFY_EXPIRED), "expired");
    assert_string_equal(jwt_verify_reason_name((enum jwt_verify_reason)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(verify_valid_token, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_deep_json_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_project_roles_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_string_audience, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_tampered_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_wrong_key, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_alg_none, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_hs256_confusion, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_expired_within_leeway, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_not_yet_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_wrong_issuer, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_wrong_audience, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_unknown_kid_refetches_once, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_rotated_key_after_refetch, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_keys_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_missing_exp, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_roles_wrong_shape, setup, teardown),
        cmocka_unit_test(reason_name_known),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/*
 * token_cache.c - cached client-credentials tokens.
 */
#include "hito/token_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "hito/httpc.h"

#define FORM_MAX_BYTES 4096

struct token_cache {
    pthread_mutex_t lock;
    char *token_url;
    char *client_id;
    char *client_secret;
    char *scope;
    long margin_seconds;
    long timeout_ms;
    char *token;
    time_t expires_at;           /* monotonic seconds */
};

static time_t now_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static int dup_opt(char **dst, const char *src)
{
    if (src == NULL)
        return 1;
    *dst = strdup(src);
    return *dst != NULL;
}

void token_cache_free(struct token_cache *cache)
{
    if (cache == NULL)
        return;
    pthread_mutex_destroy(&cache->lock);
    free(cache->token_url);
    free(cache->client_id);
    free(cache->client_secret);
    free(cache->scope);
    free(cache->token);
    free(cache);
}

struct token_cache *token_cache_new(const struct token_cache_options *opts,
                                    struct hito_error *err)
{
    struct token_cache *cache;

    if (opts->token_url == NULL || opts->client_id == NULL || opts->client_secret == NULL) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "token cache: token_url, client_id and client_secret are required");
        return NULL;
    }
    cache = calloc(1, sizeof(*cache));
    if (cache == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "token cache: out of memory");
        return NULL;
    }
    pthread_mutex_init(&cache->lock, NULL);
    if (!dup_opt(&cache->token_url, opts->token_url) ||
        !dup_opt(&cache->client_id, opts->client_id) ||
        !dup_opt(&cache->client_secret, opts->client_secret) ||
        !dup_opt(&cache->scope, opts->scope)) {
        token_cache_free(cache);
        hito_error_set(err, HITO_ERR_NOMEM, "token cache: out of memory");
        return NULL;
    }
    cache->margin_seconds =
        opts->margin_seconds > 0 ? opts->margin_seconds : TOKEN_CACHE_DEFAULT_MARGIN_SECONDS;
    cache->timeout_ms = opts->timeout_ms;
    return cache;
}

/* Reads access_token and expires_in from a 200 response; the lock is held. */
static int store_token(struct token_cache *cache, const struct httpc_response *res,
                       struct hito_error *err)
{
    json_t *doc = json_loadb(res->body, res->body_len, 0, NULL);
    const char *token = json_string_value(json_object_get(doc, "access_token"));
    json_t *expires_in = json_object_get(doc, "expires_in");
    long lifetime = TOKEN_CACHE_DEFAULT_LIFETIME_SECONDS;
    int rc = HITO_OK;

    if (token == NULL || token[0] == '\0' || strlen(token) > TOKEN_CACHE_MAX_TOKEN_BYTES) {
        rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                            "token endpoint %s returned no usable access_token", cache->token_url);
        goto out;
    }
    if (json_is_integer(expires_in) && json_integer_value(expires_in) > 0)
        lifetime = (long)json_integer_value(expires_in);
    free(cache->token);
    cache->token = strdup(token);
    if (cache->token == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "token cache: out of memory");
        goto out;
    }
    cache->expires_at = now_monotonic() + lifetime;
out:
    json_decref(doc);
    return rc;
}

/* Returns the OAuth error code of a 4xx body, or "unknown". */
static void oauth_error(const struct httpc_response *res, char *buf, size_t size)
{
    json_t *doc = json_loadb(res->body, res->body_len, 0, NULL);
    const char *code = json_string_value(json_object_get(doc, "error"));

    snprintf(buf, size, "%s", code != NULL ? code : "unknown");
    json_decref(doc);
}

static int fetch_locked(struct token_cache *cache, struct hito_error *err)
{
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded",
                             "Accept: application/json", NULL};
    struct httpc_request req = {.method = "POST", .url = cache->token_url, .headers = headers,
                                .timeout_ms = cache->timeout_ms};
    struct httpc_response res = {0};
    char form[FORM_MAX_BYTES], code[64];
    char *user = httpc_escape(cache->client_id);
    char *password = httpc_escape(cache->client_secret);
    char *scope = cache->scope != NULL ? httpc_escape(cache->scope) : NULL;
    int n, rc;

    if (user == NULL || password == NULL || (cache->scope != NULL && scope == NULL)) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "token cache: out of memory");
        goto out;
    }
    n = snprintf(form, sizeof(form), "grant_type=client_credentials%s%s",
                 scope != NULL ? "&scope=" : "", scope != NULL ? scope : "");
    if (n < 0 || (size_t)n >= sizeof(form)) {
        rc = hito_error_set(err, HITO_ERR_LIMIT, "token request form exceeds %d bytes",
                            FORM_MAX_BYTES);
        goto out;
    }
    /* RFC 6749 section 2.3.1: Basic credentials are form-encoded first. */
    req.basic_user = user;
    req.basic_password = password;
    req.body = form;
    req.body_len = (size_t)n;
    rc = httpc_do(&req, &res, err);
    if (rc != HITO_OK) {
        if (err != NULL)
            err->code = HITO_ERR_UNAVAILABLE;
        rc = HITO_ERR_UNAVAILABLE;
        goto out;
    }
    if (res.status == 400 || res.status == 401) {
        oauth_error(&res, code, sizeof(code));
        rc = hito_error_set(err, HITO_ERR_AUTH, "token endpoint %s rejected client %s: HTTP %ld %s",
                            cache->token_url, cache->client_id, res.status, code);
    } else if (res.status != 200) {
        rc = hito_error_set(err, HITO_ERR_UNAVAILABLE, "token endpoint %s returned HTTP %ld",
                            cache->token_url, res.status);
    } else {
        rc = store_token(cache, &res, err);
    }
out:
    httpc_response_free(&res);
    free(user);
    free(password);
    free(scope);
    return rc;
}

int token_cache_get(struct token_cache *cache, char **token, struct hito_error *err)
{
    int rc = HITO_OK;

    *token = NULL;
    pthread_mutex_lock(&cache->lock);
    if (cache->token == NULL || now_monotonic() + cache->margin_seconds >= cache->expires_at)
        rc = fetch_locked(cache, err);
    if (rc == HITO_OK) {
        *token = strdup(cache->token);
        if (*token == NULL)
            rc = hito_error_set(err, HITO_ERR_NOMEM, "token cache: out of memory");
    }
    pthread_mutex_unlock(&cache->lock);
    return rc;
}

void token_cache_invalidate(struct token_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    free(cache->token);
    cache->token = NULL;
    cache->expires_at = 0;
    pthread_mutex_unlock(&cache->lock);
}

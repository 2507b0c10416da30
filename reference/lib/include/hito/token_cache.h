/*
 * token_cache.h - OAuth 2.0 client-credentials tokens (RFC 6749 section 4.4)
 * for service-to-service calls, fetched once and reused until shortly before
 * they expire. All functions are thread-safe; concurrent callers share one
 * fetch.
 */
#ifndef HITO_TOKEN_CACHE_H
#define HITO_TOKEN_CACHE_H

#include "hito/err.h"

/* A token is replaced this many seconds before its expires_in runs out. */
#define TOKEN_CACHE_DEFAULT_MARGIN_SECONDS 60
/* Used when the response has no expires_in. */
#define TOKEN_CACHE_DEFAULT_LIFETIME_SECONDS 300
#define TOKEN_CACHE_MAX_TOKEN_BYTES 16384

struct token_cache;

struct token_cache_options {
    const char *token_url;       /* e.g. http://localhost:22080/oauth/v2/token */
    const char *client_id;       /* for a ZITADEL machine user, its login name */
    const char *client_secret;
    const char *scope;           /* space-separated; NULL sends none */
    long margin_seconds;         /* 0: TOKEN_CACHE_DEFAULT_MARGIN_SECONDS */
    long timeout_ms;             /* per request; 0: httpc's default */
};

/* Copies opts; nothing is fetched yet. NULL with err on failure. */
struct token_cache *token_cache_new(const struct token_cache_options *opts,
                                    struct hito_error *err);
void token_cache_free(struct token_cache *cache);

/*
 * Stores in *token a copy (the caller frees it) of a valid access token,
 * fetching a new one when none is cached or the cached one expires within
 * the margin. Errors: HITO_ERR_AUTH when the server rejects the client
 * (with its OAuth error code in err), HITO_ERR_UNAVAILABLE when it cannot be
 * reached, HITO_ERR_PROTOCOL for a response without access_token.
 */
int token_cache_get(struct token_cache *cache, char **token, struct hito_error *err);

/* Drops the cached token, e.g. after a peer returned 401 for it. */
void token_cache_invalidate(struct token_cache *cache);

#endif

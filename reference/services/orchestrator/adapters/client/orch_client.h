/*
 * orch_client.h - JSON calls to another hito service over HTTP (httpc.h)
 * with the orchestrator's service token (token_cache.h). The calling
 * thread's request id (log.h) goes out as X-Request-Id, so the wamid
 * that the consumer binds to the thread follows the message.
 */
#ifndef ORCH_CLIENT_H
#define ORCH_CLIENT_H

#include <jansson.h>

#include "hito/err.h"
#include "hito/token_cache.h"

#define ORCH_CLIENT_URL_SIZE 512

struct orch_client_options {
    const char *base_url;       /* "http://127.0.0.1:22840" */
    long timeout_ms;            /* per request */
    struct token_cache *tokens; /* NULL: requests carry no token */
};

struct orch_client;

/* Copies opts; tokens stays the caller's. NULL with err on failure. */
struct orch_client *orch_client_new(const struct orch_client_options *opts,
                                    struct hito_error *err);
void orch_client_free(struct orch_client *client);

/*
 * POSTs body (not stolen) to base_url + path with an Idempotency-Key
 * header when idempotency_key is not NULL. Stores the status in *status
 * and, for a JSON reply, a new reference in *reply (NULL otherwise; the
 * caller decrefs it). A 401 drops the cached token and the request is sent
 * once more with a new one. Returns HITO_ERR_UNAVAILABLE or
 * HITO_ERR_TIMEOUT when no reply came, HITO_ERR_AUTH when no token could
 * be had; any HTTP status is HITO_OK.
 */
int orch_client_post(struct orch_client *client, const char *path, json_t *body,
                     const char *idempotency_key, long *status, json_t **reply,
                     struct hito_error *err);

/*
 * Maps a non-2xx status to an error code for a caller that retries:
 * 5xx, 429, 401 and 403 are HITO_ERR_UNAVAILABLE (the service, or the
 * identity provider's grant of a role, may recover), other 4xx
 * HITO_ERR_PROTOCOL. Fills err with the service's name and message.
 */
int orch_client_status_error(const char *service, long status,
                             const json_t *reply, struct hito_error *err);

#endif

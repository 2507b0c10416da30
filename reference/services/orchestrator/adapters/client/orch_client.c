#include "client/orch_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/httpc.h"

#define AUTH_HEADER_SIZE (TOKEN_CACHE_MAX_TOKEN_BYTES + 32)
#define KEY_HEADER_SIZE 256

struct orch_client {
    char base_url[ORCH_CLIENT_URL_SIZE];
    long timeout_ms;
    struct token_cache *tokens;
};

struct orch_client *orch_client_new(const struct orch_client_options *opts,
                                    struct hito_error *err)
{
    struct orch_client *client;

    if (strlen(opts->base_url) >= ORCH_CLIENT_URL_SIZE - 64) {
        hito_error_set(err, HITO_ERR_INVALID, "the URL %s is too long",
                       opts->base_url);
        return NULL;
    }
    client = calloc(1, sizeof(*client));
    if (client == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(client->base_url, sizeof(client->base_url), "%s", opts->base_url);
    client->timeout_ms = opts->timeout_ms;
    client->tokens = opts->tokens;
    return client;
}

void orch_client_free(struct orch_client *client)
{
    free(client);
}

/* Sends one request. auth is "Authorization: Bearer ..." or "". */
static int send_once(struct orch_client *client, const char *url,
                     const char *body, const char *auth, const char *key,
                     struct httpc_response *res, struct hito_error *err)
{
    const char *headers[4] = { "Content-Type: application/json" };
    size_t n = 1;
    struct httpc_request req = { 0 };

    if (auth[0] != '\0')
        headers[n++] = auth;
    if (key[0] != '\0')
        headers[n++] = key;
    headers[n] = NULL;
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = body;
    req.body_len = strlen(body);
    req.timeout_ms = client->timeout_ms;
    return httpc_do(&req, res, err);
}

static int bearer(struct orch_client *client, char *auth, size_t size,
                  struct hito_error *err)
{
    char *token = NULL;
    int rc;

    auth[0] = '\0';
    if (client->tokens == NULL)
        return HITO_OK;
    rc = token_cache_get(client->tokens, &token, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(auth, size, "Authorization: Bearer %s", token);
    free(token);
    return HITO_OK;
}

int orch_client_post(struct orch_client *client, const char *path, json_t *body,
                     const char *idempotency_key, long *status, json_t **reply,
                     struct hito_error *err)
{
    char url[ORCH_CLIENT_URL_SIZE + 128];
    char key[KEY_HEADER_SIZE] = "";
    char *auth = malloc(AUTH_HEADER_SIZE);
    char *text = json_dumps(body, JSON_COMPACT);
    struct httpc_response res = { 0 };
    int rc = HITO_ERR_NOMEM;

    *reply = NULL;
    if (auth == NULL || text == NULL) {
        hito_error_set(err, rc, "out of memory");
        goto out;
    }
    snprintf(url, sizeof(url), "%s%s", client->base_url, path);
    if (idempotency_key != NULL)
        snprintf(key, sizeof(key), "Idempotency-Key: %s", idempotency_key);
    rc = bearer(client, auth, AUTH_HEADER_SIZE, err);
    if (rc == HITO_OK)
        rc = send_once(client, url, text, auth, key, &res, err);
    if (rc == HITO_OK && res.status == 401 && client->tokens != NULL) {
        token_cache_invalidate(client->tokens);
        httpc_response_free(&res);
        rc = bearer(client, auth, AUTH_HEADER_SIZE, err);
        if (rc == HITO_OK)
            rc = send_once(client, url, text, auth, key, &res, err);
    }
    if (rc != HITO_OK)
        goto out;
    *status = res.status;
    *reply = json_loadb(res.body ? res.body : "", res.body_len, 0, NULL);

out:
    httpc_response_free(&res);
    free(auth);
    free(text);
    return rc;
}

int orch_client_status_error(const char *service, long status,
                             const json_t *reply, struct hito_error *err)
{
    const json_t *error = json_object_get(reply, "error");
    const char *message = json_string_value(json_object_get(error, "message"));
    int code = HITO_ERR_PROTOCOL;

    if (status >= 500 || status == 429 || status == 401 || status == 403)
        code = HITO_ERR_UNAVAILABLE;
    return hito_error_set(err, code, "%s returned %ld: %s", service, status,
                          message ? message : "no error message");
}

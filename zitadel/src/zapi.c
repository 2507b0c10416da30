/*
 * zapi.c - ZITADEL REST calls over httpc or a test transport.
 */
#include "zapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/httpc.h"

#define GRPC_FAILED_PRECONDITION 9

int zapi_init(struct zapi *api, const char *base, const char *token, struct hito_error *err)
{
    size_t len = strlen(base);

    memset(api, 0, sizeof(*api));
    while (len > 0 && base[len - 1] == '/')
        len--;
    if (len == 0 || len >= sizeof(api->base))
        return hito_error_set(err, HITO_ERR_INVALID, "invalid base URL \"%s\"", base);
    if (token == NULL || token[0] == '\0' || strlen(token) > ZAPI_MAX_TOKEN)
        return hito_error_set(err, HITO_ERR_INVALID, "the access token is empty or too long");
    memcpy(api->base, base, len);
    snprintf(api->authorization, sizeof(api->authorization), "Authorization: Bearer %s", token);
    return HITO_OK;
}

void zapi_set_org(struct zapi *api, const char *org_id)
{
    if (org_id == NULL)
        api->org_header[0] = '\0';
    else
        snprintf(api->org_header, sizeof(api->org_header), "x-zitadel-orgid: %s", org_id);
}

static int httpc_transport(void *user, const char *method, const char *url,
                           const char *const *headers, const char *body, long *status,
                           char **response, struct hito_error *err)
{
    struct httpc_request req = {.method = method, .url = url, .headers = headers, .body = body,
                                .body_len = body != NULL ? strlen(body) : 0};
    struct httpc_response res = {0};
    int rc;

    (void)user;
    rc = httpc_do(&req, &res, err);
    if (rc == HITO_OK) {
        *status = res.status;
        *response = res.body;
        res.body = NULL;
    }
    httpc_response_free(&res);
    return rc;
}

int zapi_call(struct zapi *api, const char *method, const char *path, json_t *body,
              struct zapi_response *res, struct hito_error *err)
{
    const char *headers[5] = {"Content-Type: application/json", "Accept: application/json",
                              api->authorization, NULL, NULL};
    zapi_transport send = api->transport != NULL ? api->transport : httpc_transport;
    char url[ZAPI_MAX_URL * 2];
    char *text = NULL, *response = NULL;
    int rc;

    memset(res, 0, sizeof(*res));
    if (api->org_header[0] != '\0')
        headers[3] = api->org_header;
    snprintf(url, sizeof(url), "%s%s", api->base, path);
    if (body != NULL || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        /* ZITADEL's REST gateway expects a JSON object on every POST and PUT. */
        text = body != NULL ? json_dumps(body, JSON_COMPACT) : strdup("{}");
        if (text == NULL)
            return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    rc = send(api->transport_user, method, url, headers, text, &res->status, &response, err);
    free(text);
    if (rc != HITO_OK)
        return rc;
    if (response != NULL && response[0] != '\0') {
        res->body = json_loads(response, 0, NULL);
        res->grpc_code = (int)json_integer_value(json_object_get(res->body, "code"));
        snprintf(res->message, sizeof(res->message), "%s",
                 json_string_value(json_object_get(res->body, "message")) != NULL
                     ? json_string_value(json_object_get(res->body, "message")) : "");
    }
    free(response);
    return HITO_OK;
}

void zapi_response_free(struct zapi_response *res)
{
    json_decref(res->body);
    res->body = NULL;
}

enum zapi_outcome zapi_classify(const struct zapi_response *res, int update)
{
    if (res->status >= 200 && res->status < 300)
        return ZAPI_CHANGED;
    if (res->status == 409)
        return ZAPI_EXISTS;
    if (update && res->status == 400 && res->grpc_code == GRPC_FAILED_PRECONDITION)
        return ZAPI_UNCHANGED;
    return ZAPI_FAILED;
}

#include "cloud/wa_cloud.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hito/httpc.h"
#include "hito/metrics.h"

#define METRIC_LATENCY "whatsapp_cloud_api_seconds"
#define AUTH_HEADER_SIZE (WA_CLOUD_TOKEN_MAX + 32)

struct wa_cloud_client {
    char url[WA_CLOUD_URL_SIZE];
    char auth_header[AUTH_HEADER_SIZE];
    long timeout_ms;
};

struct wa_cloud_client *wa_cloud_new(const struct wa_cloud_options *opts,
                                     struct hito_error *err)
{
    struct wa_cloud_client *client;

    if (opts->base_url == NULL || opts->version == NULL ||
        opts->phone_number_id == NULL || opts->access_token == NULL ||
        opts->access_token[0] == '\0' ||
        strlen(opts->access_token) > WA_CLOUD_TOKEN_MAX) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "the Cloud API URL, version, phone number id or "
                       "access token is missing or too long");
        return NULL;
    }
    client = calloc(1, sizeof(*client));
    if (client == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (snprintf(client->url, sizeof(client->url), "%s/%s/%s/messages",
                 opts->base_url, opts->version,
                 opts->phone_number_id) >= (int)sizeof(client->url)) {
        hito_error_set(err, HITO_ERR_INVALID, "the Cloud API URL is too long");
        free(client);
        return NULL;
    }
    snprintf(client->auth_header, sizeof(client->auth_header),
             "Authorization: Bearer %s", opts->access_token);
    client->timeout_ms = opts->timeout_ms;
    metrics_define(METRIC_LATENCY,
                   "Latency of Cloud API send calls by HTTP status",
                   METRICS_HISTOGRAM);
    return client;
}

void wa_cloud_free(struct wa_cloud_client *client)
{
    if (client == NULL)
        return;
    OPENSSL_cleanse(client->auth_header, sizeof(client->auth_header));
    free(client);
}

/* Reads messages[0].id of a success, or error.code and error.message. */
static void read_reply(const struct httpc_response *res,
                       struct wa_cloud_result *out)
{
    json_t *root = json_loadb(res->body, res->body_len, 0, NULL);
    json_t *error = json_object_get(root, "error");
    const char *wamid = json_string_value(json_object_get(
        json_array_get(json_object_get(root, "messages"), 0), "id"));
    const char *message = json_string_value(json_object_get(error, "message"));

    out->http_status = res->status;
    if (res->status >= 200 && res->status < 300 && wamid != NULL &&
        strlen(wamid) < sizeof(out->wamid)) {
        snprintf(out->wamid, sizeof(out->wamid), "%s", wamid);
    } else {
        /* A 2xx without a wamid is a failure the caller must not retry. */
        if (out->http_status >= 200 && out->http_status < 300)
            out->http_status = 502;
        out->error_code =
            (long)json_integer_value(json_object_get(error, "code"));
        snprintf(out->error_message, sizeof(out->error_message), "%s",
                 message ? message : "no error message in the reply");
    }
    json_decref(root);
}

static int cloud_send(void *self, const char *body, struct wa_cloud_result *out,
                      struct hito_error *err)
{
    struct wa_cloud_client *client = self;
    const char *headers[] = { "Content-Type: application/json",
                              client->auth_header, NULL };
    struct httpc_request req = { 0 };
    struct httpc_response res = { 0 };
    char labels[32];
    int rc;

    req.method = "POST";
    req.url = client->url;
    req.headers = headers;
    req.body = body;
    req.body_len = strlen(body);
    req.timeout_ms = client->timeout_ms;
    rc = httpc_do(&req, &res, err);
    snprintf(labels, sizeof(labels), "status=\"%ld\"", res.status);
    metrics_observe(METRIC_LATENCY, labels, res.elapsed_ms / 1000.0);
    if (rc == HITO_OK)
        read_reply(&res, out);
    else if (rc != HITO_ERR_TIMEOUT)
        rc = HITO_ERR_UNAVAILABLE;
    httpc_response_free(&res);
    return rc;
}

static const struct wa_cloud_ops cloud_ops = { cloud_send };

struct wa_cloud wa_cloud_port(struct wa_cloud_client *client)
{
    return (struct wa_cloud){ &cloud_ops, client };
}

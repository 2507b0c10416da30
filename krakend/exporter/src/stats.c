/*
 * stats.c - parses KrakenD statistic keys and sets the matching gauges.
 */
#include "stats.h"

#include <stdio.h>
#include <string.h>

#include "hito/metrics.h"

#define RESPONSE_PREFIX "krakend.router.response."
#define PROXY_PREFIX "krakend.proxy.requests.layer."
#define LABELS_MAX (STATS_MAX_ENDPOINT * 2 + 128)

/* Copies the len bytes at start into out (size bytes); -1 if they do not fit. */
static int copy_part(char *out, size_t size, const char *start, size_t len)
{
    if (len == 0 || len >= size)
        return -1;
    memcpy(out, start, len);
    out[len] = '\0';
    return 0;
}

/* "<endpoint>.status.<code>.count" */
static int parse_response(const char *rest, struct stats_sample *out)
{
    const char *status = strstr(rest, ".status.");
    const char *code;
    const char *end;

    if (status == NULL)
        return HITO_ERR_NOT_FOUND;
    code = status + strlen(".status.");
    end = strchr(code, '.');
    if (end == NULL || strcmp(end, ".count") != 0 ||
        copy_part(out->endpoint, sizeof(out->endpoint), rest, (size_t)(status - rest)) != 0 ||
        copy_part(out->status, sizeof(out->status), code, (size_t)(end - code)) != 0)
        return HITO_ERR_NOT_FOUND;
    out->kind = STATS_RESPONSES;
    return HITO_OK;
}

/* "<layer>.name.<endpoint>.complete.<bool>.error.<bool>" */
static int parse_proxy(const char *rest, struct stats_sample *out)
{
    const char *name = strstr(rest, ".name.");
    const char *complete;
    const char *error;

    if (name == NULL ||
        copy_part(out->layer, sizeof(out->layer), rest, (size_t)(name - rest)) != 0)
        return HITO_ERR_NOT_FOUND;
    name += strlen(".name.");
    complete = strstr(name, ".complete.");
    if (complete == NULL ||
        copy_part(out->endpoint, sizeof(out->endpoint), name, (size_t)(complete - name)) != 0)
        return HITO_ERR_NOT_FOUND;
    complete += strlen(".complete.");
    error = strstr(complete, ".error.");
    if (error == NULL)
        return HITO_ERR_NOT_FOUND;
    out->complete = strncmp(complete, "true", 4) == 0;
    error += strlen(".error.");
    if (strcmp(error, "true") != 0 && strcmp(error, "false") != 0)
        return HITO_ERR_NOT_FOUND;
    out->error = strcmp(error, "true") == 0;
    out->kind = STATS_PROXY_REQUESTS;
    return HITO_OK;
}

int stats_parse_key(const char *key, struct stats_sample *out)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(key, RESPONSE_PREFIX, strlen(RESPONSE_PREFIX)) == 0)
        return parse_response(key + strlen(RESPONSE_PREFIX), out);
    if (strncmp(key, PROXY_PREFIX, strlen(PROXY_PREFIX)) == 0)
        return parse_proxy(key + strlen(PROXY_PREFIX), out);
    if (strcmp(key, "krakend.router.connected-total") == 0 ||
        strcmp(key, "krakend.router.disconnected-total") == 0) {
        out->kind = STATS_CONNECTIONS;
        out->connected = key[strlen("krakend.router.")] == 'c';
        return HITO_OK;
    }
    return HITO_ERR_NOT_FOUND;
}

int stats_define(void)
{
    int rc = metrics_define("krakend_router_responses",
                            "Responses by endpoint and status since KrakenD started",
                            METRICS_GAUGE);

    if (rc == HITO_OK)
        rc = metrics_define("krakend_proxy_requests",
                            "Proxy-layer requests by endpoint and outcome since KrakenD started",
                            METRICS_GAUGE);
    if (rc == HITO_OK)
        rc = metrics_define("krakend_router_connections",
                            "Client connections opened and closed since KrakenD started",
                            METRICS_GAUGE);
    return rc;
}

/* Sets the gauge of one parsed sample; returns 1 when set. */
static int apply_sample(const struct stats_sample *s, double value)
{
    char endpoint[STATS_MAX_ENDPOINT * 2];
    char labels[LABELS_MAX];

    if (s->kind == STATS_CONNECTIONS) {
        metrics_set("krakend_router_connections",
                    s->connected ? "state=\"connected\"" : "state=\"disconnected\"", value);
        return 1;
    }
    if (metrics_escape_label(s->endpoint, endpoint, sizeof(endpoint)) != 0)
        return 0;
    if (s->kind == STATS_RESPONSES) {
        snprintf(labels, sizeof(labels), "endpoint=\"%s\",status=\"%s\"", endpoint, s->status);
        metrics_set("krakend_router_responses", labels, value);
    } else {
        snprintf(labels, sizeof(labels),
                 "endpoint=\"%s\",layer=\"%s\",complete=\"%s\",error=\"%s\"", endpoint,
                 s->layer, s->complete ? "true" : "false", s->error ? "true" : "false");
        metrics_set("krakend_proxy_requests", labels, value);
    }
    return 1;
}

int stats_apply(const json_t *stats)
{
    const char *key;
    json_t *value;
    int count = 0;

    json_object_foreach((json_t *)stats, key, value) {
        struct stats_sample sample;

        if (!json_is_number(value) || stats_parse_key(key, &sample) != HITO_OK)
            continue;
        count += apply_sample(&sample, json_number_value(value));
    }
    return count;
}

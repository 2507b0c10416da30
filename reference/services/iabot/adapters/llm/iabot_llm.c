#include "iabot_llm.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/httpc.h"

#define AUTH_HEADER_MAX 512
/* Longest reply content read as an intent name. */
#define REPLY_MAX 64

struct iabot_llm_client {
    char url[IABOT_LLM_URL_MAX];
    char auth_header[AUTH_HEADER_MAX];
    char model[IABOT_LLM_TEXT_MAX];
    long timeout_ms;
};

static const char system_prompt[] =
    "You classify one message a customer sent to a shop on WhatsApp,"
    " usually in Spanish. Answer with exactly one of these intent names and"
    " nothing else: greeting, product_search, price_question, add_to_cart,"
    " checkout, payment_status, order_status, delivery_tracking,"
    " cancel_order, otp_code, talk_to_human, goodbye, out_of_scope.";

struct iabot_llm_client *iabot_llm_new(const struct iabot_llm_options *opts,
                                       struct hito_error *err)
{
    struct iabot_llm_client *c = calloc(1, sizeof(*c));
    int n;

    if (c == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    n = snprintf(c->url, sizeof(c->url), "%s/chat/completions", opts->base_url);
    if (n < 0 || (size_t)n >= sizeof(c->url) ||
        strlen(opts->model) >= sizeof(c->model) ||
        strlen(opts->api_key) + 32 >= sizeof(c->auth_header)) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "LLM base URL, model or key is too long");
        free(c);
        return NULL;
    }
    snprintf(c->model, sizeof(c->model), "%s", opts->model);
    if (opts->api_key[0] != '\0')
        snprintf(c->auth_header, sizeof(c->auth_header),
                 "Authorization: Bearer %s", opts->api_key);
    c->timeout_ms = opts->timeout_ms;
    return c;
}

void iabot_llm_free(struct iabot_llm_client *client)
{
    free(client);
}

char *iabot_llm_request_body(const char *model, const char *text)
{
    json_t *body = json_pack("{s:s, s:i, s:i, s:[{s:s, s:s}, {s:s, s:s}]}",
                             "model", model, "temperature", 0, "max_tokens", 8,
                             "messages", "role", "system", "content",
                             system_prompt, "role", "user", "content", text);
    char *out;

    if (body == NULL)
        return NULL;
    out = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return out;
}

int iabot_llm_parse_reply(const char *body, enum intent *out,
                          struct hito_error *err)
{
    char reply[REPLY_MAX];
    json_t *doc = json_loads(body, 0, NULL);
    const char *content = NULL;
    size_t start = 0, len, i;
    int intent;

    if (doc != NULL)
        content = json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(doc, "choices"), 0),
                            "message"),
            "content"));
    if (content == NULL) {
        json_decref(doc);
        return hito_error_set(err, HITO_ERR_PROTOCOL,
                              "LLM reply has no choices[0].message");
    }
    len = strlen(content);
    while (start < len && isspace((unsigned char)content[start]))
        start++;
    while (len > start && (isspace((unsigned char)content[len - 1]) ||
                           content[len - 1] == '.'))
        len--;
    if (len - start >= sizeof(reply)) {
        json_decref(doc);
        return hito_error_set(err, HITO_ERR_PROTOCOL,
                              "LLM reply is not an intent name");
    }
    for (i = start; i < len; i++)
        reply[i - start] = (char)tolower((unsigned char)content[i]);
    reply[len - start] = '\0';
    json_decref(doc);
    intent = intent_parse(reply);
    if (intent < 0 || intent >= INTENT_CLASSES)
        return hito_error_set(err, HITO_ERR_PROTOCOL,
                              "LLM answered \"%s\", not an intent", reply);
    *out = (enum intent)intent;
    return HITO_OK;
}

static int classify(void *self, const char *text, enum intent *out,
                    struct hito_error *err)
{
    struct iabot_llm_client *c = self;
    const char *headers[] = {"Content-Type: application/json", NULL, NULL};
    struct httpc_request req = {0};
    struct httpc_response res = {0};
    char *body = iabot_llm_request_body(c->model, text);
    int rc;

    if (body == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "out of memory for the LLM request");
    if (c->auth_header[0] != '\0')
        headers[1] = c->auth_header;
    req.method = "POST";
    req.url = c->url;
    req.headers = headers;
    req.body = body;
    req.body_len = strlen(body);
    req.timeout_ms = c->timeout_ms;
    rc = httpc_do(&req, &res, err);
    if (rc == HITO_OK && res.status != 200)
        rc = hito_error_set(err, HITO_ERR_UNAVAILABLE, "LLM answered HTTP %ld",
                            res.status);
    if (rc == HITO_OK)
        rc = iabot_llm_parse_reply(res.body, out, err);
    httpc_response_free(&res);
    free(body);
    return rc;
}

static const struct iabot_llm_ops llm_ops = {classify};

void iabot_llm_port(struct iabot_llm_client *client, struct iabot_llm *llm)
{
    llm->ops = &llm_ops;
    llm->self = client;
}

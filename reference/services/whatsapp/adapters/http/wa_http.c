#include "http/wa_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/log.h"
#include "wa_message.h"

#define QUERY_VALUE_SIZE 512

struct wa_http {
    struct wa_http_deps deps;
};

/* Sends 401, 403 or 503 and returns nonzero when the caller is not
 * authenticated; else copies its client id (the token's sub). */
static int authenticate(struct wa_http *http, struct httpd_req *req,
                        char *client_id)
{
    struct service_caller caller = { 0 };
    struct hito_error err = { 0 };
    int rc;

    rc = service_auth_check(http->deps.auth, httpd_header(req, "Authorization"),
                            http->deps.roles, &caller, &err);
    if (rc != HITO_OK) {
        service_auth_reply(req, rc, &err);
        return 1;
    }
    snprintf(client_id, WA_CLIENT_ID_SIZE, "%s", caller.sub);
    return 0;
}

static void send_reply(struct httpd_req *req, struct wa_reply *reply)
{
    if (reply->body == NULL && reply->status == 200) {
        httpd_reply(req, 200, "text/plain", reply->text, strlen(reply->text));
        return;
    }
    if (reply->body == NULL) {
        httpd_reply_error(req, 500, "internal", "out of memory");
        return;
    }
    if (json_is_object(json_object_get(reply->body, "error")))
        json_object_set_new(json_object_get(reply->body, "error"), "request_id",
                            json_string(httpd_request_id(req)));
    httpd_reply_json(req, reply->status, json_incref(reply->body));
}

static void handle_send(struct httpd_req *req, void *user)
{
    struct wa_http *http = user;
    char client_id[WA_CLIENT_ID_SIZE];
    struct wa_reply reply;
    size_t len = 0;
    const char *body;

    if (authenticate(http, req, client_id))
        return;
    body = httpd_body(req, &len);
    wa_service_send(http->deps.service, client_id,
                    httpd_header(req, "Idempotency-Key"), body ? body : "", len,
                    &reply);
    send_reply(req, &reply);
    wa_reply_clear(&reply);
}

static void handle_verify(struct httpd_req *req, void *user)
{
    struct wa_http *http = user;
    char mode[QUERY_VALUE_SIZE], token[QUERY_VALUE_SIZE];
    char challenge[QUERY_VALUE_SIZE];
    struct wa_reply reply;

    wa_service_verify(
        http->deps.service,
        httpd_query(req, "hub.mode", mode, sizeof(mode)) < 0 ? NULL : mode,
        httpd_query(req, "hub.verify_token", token, sizeof(token)) < 0 ? NULL
                                                                       : token,
        httpd_query(req, "hub.challenge", challenge, sizeof(challenge)) < 0
            ? NULL
            : challenge,
        &reply);
    send_reply(req, &reply);
    wa_reply_clear(&reply);
}

static void handle_webhook(struct httpd_req *req, void *user)
{
    struct wa_http *http = user;
    struct wa_reply reply;
    size_t len = 0;
    const char *body = httpd_body(req, &len);

    wa_service_receive(http->deps.service, body ? body : "", len,
                       httpd_header(req, "X-Hub-Signature-256"),
                       httpd_request_id(req), &reply);
    send_reply(req, &reply);
    if (reply.status == 200 && http->deps.on_stored != NULL &&
        json_integer_value(json_object_get(reply.body, "stored")) > 0)
        http->deps.on_stored(http->deps.on_stored_user);
    wa_reply_clear(&reply);
}

/* Reads an optional integer query parameter within [min, max]. */
static int query_long(struct httpd_req *req, const char *name, long fallback,
                      long min, long max, long long *out)
{
    char text[32];
    char *end = NULL;

    if (httpd_query(req, name, text, sizeof(text)) < 0) {
        *out = fallback;
        return 0;
    }
    *out = strtoll(text, &end, 10);
    return text[0] != '\0' && *end == '\0' && *out >= min && *out <= max ? 0
                                                                         : -1;
}

static void reply_store_error(struct httpd_req *req,
                              const struct hito_error *err)
{
    if (err->code == HITO_ERR_NOT_FOUND)
        httpd_reply_error(req, 404, "not_found", "%s", err->message);
    else
        httpd_reply_error(req, 503, "store_unavailable", "%s", err->message);
}

static void handle_history(struct httpd_req *req, void *user)
{
    struct wa_http *http = user;
    char client_id[WA_CLIENT_ID_SIZE];
    const char *customer = httpd_param(req, "customer");
    struct hito_error err = { 0 };
    struct wa_history_query q = { 0 };
    long long before = 0, limit = 0;
    json_t *page = NULL;

    if (authenticate(http, req, client_id))
        return;
    if (!wa_phone_is_valid(customer) ||
        query_long(req, "before", 0, 0, (long)1 << 62, &before) != 0 ||
        query_long(req, "limit", WA_HTTP_HISTORY_DEFAULT, 1,
                   WA_HTTP_HISTORY_MAX, &limit) != 0) {
        httpd_reply_error(req, 400, "invalid_request",
                          "customer must be a phone number, before a message "
                          "id and limit 1 to %d",
                          WA_HTTP_HISTORY_MAX);
        return;
    }
    q.customer = customer[0] == '+' ? customer + 1 : customer;
    q.before_id = before;
    q.limit = (int)limit;
    err.code =
        http->deps.store.ops->history(http->deps.store.self, &q, &page, &err);
    if (err.code != HITO_OK)
        reply_store_error(req, &err);
    else
        httpd_reply_json(req, 200, page);
}

static void handle_message(struct httpd_req *req, void *user)
{
    struct wa_http *http = user;
    char client_id[WA_CLIENT_ID_SIZE];
    struct hito_error err = { 0 };
    json_t *message = NULL;

    if (authenticate(http, req, client_id))
        return;
    err.code = http->deps.store.ops->message(
        http->deps.store.self, httpd_param(req, "wamid"), &message, &err);
    if (err.code != HITO_OK)
        reply_store_error(req, &err);
    else
        httpd_reply_json(req, 200, message);
}

struct wa_http *wa_http_new(struct httpd *srv, const struct wa_http_deps *deps,
                            struct hito_error *err)
{
    static const struct {
        const char *method;
        const char *pattern;
        httpd_handler handler;
    } routes[] = {
        { "POST", "/v1/messages", handle_send },
        { "POST", "/v1/whatsapp/messages", handle_send },
        { "GET", "/v1/whatsapp/webhook", handle_verify },
        { "POST", "/v1/whatsapp/webhook", handle_webhook },
        { "GET", "/v1/whatsapp/conversations/{customer}/messages",
          handle_history },
        { "GET", "/v1/whatsapp/messages/{wamid}", handle_message },
    };
    struct wa_http *http = calloc(1, sizeof(*http));

    if (http == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    http->deps = *deps;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (httpd_route(srv, routes[i].method, routes[i].pattern,
                        routes[i].handler, http) != HITO_OK) {
            hito_error_set(err, HITO_ERR_NOMEM, "adding a route failed");
            free(http);
            return NULL;
        }
    }
    return http;
}

void wa_http_free(struct wa_http *http)
{
    free(http);
}

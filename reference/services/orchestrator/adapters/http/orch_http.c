#include "http/orch_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/log.h"
#include "json/orch_json.h"

struct orch_http {
    struct orch_http_deps deps;
};

/* Sends 401, 403 or 503 and returns nonzero when the caller is not let in;
 * otherwise copies the caller's subject into subject. */
static int reject_caller(struct httpd_req *req,
                         const struct orch_http_deps *deps, char *subject,
                         size_t size)
{
    struct service_caller caller;
    struct hito_error err = { 0 };
    int rc = service_auth_check(deps->auth, httpd_header(req, "Authorization"),
                                deps->roles, &caller, &err);

    if (rc != HITO_OK) {
        service_auth_reply(req, rc, &err);
        return 1;
    }
    snprintf(subject, size, "%s", caller.sub);
    return 0;
}

static void reply_service_error(struct httpd_req *req, int rc,
                                const struct hito_error *err)
{
    if (rc == HITO_ERR_NOT_FOUND)
        httpd_reply_error(req, 404, "not_found", "%s", err->message);
    else if (rc == HITO_ERR_CONFLICT)
        httpd_reply_error(req, 409, "conflict", "%s", err->message);
    else if (rc == HITO_ERR_UNAVAILABLE || rc == HITO_ERR_IO ||
             rc == HITO_ERR_TIMEOUT) {
        /* The message may hold the database's own error text: log only. */
        LOG_ERROR("an operator request failed", "error", err->message);
        httpd_reply_error(req, 503, "unavailable",
                          "the conversation store is unavailable; retry later");
    } else {
        LOG_ERROR("an operator request failed", "error", err->message);
        httpd_reply_error(req, 500, "internal",
                          "the request failed; see the orchestrator's log");
    }
}

int orch_http_check_customer(const char *customer, struct hito_error *err)
{
    json_t *text;

    if (customer == NULL || customer[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the customer id is missing");
    if (strlen(customer) >= ORCH_PHONE_SIZE)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the customer id is longer than %d bytes",
                              ORCH_PHONE_SIZE - 1);
    /* jansson's json_string returns NULL for text that is not UTF-8. */
    text = json_string(customer);
    if (text == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the customer id is not valid UTF-8");
    json_decref(text);
    return HITO_OK;
}

static void list_handovers(struct httpd_req *req, void *user)
{
    const struct orch_http_deps *deps = user;
    char subject[SERVICE_AUTH_TEXT_MAX];
    struct orch_conversation *list;
    struct hito_error err = { 0 };
    json_t *items;
    size_t count = 0;
    int rc;

    if (reject_caller(req, deps, subject, sizeof(subject)))
        return;
    list = calloc(ORCH_HTTP_LIST_MAX, sizeof(*list));
    items = json_array();
    if (list == NULL || items == NULL) {
        httpd_reply_error(req, 500, "internal", "out of memory");
        goto out;
    }
    rc = orch_service_list_handovers(deps->service, list, ORCH_HTTP_LIST_MAX,
                                     &count, &err);
    if (rc != HITO_OK) {
        reply_service_error(req, rc, &err);
        goto out;
    }
    for (size_t i = 0; i < count; i++)
        json_array_append_new(items, orch_json_conversation(&list[i]));
    httpd_reply_json(req, 200, json_pack("{s:O}", "conversations", items));

out:
    json_decref(items);
    free(list);
}

static void change_handover(struct httpd_req *req,
                            const struct orch_http_deps *deps, int take)
{
    const char *customer = httpd_param(req, "customer");
    char subject[SERVICE_AUTH_TEXT_MAX];
    struct orch_conversation conv;
    struct hito_error err = { 0 };
    int rc;

    if (reject_caller(req, deps, subject, sizeof(subject)))
        return;
    if (orch_http_check_customer(customer, &err) != HITO_OK) {
        httpd_reply_error(req, 400, "invalid_request", "%s", err.message);
        return;
    }
    if (take)
        rc = orch_service_take_over(deps->service, customer, subject, &conv,
                                    &err);
    else
        rc = orch_service_hand_back(deps->service, customer, &conv, &err);
    if (rc != HITO_OK) {
        reply_service_error(req, rc, &err);
        return;
    }
    LOG_INFO(take ? "conversation taken over" : "conversation handed back",
             "customer", customer, "operator", subject);
    httpd_reply_json(req, 200, orch_json_conversation(&conv));
}

static void take_over(struct httpd_req *req, void *user)
{
    change_handover(req, user, 1);
}

static void hand_back(struct httpd_req *req, void *user)
{
    change_handover(req, user, 0);
}

struct orch_http *orch_http_new(struct httpd *srv,
                                const struct orch_http_deps *deps,
                                struct hito_error *err)
{
    struct orch_http *http = calloc(1, sizeof(*http));
    int rc;

    if (http == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    http->deps = *deps;
    rc = httpd_route(srv, "GET", "/v1/handovers", list_handovers, &http->deps);
    if (rc == HITO_OK)
        rc = httpd_route(srv, "POST", "/v1/handovers/{customer}/take",
                         take_over, &http->deps);
    if (rc == HITO_OK)
        rc = httpd_route(srv, "POST", "/v1/handovers/{customer}/release",
                         hand_back, &http->deps);
    if (rc != HITO_OK) {
        hito_error_set(err, rc, "adding the operator routes failed");
        free(http);
        return NULL;
    }
    return http;
}

void orch_http_free(struct orch_http *http)
{
    free(http);
}

#include "iabot_http.h"

#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "hito/log.h"

static int status_of(int code)
{
    switch (code) {
    case HITO_ERR_INVALID:
        return 400;
    case HITO_ERR_AUTH:
        return 401;
    case HITO_ERR_NOT_FOUND:
        return 404;
    case HITO_ERR_CONFLICT:
        return 409;
    case HITO_ERR_LIMIT:
        return 413;
    case HITO_ERR_UNAVAILABLE:
        return 503;
    case HITO_ERR_TIMEOUT:
        return 504;
    default:
        return 500;
    }
}

static const char *code_of(int status)
{
    switch (status) {
    case 400:
        return "invalid_request";
    case 401:
        return "unauthenticated";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 409:
        return "conflict";
    case 413:
        return "payload_too_large";
    case 503:
        return "unavailable";
    case 504:
        return "timeout";
    default:
        return "internal";
    }
}

/*
 * Sends the status for err. A 5xx reply carries a fixed message because
 * err's text may contain the database's own error, which goes to the log.
 */
static void reply_failure(struct httpd_req *req, const struct hito_error *err)
{
    int status = status_of(err->code);

    if (status < 500) {
        httpd_reply_error(req, status, code_of(status), "%s", err->message);
        return;
    }
    LOG_ERROR("request failed", "path", httpd_path(req), "error",
              err->message);
    if (status == 500)
        httpd_reply_error(req, status, code_of(status),
                          "the request failed; see the IA bot's log");
    else
        httpd_reply_error(req, status, code_of(status),
                          "a dependency of the IA bot is unavailable; retry "
                          "later");
}

/* Sends out with status when rc is HITO_OK, and err's failure otherwise. */
static void reply_result(struct httpd_req *req, int rc,
                         const struct hito_error *err, int status, json_t *out)
{
    if (rc != HITO_OK) {
        json_decref(out);
        reply_failure(req, err);
        return;
    }
    httpd_reply_json(req, status, out);
}

/* Returns nonzero when the caller may go on; otherwise a reply was sent. */
static int authorised(struct httpd_req *req,
                      const struct iabot_http_options *opts,
                      const struct service_roles *roles)
{
    struct hito_error err = {0};
    int rc;

    if (opts->authorise == NULL)
        return 1;
    rc = opts->authorise(opts->authorise_user,
                         httpd_header(req, "Authorization"), roles, &err);
    if (rc == HITO_OK)
        return 1;
    service_auth_reply(req, rc, &err);
    return 0;
}

/* Reads a required string member; sends 400 and returns NULL when missing. */
static const char *required_string(struct httpd_req *req, json_t *body,
                                   const char *name)
{
    const char *value = json_string_value(json_object_get(body, name));

    if (value == NULL)
        httpd_reply_error(req, 400, "invalid_request", "%s must be a string",
                          name);
    return value;
}

static void handle_analyse(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    struct iabot_analyse_request ar = {0};
    struct hito_error err = {0};
    json_t *body, *out = NULL;
    int rc;

    if (!authorised(req, opts, &opts->client_roles) ||
        (body = httpd_body_json(req)) == NULL)
        return;
    if ((ar.conversation_id = required_string(req, body, "conversation_id")) ==
            NULL ||
        (ar.customer_id = required_string(req, body, "customer_id")) == NULL ||
        (ar.text = required_string(req, body, "text")) == NULL)
        goto out;
    ar.model_version =
        json_string_value(json_object_get(body, "model_version"));
    rc = iabot_service_analyse(opts->service, &ar, &out, &err);
    reply_result(req, rc, &err, 200, out);
out:
    json_decref(body);
}

static int valid_uuid(const char *text)
{
    uuid_t id;

    return text != NULL && strlen(text) == IABOT_ID_SIZE - 1 &&
           uuid_parse(text, id) == 0;
}

static void handle_feedback(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    struct hito_error err = {0};
    const char *message_id, *intent, *source;
    json_t *body, *out = NULL;
    int rc;

    if (!authorised(req, opts, &opts->client_roles) ||
        (body = httpd_body_json(req)) == NULL)
        return;
    if ((message_id = required_string(req, body, "message_id")) == NULL ||
        (intent = required_string(req, body, "intent")) == NULL ||
        (source = required_string(req, body, "source")) == NULL)
        goto out;
    if (!valid_uuid(message_id)) {
        httpd_reply_error(req, 400, "invalid_request",
                          "message_id must be a UUID");
        goto out;
    }
    rc = iabot_service_feedback(opts->service, message_id, intent, source,
                                &out, &err);
    reply_result(req, rc, &err, 201, out);
out:
    json_decref(body);
}

static void handle_start_training(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    struct hito_error err = {0};
    json_t *out = NULL;
    int rc;

    if (!authorised(req, opts, &opts->admin_roles))
        return;
    rc = iabot_service_start_training(opts->service, &out, &err);
    reply_result(req, rc, &err, 202, out);
}

static void handle_get_training(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    struct hito_error err = {0};
    const char *id = httpd_param(req, "id");
    json_t *out = NULL;
    int rc;

    if (!authorised(req, opts, &opts->admin_roles))
        return;
    if (!valid_uuid(id)) {
        httpd_reply_error(req, 404, "not_found", "training run ids are UUIDs");
        return;
    }
    rc = iabot_service_training_run(opts->service, id, &out, &err);
    reply_result(req, rc, &err, 200, out);
}

static void handle_promote(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    struct hito_error err = {0};
    const char *version = httpd_param(req, "version");
    json_t *out = NULL;
    int rc;

    if (!authorised(req, opts, &opts->admin_roles))
        return;
    if (version == NULL || strlen(version) >= MODEL_VERSION_SIZE) {
        httpd_reply_error(req, 404, "not_found",
                          "model versions look like m-0123456789ab");
        return;
    }
    rc = iabot_service_promote(opts->service, version, &out, &err);
    if (rc == HITO_OK) {
        httpd_reply_json(req, 200, out);
    } else if (rc == HITO_ERR_CONFLICT && out != NULL) {
        json_object_set_new(out, "error",
                            json_pack("{s:s, s:s, s:s}", "code", "conflict",
                                      "message", err.message, "request_id",
                                      httpd_request_id(req)));
        httpd_reply_json(req, 409, out);
    } else {
        json_decref(out);
        reply_failure(req, &err);
    }
}

static void handle_rollback(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    struct hito_error err = {0};
    json_t *out = NULL;
    int rc;

    if (!authorised(req, opts, &opts->admin_roles))
        return;
    rc = iabot_service_rollback(opts->service, &out, &err);
    reply_result(req, rc, &err, 200, out);
}

/* Default and bounds of ?limit= on the history route. */
#define HISTORY_DEFAULT_LIMIT 50
#define LIMIT_TEXT_MAX 16

static void handle_conversation(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    struct hito_error err = {0};
    char text[LIMIT_TEXT_MAX];
    long limit = HISTORY_DEFAULT_LIMIT;
    json_t *out = NULL;
    char *end = NULL;
    int rc;

    if (!authorised(req, opts, &opts->client_roles))
        return;
    if (httpd_query(req, "limit", text, sizeof(text)) >= 0) {
        limit = strtol(text, &end, 10);
        if (end == text || *end != '\0')
            limit = 0; /* rejected below with the accepted range */
    }
    rc = iabot_service_conversation(opts->service, httpd_param(req, "id"),
                                    limit, &out, &err);
    reply_result(req, rc, &err, 200, out);
}

static void handle_current_model(struct httpd_req *req, void *user)
{
    const struct iabot_http_options *opts = user;
    char version[MODEL_VERSION_SIZE];

    if (!authorised(req, opts, &opts->client_roles))
        return;
    iabot_service_model_version(opts->service, version);
    httpd_reply_json(req, 200, json_pack("{s:s}", "model_version", version));
}

int iabot_http_routes(struct httpd *srv, struct iabot_http_options *opts,
                      struct hito_error *err)
{
    static const struct {
        const char *method;
        const char *pattern;
        httpd_handler handler;
    } routes[] = {
        {"POST", "/v1/analyse", handle_analyse},
        {"POST", "/v1/feedback", handle_feedback},
        {"POST", "/v1/training/runs", handle_start_training},
        {"GET", "/v1/training/runs/{id}", handle_get_training},
        {"POST", "/v1/models/rollback", handle_rollback},
        {"POST", "/v1/models/{version}/promote", handle_promote},
        {"GET", "/v1/models/current", handle_current_model},
        {"GET", "/v1/conversations/{id}/messages", handle_conversation},
    };
    size_t i;

    if (service_roles_parse(&opts->client_roles, IABOT_ROLE_CLIENT, err) !=
            HITO_OK ||
        service_roles_parse(&opts->admin_roles, IABOT_ROLE_ADMIN, err) !=
            HITO_OK)
        return HITO_ERR_INVALID;
    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        int rc = httpd_route(srv, routes[i].method, routes[i].pattern,
                             routes[i].handler, opts);

        if (rc != HITO_OK)
            return hito_error_set(err, HITO_ERR_NOMEM, "cannot add route %s",
                                  routes[i].pattern);
    }
    return HITO_OK;
}

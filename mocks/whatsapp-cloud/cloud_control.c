/*
 * The emulator's control API and Meta's side of webhooks: notifications
 * built as Meta writes them, signed and POSTed to the callback URL.
 */
#include "cloud_mock_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hito/httpc.h"
#include "hito/log.h"

#define WABA_ID "102290129340398"
#define DISPLAY_NUMBER "15550783881"
#define DELIVERY_TIMEOUT_MS 5000
/* Meta escapes "/" and writes every non-ASCII character as \uXXXX. */
#define META_JSON_FLAGS (JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII)
#define SIGNATURE_SIZE 72

/* Writes "sha256=<hex HMAC-SHA256(app secret, body)>" into out. */
static void sign(const struct cloud_mock *mock, const char *body,
                 char out[SIGNATURE_SIZE])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    HMAC(EVP_sha256(), mock->app_secret, (int)strlen(mock->app_secret),
         (const unsigned char *)body, strlen(body), mac, &len);
    memcpy(out, "sha256=", 7);
    for (unsigned int i = 0; i < len && i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", mac[i]);
}

/*
 * POSTs body to the callback URL with signature (NULL: the right one) and
 * records the delivery. Returns the HTTP status, 0 when no reply came.
 */
static long deliver(struct cloud_mock *mock, const char *body,
                    const char *signature)
{
    char computed[SIGNATURE_SIZE];
    char header[SIGNATURE_SIZE + 256];
    const char *headers[] = { "Content-Type: application/json", header, NULL };
    struct httpc_request req = { 0 };
    struct httpc_response res = { 0 };
    struct hito_error err = { 0 };
    long status = 0;

    sign(mock, body, computed);
    snprintf(header, sizeof(header), "X-Hub-Signature-256: %.250s",
             signature ? signature : computed);
    req.method = "POST";
    req.url = mock->webhook_url;
    req.headers = headers;
    req.body = body;
    req.body_len = strlen(body);
    req.timeout_ms = DELIVERY_TIMEOUT_MS;
    if (httpc_do(&req, &res, &err) == HITO_OK)
        status = res.status;
    else
        LOG_WARN("webhook delivery failed", "error", err.message);
    pthread_mutex_lock(&mock->lock);
    cloud_mock_record(mock->deliveries,
                      json_pack("{s:s, s:I, s:s#}", "body", body, "status",
                                (json_int_t)status, "reply",
                                res.body ? res.body : "",
                                (int)(res.body ? res.body_len : 0)));
    pthread_mutex_unlock(&mock->lock);
    httpc_response_free(&res);
    return status;
}

/* Wraps a change value in Meta's notification envelope. */
static json_t *envelope(const struct cloud_mock *mock, json_t *value)
{
    json_object_set_new(value, "messaging_product", json_string("whatsapp"));
    json_object_set_new(value, "metadata",
                        json_pack("{s:s, s:s}", "display_phone_number",
                                  DISPLAY_NUMBER, "phone_number_id",
                                  mock->phone_number_id));
    return json_pack("{s:s, s:[{s:s, s:[{s:o, s:s}]}]}", "object",
                     "whatsapp_business_account", "entry", "id", WABA_ID,
                     "changes", "value", value, "field", "messages");
}

/* Lower-cases the hex digits of the \uXXXX escapes of JSON text: jansson
 * writes \u00E9 where Meta writes \u00e9. */
static void lowercase_escapes(char *json)
{
    for (char *p = json; *p != '\0'; p++) {
        if (*p != '\\' || p[1] == '\0')
            continue;
        p++;
        for (int i = 1; *p == 'u' && i <= 4 && p[i] != '\0'; i++)
            if (p[i] >= 'A' && p[i] <= 'F')
                p[i] = (char)(p[i] - 'A' + 'a');
    }
}

/* Delivers notification (stolen) 1 + duplicates times; returns the
 * statuses as an array. */
static json_t *deliver_json(struct cloud_mock *mock, json_t *notification,
                            long duplicates)
{
    char *body = json_dumps(notification, META_JSON_FLAGS);
    json_t *statuses = json_array();

    if (body != NULL)
        lowercase_escapes(body);
    for (long i = 0; body != NULL && i <= duplicates; i++)
        json_array_append_new(statuses,
                              json_integer(deliver(mock, body, NULL)));
    free(body);
    json_decref(notification);
    return statuses;
}

/* Builds the message object of an inbound request; NULL when invalid. */
static json_t *inbound_message(json_t *in, const char *from, const char *wamid,
                               long long ts)
{
    const char *text = json_string_value(json_object_get(in, "text"));
    const char *kinds[] = { "button_reply", "list_reply" };
    char stamp[24];

    snprintf(stamp, sizeof(stamp), "%lld", ts);
    if (text != NULL)
        return json_pack("{s:s, s:s, s:s, s:{s:s}, s:s}", "from", from, "id",
                         wamid, "timestamp", stamp, "text", "body", text,
                         "type", "text");
    for (int i = 0; i < 2; i++) {
        json_t *reply = json_object_get(in, kinds[i]);

        if (json_is_object(reply))
            return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:O}}", "from", from,
                             "id", wamid, "timestamp", stamp, "type",
                             "interactive", "interactive", "type", kinds[i],
                             kinds[i], reply);
    }
    return NULL;
}

static void handle_inbound(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;
    json_t *in = httpd_body_json(req);
    const char *from, *wamid;
    char generated[CLOUD_MOCK_TEXT_SIZE];
    long duplicates;
    json_t *message, *value, *statuses;

    if (in == NULL)
        return;
    from = json_string_value(json_object_get(in, "from"));
    wamid = json_string_value(json_object_get(in, "wamid"));
    duplicates = (long)json_integer_value(json_object_get(in, "duplicates"));
    if (from == NULL || duplicates < 0 ||
        duplicates > CLOUD_MOCK_MAX_DUPLICATES) {
        httpd_reply_error(req, 400, "invalid_request",
                          "from is required; duplicates is 0 to %d",
                          CLOUD_MOCK_MAX_DUPLICATES);
        json_decref(in);
        return;
    }
    pthread_mutex_lock(&mock->lock);
    if (wamid == NULL) {
        cloud_mock_new_wamid(mock, from, generated, sizeof(generated));
        wamid = generated;
    }
    cloud_mock_touch_customer(mock, from, 0);
    pthread_mutex_unlock(&mock->lock);
    message = inbound_message(in, from, wamid, (long long)time(NULL));
    if (message == NULL) {
        httpd_reply_error(req, 400, "invalid_request",
                          "one of text, button_reply or list_reply is "
                          "required");
        json_decref(in);
        return;
    }
    value =
        json_pack("{s:[{s:{s:s}, s:s}], s:[o]}", "contacts", "profile", "name",
                  json_string_value(json_object_get(in, "name"))
                      ? json_string_value(json_object_get(in, "name"))
                      : "Cliente",
                  "wa_id", from, "messages", message);
    statuses = deliver_json(mock, envelope(mock, value), duplicates);
    httpd_reply_json(
        req, 200,
        json_pack("{s:s, s:o}", "wamid", wamid, "deliveries", statuses));
    json_decref(in);
}

/* Appends the items of more (stolen) to list. */
static void append_all(json_t *list, json_t *more)
{
    json_array_extend(list, more);
    json_decref(more);
}

/* Builds one status object as Meta sends it. */
static json_t *status_object(const char *wamid, const char *recipient,
                             const char *status, long error_code)
{
    char stamp[24];
    json_t *st;

    snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
    st = json_pack("{s:s, s:s, s:s, s:s}", "id", wamid, "status", status,
                   "timestamp", stamp, "recipient_id", recipient);
    if (strcmp(status, "read") != 0 && strcmp(status, "failed") != 0)
        json_object_set_new(st, "pricing",
                            json_pack("{s:b, s:s, s:s}", "billable", 1,
                                      "pricing_model", "CBP", "category",
                                      "service"));
    if (strcmp(status, "failed") == 0)
        json_object_set_new(
            st, "errors",
            json_pack("[{s:I, s:s}]", "code",
                      (json_int_t)(error_code ? error_code : 131026), "title",
                      "Message undeliverable"));
    return st;
}

static void handle_statuses(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;
    json_t *in = httpd_body_json(req);
    const char *wamid, *recipient;
    json_t *list, *batch, *results, *item;
    long code;
    size_t i;

    if (in == NULL)
        return;
    wamid = json_string_value(json_object_get(in, "wamid"));
    recipient = json_string_value(json_object_get(in, "recipient"));
    list = json_object_get(in, "statuses");
    code = (long)json_integer_value(json_object_get(in, "error_code"));
    if (wamid == NULL || recipient == NULL || !json_is_array(list) ||
        json_array_size(list) == 0 || json_array_size(list) > 16) {
        httpd_reply_error(req, 400, "invalid_request",
                          "wamid, recipient and 1 to 16 statuses are "
                          "required");
        json_decref(in);
        return;
    }
    batch = json_array();
    results = json_array();
    json_array_foreach(list, i, item)
    {
        json_t *st = status_object(
            wamid, recipient,
            json_string_value(item) ? json_string_value(item) : "sent", code);

        if (json_is_true(json_object_get(in, "batch"))) {
            json_array_append_new(batch, st);
            continue;
        }
        append_all(
            results,
            deliver_json(
                mock, envelope(mock, json_pack("{s:[o]}", "statuses", st)), 0));
    }
    if (json_array_size(batch) > 0)
        append_all(
            results,
            deliver_json(mock,
                         envelope(mock, json_pack("{s:O}", "statuses", batch)),
                         0));
    json_decref(batch);
    httpd_reply_json(req, 200, json_pack("{s:o}", "deliveries", results));
    json_decref(in);
}

/* Delivers a raw body as is, with its right signature unless one is given. */
static void handle_webhook(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;
    json_t *in = httpd_body_json(req);
    const char *body;
    long status;

    if (in == NULL)
        return;
    body = json_string_value(json_object_get(in, "body"));
    if (body == NULL) {
        httpd_reply_error(req, 400, "invalid_request", "body is required");
        json_decref(in);
        return;
    }
    status = deliver(mock, body,
                     json_string_value(json_object_get(in, "signature")));
    httpd_reply_json(req, 200,
                     json_pack("{s:[I]}", "deliveries", (json_int_t)status));
    json_decref(in);
}

static void handle_faults(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;
    json_t *in = httpd_body_json(req);
    json_t *code, *rate;
    const char *to, *text;
    int ok = 1;

    if (in == NULL)
        return;
    code = json_object_get(in, "code");
    rate = json_object_get(in, "rate_per_second");
    to = json_string_value(json_object_get(in, "to"));
    text = json_string_value(json_object_get(in, "text"));
    if (to != NULL && (to[0] == '\0' || strlen(to) >= CLOUD_MOCK_ID_SIZE))
        ok = 0;
    if (text != NULL && (text[0] == '\0' || strlen(text) >= CLOUD_MOCK_FAULT_TEXT_SIZE))
        ok = 0;
    pthread_mutex_lock(&mock->lock);
    if (ok && json_is_integer(code) && mock->fault_count < CLOUD_MOCK_MAX_FAULTS) {
        long count = (long)json_integer_value(json_object_get(in, "count"));
        struct cloud_fault *fault = &mock->faults[mock->fault_count++];

        fault->code = (long)json_integer_value(code);
        fault->remaining = count > 0 ? count : 1;
        snprintf(fault->to, sizeof(fault->to), "%s", to ? to : "");
        snprintf(fault->text, sizeof(fault->text), "%s", text ? text : "");
    } else if (code != NULL) {
        ok = 0;
    }
    if (json_is_integer(rate) && json_integer_value(rate) >= 0)
        mock->rate_per_second = (long)json_integer_value(rate);
    pthread_mutex_unlock(&mock->lock);
    if (ok)
        httpd_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
    else
        httpd_reply_error(req, 400, "invalid_request",
                          "code must be an integer, to a non-empty recipient "
                          "of at most %d characters, text a non-empty text of "
                          "at most %d bytes; at most %d faults",
                          CLOUD_MOCK_ID_SIZE - 1, CLOUD_MOCK_FAULT_TEXT_SIZE - 1,
                          CLOUD_MOCK_MAX_FAULTS);
    json_decref(in);
}

static void handle_window(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;
    json_t *in = httpd_body_json(req);
    const char *wa_id;

    if (in == NULL)
        return;
    wa_id = json_string_value(json_object_get(in, "wa_id"));
    if (wa_id == NULL) {
        httpd_reply_error(req, 400, "invalid_request", "wa_id is required");
    } else {
        pthread_mutex_lock(&mock->lock);
        cloud_mock_touch_customer(
            mock, wa_id,
            (long)json_integer_value(json_object_get(in, "age_seconds")));
        pthread_mutex_unlock(&mock->lock);
        httpd_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
    }
    json_decref(in);
}

static void reply_list(struct httpd_req *req, struct cloud_mock *mock,
                       json_t *list, const char *name)
{
    json_t *copy;

    pthread_mutex_lock(&mock->lock);
    copy = json_deep_copy(list);
    pthread_mutex_unlock(&mock->lock);
    httpd_reply_json(req, 200, json_pack("{s:o}", name, copy));
}

static void handle_sent(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;

    reply_list(req, mock, mock->sent, "messages");
}

static void handle_deliveries(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;

    reply_list(req, mock, mock->deliveries, "deliveries");
}

static void handle_reset(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;

    pthread_mutex_lock(&mock->lock);
    json_array_clear(mock->sent);
    json_array_clear(mock->deliveries);
    mock->fault_count = 0;
    mock->customer_count = 0;
    mock->rate_count = 0;
    pthread_mutex_unlock(&mock->lock);
    httpd_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

int cloud_control_routes(struct cloud_mock *mock)
{
    static const struct {
        const char *method;
        const char *path;
        httpd_handler handler;
    } routes[] = {
        { "POST", "/__emulator/inbound", handle_inbound },
        { "POST", "/__emulator/statuses", handle_statuses },
        { "POST", "/__emulator/webhook", handle_webhook },
        { "POST", "/__emulator/faults", handle_faults },
        { "POST", "/__emulator/window", handle_window },
        { "GET", "/__emulator/sent", handle_sent },
        { "GET", "/__emulator/deliveries", handle_deliveries },
        { "POST", "/__emulator/reset", handle_reset },
    };

    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        int rc = httpd_route(mock->srv, routes[i].method, routes[i].path,
                             routes[i].handler, mock);

        if (rc != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

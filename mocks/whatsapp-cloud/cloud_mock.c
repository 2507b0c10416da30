#include "cloud_mock_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "hito/log.h"

/* Meta's texts for the error codes the emulator returns. NOTE: the HTTP
 * statuses are a guess (400 for most, 429 for the rate limits), so clients
 * must key their logic on the code, as Meta recommends. */
static const struct {
    long code;
    int http_status;
    const char *message;
    const char *details;
} errors[] = {
    { 130429, 429, "(#130429) Rate limit hit",
      "Cloud API message throughput has been reached." },
    { 131056, 429,
      "(#131056) (Business Account, Consumer Account) pair rate "
      "limit hit",
      "Too many messages sent from the sender phone number to the same "
      "recipient phone number in a short period of time." },
    { 80007, 429, "(#80007) Rate limit issues",
      "The WhatsApp Business Account has reached its rate limit." },
    { 131047, 400, "(#131047) Re-engagement message",
      "Message failed to send because more than 24 hours have passed since "
      "the customer last replied to this number." },
    { 131026, 400, "(#131026) Message undeliverable",
      "Unable to deliver the message to the recipient." },
    { 132000, 400,
      "(#132000) Number of parameters does not match the "
      "expected number of params",
      "The number of variable parameter values does not match the number "
      "of variables defined in the template." },
    { 132001, 404,
      "(#132001) Template name does not exist in the "
      "translation",
      "The template does not exist in the specified language or has not "
      "been approved." },
    { 100, 400, "(#100) Invalid parameter",
      "A required parameter is "
      "missing or invalid." },
    { 190, 401, "Invalid OAuth access token - Cannot parse access token",
      "The access token is missing or wrong." },
};

void cloud_mock_record(json_t *list, json_t *record)
{
    if (json_array_size(list) < CLOUD_MOCK_MAX_RECORDS)
        json_array_append_new(list, record);
    else
        json_decref(record);
}

void cloud_mock_touch_customer(struct cloud_mock *mock, const char *wa_id,
                               long age_seconds)
{
    size_t i;

    for (i = 0; i < mock->customer_count; i++) {
        if (strcmp(mock->customers[i].wa_id, wa_id) == 0)
            break;
    }
    if (i == mock->customer_count) {
        if (mock->customer_count == CLOUD_MOCK_MAX_CUSTOMERS)
            return;
        mock->customer_count++;
        snprintf(mock->customers[i].wa_id, CLOUD_MOCK_ID_SIZE, "%s", wa_id);
    }
    mock->customers[i].last_inbound = time(NULL) - age_seconds;
}

/* Returns the last inbound time of wa_id, 0 when it never wrote. */
static time_t last_inbound(struct cloud_mock *mock, const char *wa_id)
{
    for (size_t i = 0; i < mock->customer_count; i++) {
        if (strcmp(mock->customers[i].wa_id, wa_id) == 0)
            return mock->customers[i].last_inbound;
    }
    return 0;
}

void cloud_mock_new_wamid(struct cloud_mock *mock, const char *wa_id, char *out,
                          size_t size)
{
    snprintf(out, size, "wamid.HBgL%.20sFQIAERgS%012lX", wa_id,
             ++mock->next_id);
}

/* Sends Meta's error shape for code. */
static void reply_meta_error(struct httpd_req *req, long code)
{
    size_t i = 0;
    char trace[32];

    while (i < sizeof(errors) / sizeof(errors[0]) - 1 && errors[i].code != code)
        i++;
    snprintf(trace, sizeof(trace), "A%.20s", httpd_request_id(req));
    httpd_reply_json(
        req, errors[i].code == code ? errors[i].http_status : 400,
        json_pack(
            "{s:{s:s, s:s, s:I, s:I, s:{s:s, s:s}, s:s}}", "error", "message",
            errors[i].code == code ? errors[i].message : "(#0) Error", "type",
            "OAuthException", "code", (json_int_t)code, "error_subcode",
            (json_int_t)2494010, "error_data", "messaging_product", "whatsapp",
            "details", errors[i].code == code ? errors[i].details : "",
            "fbtrace_id", trace));
}

/* Returns the number of body parameters of a template message. */
static int body_param_count(json_t *tpl)
{
    json_t *components = json_object_get(tpl, "components");
    size_t i;
    json_t *c;

    json_array_foreach(components, i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));

        if (type != NULL && strcmp(type, "body") == 0)
            return (int)json_array_size(json_object_get(c, "parameters"));
    }
    return 0;
}

/* Returns a phone number without its leading '+', as Meta compares them. */
static const char *skip_plus(const char *phone)
{
    return phone[0] == '+' ? phone + 1 : phone;
}

/* Checks a message against the emulator's rules; returns 0 or a Meta code.
 * Runs under the lock. */
static long check_send(struct cloud_mock *mock, json_t *body)
{
    const char *to = json_string_value(json_object_get(body, "to"));
    const char *type = json_string_value(json_object_get(body, "type"));
    const char *text =
        json_string_value(json_object_get(json_object_get(body, "text"), "body"));
    const char *product =
        json_string_value(json_object_get(body, "messaging_product"));
    json_t *tpl = json_object_get(body, "template");
    time_t now = time(NULL);

    if (to == NULL || type == NULL || product == NULL ||
        strcmp(product, "whatsapp") != 0)
        return 100;
    if (now != mock->rate_second) {
        mock->rate_second = now;
        mock->rate_count = 0;
    }
    if (mock->rate_per_second > 0 && ++mock->rate_count > mock->rate_per_second)
        return 130429;
    for (size_t i = 0; i < mock->fault_count; i++) {
        struct cloud_fault *fault = &mock->faults[i];
        long code = fault->code;

        if (fault->to[0] != '\0' && strcmp(skip_plus(fault->to), skip_plus(to)) != 0)
            continue;
        if (fault->text[0] != '\0' && (text == NULL || strcmp(fault->text, text) != 0))
            continue;
        if (--fault->remaining <= 0) {
            memmove(fault, fault + 1,
                    (mock->fault_count - i - 1) * sizeof(*fault));
            mock->fault_count--;
        }
        return code;
    }
    if (strcmp(type, "template") != 0) {
        time_t last = last_inbound(mock, to[0] == '+' ? to + 1 : to);

        return last == 0 || now - last > 24 * 3600 ? 131047 : 0;
    }
    for (size_t i = 0; i < mock->template_count; i++) {
        const char *name = json_string_value(json_object_get(tpl, "name"));

        if (name != NULL && strcmp(name, mock->templates[i].name) == 0)
            return body_param_count(tpl) == mock->templates[i].body_params
                       ? 0
                       : 132000;
    }
    return 132001;
}

static int bearer_matches(struct cloud_mock *mock, const char *header)
{
    size_t n = strlen(mock->access_token);

    return header != NULL && strncasecmp(header, "Bearer ", 7) == 0 &&
           strlen(header + 7) == n &&
           CRYPTO_memcmp(header + 7, mock->access_token, n) == 0;
}

static void handle_send(struct httpd_req *req, void *user)
{
    struct cloud_mock *mock = user;
    char wamid[CLOUD_MOCK_TEXT_SIZE] = "";
    const char *to;
    json_t *body;
    long code;

    if (!bearer_matches(mock, httpd_header(req, "Authorization"))) {
        reply_meta_error(req, 190);
        return;
    }
    body = httpd_body_json(req);
    if (body == NULL)
        return;
    pthread_mutex_lock(&mock->lock);
    code = check_send(mock, body);
    to = json_string_value(json_object_get(body, "to"));
    if (code == 0)
        cloud_mock_new_wamid(mock, to[0] == '+' ? to + 1 : to, wamid,
                             sizeof(wamid));
    cloud_mock_record(
        mock->sent, json_pack("{s:I, s:O, s:I, s:s}", "received_at",
                              (json_int_t)time(NULL), "body", body,
                              "error_code", (json_int_t)code, "wamid", wamid));
    pthread_mutex_unlock(&mock->lock);
    if (code != 0)
        reply_meta_error(req, code);
    else
        httpd_reply_json(
            req, 200,
            json_pack("{s:s, s:[{s:s, s:s}], s:[{s:s}]}", "messaging_product",
                      "whatsapp", "contacts", "input", to, "wa_id",
                      to[0] == '+' ? to + 1 : to, "messages", "id", wamid));
    json_decref(body);
}

int cloud_mock_url_is_loopback(const char *url)
{
    static const char *const prefixes[] = {
        "http://127.", "http://localhost:", "http://localhost/", "http://[::1]"
    };

    for (size_t i = 0; url != NULL && i < 4; i++) {
        if (strncmp(url, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    }
    return 0;
}

static int parse_templates(struct cloud_mock *mock, const char *list,
                           struct hito_error *err)
{
    char copy[CLOUD_MOCK_TEXT_SIZE * 4];
    char *saveptr = NULL;

    snprintf(copy, sizeof(copy), "%s", list);
    for (char *item = strtok_r(copy, ",", &saveptr); item != NULL;
         item = strtok_r(NULL, ",", &saveptr)) {
        struct cloud_template *t = &mock->templates[mock->template_count];
        char *colon = strchr(item, ':');

        if (colon == NULL || mock->template_count == CLOUD_MOCK_MAX_TEMPLATES)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "templates must be name:count pairs, at "
                                  "most %d",
                                  CLOUD_MOCK_MAX_TEMPLATES);
        *colon = '\0';
        snprintf(t->name, sizeof(t->name), "%s", item);
        t->body_params = atoi(colon + 1);
        mock->template_count++;
    }
    return HITO_OK;
}

static int configure(struct cloud_mock *mock,
                     const struct cloud_mock_options *opts,
                     struct hito_error *err)
{
    if (opts->access_token == NULL || opts->access_token[0] == '\0' ||
        opts->app_secret == NULL || opts->app_secret[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the access token and the app secret are "
                              "required");
    if (opts->webhook_url != NULL && opts->webhook_url[0] != '\0' &&
        !cloud_mock_url_is_loopback(opts->webhook_url))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the webhook URL must be http:// on loopback "
                              "(127.0.0.0/8, localhost or [::1])");
    snprintf(mock->access_token, sizeof(mock->access_token), "%s",
             opts->access_token);
    snprintf(mock->app_secret, sizeof(mock->app_secret), "%s",
             opts->app_secret);
    snprintf(mock->webhook_url, sizeof(mock->webhook_url), "%s",
             opts->webhook_url ? opts->webhook_url : "");
    snprintf(mock->phone_number_id, sizeof(mock->phone_number_id), "%s",
             opts->phone_number_id ? opts->phone_number_id : "106540352242922");
    mock->rate_per_second = opts->rate_per_second;
    return parse_templates(
        mock, opts->templates ? opts->templates : "otp_code:1", err);
}

struct cloud_mock *cloud_mock_start(const struct cloud_mock_options *opts,
                                    struct hito_error *err)
{
    struct httpd_options server = { .service = "whatsapp-cloud",
                                    .listen = opts->listen,
                                    .threads = 16 };
    struct cloud_mock *mock = calloc(1, sizeof(*mock));

    if (mock == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&mock->lock, NULL);
    mock->sent = json_array();
    mock->deliveries = json_array();
    if (configure(mock, opts, err) != HITO_OK) {
        cloud_mock_free(mock);
        return NULL;
    }
    mock->srv = httpd_new(&server, err);
    if (mock->srv == NULL ||
        httpd_route(mock->srv, "POST", "/{version}/{phone}/messages",
                    handle_send, mock) != HITO_OK ||
        cloud_control_routes(mock) != HITO_OK ||
        httpd_start(mock->srv, err) != HITO_OK) {
        cloud_mock_free(mock);
        return NULL;
    }
    return mock;
}

int cloud_mock_port(const struct cloud_mock *mock)
{
    return httpd_port(mock->srv);
}

void cloud_mock_free(struct cloud_mock *mock)
{
    if (mock == NULL)
        return;
    httpd_free(mock->srv);
    json_decref(mock->sent);
    json_decref(mock->deliveries);
    pthread_mutex_destroy(&mock->lock);
    OPENSSL_cleanse(mock->app_secret, sizeof(mock->app_secret));
    free(mock);
}

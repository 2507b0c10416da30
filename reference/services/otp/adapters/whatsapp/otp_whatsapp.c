#include "otp_whatsapp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "hito/httpc.h"
#include "hito/log.h"

#define OTP_WHATSAPP_HEADER_SIZE 160
#define OTP_WHATSAPP_AUTH_HEADER_SIZE (TOKEN_CACHE_MAX_TOKEN_BYTES + 32)
/* Part of the WhatsApp service's error message kept in the reason. */
#define OTP_WHATSAPP_REASON_MAX 200

struct otp_whatsapp {
    char url[OTP_WHATSAPP_URL_SIZE];
    char template_name[OTP_WHATSAPP_NAME_SIZE];
    char language[OTP_WHATSAPP_NAME_SIZE];
    long timeout_ms;
    struct token_cache *tokens;
};

struct otp_whatsapp *otp_whatsapp_new(const struct otp_whatsapp_options *opts,
                                      struct hito_error *err)
{
    struct otp_whatsapp *whatsapp;

    if (opts->base_url == NULL || opts->template_name == NULL ||
        opts->language == NULL ||
        strlen(opts->base_url) + strlen("/v1/messages") >=
            OTP_WHATSAPP_URL_SIZE ||
        strlen(opts->template_name) >= OTP_WHATSAPP_NAME_SIZE ||
        strlen(opts->language) >= OTP_WHATSAPP_NAME_SIZE) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "WhatsApp URL, template or language is missing "
                       "or too long");
        return NULL;
    }
    whatsapp = calloc(1, sizeof(*whatsapp));
    if (whatsapp == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(whatsapp->url, sizeof(whatsapp->url), "%s/v1/messages",
             opts->base_url);
    snprintf(whatsapp->template_name, sizeof(whatsapp->template_name), "%s",
             opts->template_name);
    snprintf(whatsapp->language, sizeof(whatsapp->language), "%s",
             opts->language);
    whatsapp->timeout_ms = opts->timeout_ms;
    whatsapp->tokens = opts->tokens;
    return whatsapp;
}

void otp_whatsapp_free(struct otp_whatsapp *whatsapp)
{
    free(whatsapp);
}

char *otp_whatsapp_body(const struct otp_whatsapp *whatsapp, const char *phone,
                        const char *code)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:{s:s}, s:[{s:s, s:[{s:s, s:s}]}, "
        "{s:s, s:s, s:s, s:[{s:s, s:s}]}]}}",
        "messaging_product", "whatsapp", "to", phone, "type", "template",
        "template", "name", whatsapp->template_name, "language", "code",
        whatsapp->language, "components", "type", "body", "parameters", "type",
        "text", "text", code, "type", "button", "sub_type", "url", "index", "0",
        "parameters", "type", "text", "text", code);
    char *text;

    if (body == NULL)
        return NULL;
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

/* Copies the message id of a 2xx reply; HITO_ERR_PROTOCOL when there is none.
 */
static int read_message_id(const struct httpc_response *res, char *message_id,
                           struct hito_error *err)
{
    json_t *root = json_loadb(res->body, res->body_len, 0, NULL);
    const char *id = json_string_value(json_object_get(root, "message_id"));
    int rc = HITO_OK;

    if (id == NULL)
        id = json_string_value(json_object_get(
            json_array_get(json_object_get(root, "messages"), 0), "id"));
    if (id == NULL || strlen(id) >= OTP_MESSAGE_ID_SIZE)
        rc = hito_error_set(
            err, HITO_ERR_PROTOCOL,
            "the WhatsApp service returned %ld without a message id",
            res->status);
    else
        snprintf(message_id, OTP_MESSAGE_ID_SIZE, "%s", id);
    json_decref(root);
    return rc;
}

/* Reports a non-2xx reply with the service's error message when it has one. */
static int report_refusal(const struct httpc_response *res,
                          struct hito_error *err)
{
    json_t *root = json_loadb(res->body, res->body_len, 0, NULL);
    json_t *error = json_object_get(root, "error");
    const char *message = json_string_value(json_object_get(error, "message"));
    int rc;

    if (message == NULL)
        message = json_string_value(error);
    rc = hito_error_set(
        err, res->status >= 500 ? HITO_ERR_UNAVAILABLE : HITO_ERR_PROTOCOL,
        "the WhatsApp service returned %ld: %.*s", res->status,
        OTP_WHATSAPP_REASON_MAX, message ? message : "no error message");
    json_decref(root);
    return rc;
}

/*
 * Stores in *header "Authorization: Bearer <token>" (the caller frees it),
 * or NULL when the notifier has no token cache.
 */
static int bearer_header(struct otp_whatsapp *whatsapp, char **header,
                         struct hito_error *err)
{
    char *token = NULL;
    int rc;

    *header = NULL;
    if (whatsapp->tokens == NULL)
        return HITO_OK;
    rc = token_cache_get(whatsapp->tokens, &token, err);
    if (rc != HITO_OK) {
        LOG_WARN("getting a token for the WhatsApp service failed", "error",
                 err ? err->message : "");
        return hito_error_set(
            err, HITO_ERR_UNAVAILABLE,
            "no token for the WhatsApp service could be obtained");
    }
    *header = malloc(OTP_WHATSAPP_AUTH_HEADER_SIZE);
    if (*header != NULL)
        snprintf(*header, OTP_WHATSAPP_AUTH_HEADER_SIZE,
                 "Authorization: Bearer %s", token);
    free(token);
    return *header != NULL
               ? HITO_OK
               : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

/*
 * Posts body once with a token from the cache. Returns the token error
 * (with *requested 0) or httpc_do's result (with *requested 1); res contains
 * the reply whatever it is.
 */
static int post_once(struct otp_whatsapp *whatsapp, const char *body,
                     const char *request_id_header, struct httpc_response *res,
                     int *requested, struct hito_error *err)
{
    char *auth_header = NULL;
    const char *headers[] = { "Content-Type: application/json",
                              request_id_header, NULL, NULL };
    struct httpc_request req = { 0 };
    int rc;

    *requested = 0;
    rc = bearer_header(whatsapp, &auth_header, err);
    if (rc != HITO_OK)
        return rc;
    *requested = 1;
    headers[2] = auth_header;
    req.method = "POST";
    req.url = whatsapp->url;
    req.headers = headers;
    req.body = body;
    req.body_len = strlen(body);
    req.timeout_ms = whatsapp->timeout_ms;
    rc = httpc_do(&req, res, err);
    free(auth_header);
    return rc;
}

static int send_code(void *self, const char *phone, const char *code,
                     const char *purpose, const char *request_id,
                     char message_id[OTP_MESSAGE_ID_SIZE],
                     struct hito_error *err)
{
    struct otp_whatsapp *whatsapp = self;
    char request_id_header[OTP_WHATSAPP_HEADER_SIZE];
    struct httpc_response res = { 0 };
    int requested = 0;
    char *body;
    int rc;

    (void)purpose;
    body = otp_whatsapp_body(whatsapp, phone, code);
    if (body == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    snprintf(request_id_header, sizeof(request_id_header),
             "X-Request-Id: %.100s", request_id ? request_id : "-");

    rc = post_once(whatsapp, body, request_id_header, &res, &requested, err);
    /*
     * A 401 means the cached token is no longer accepted, for example after
     * the identity provider retired its signing key. The message was not
     * sent, so one retry with a fresh token cannot send it twice.
     */
    if (rc == HITO_OK && res.status == 401 && whatsapp->tokens != NULL) {
        LOG_INFO("the WhatsApp service rejected the token; retrying with a new one");
        token_cache_invalidate(whatsapp->tokens);
        httpc_response_free(&res);
        memset(&res, 0, sizeof(res));
        rc = post_once(whatsapp, body, request_id_header, &res, &requested,
                       err);
    }
    OPENSSL_cleanse(body, strlen(body));
    free(body);
    if (!requested) {
        httpc_response_free(&res);
        return rc;
    }
    /* The caller's reply names no internal address, so the detail is logged. */
    if (rc != HITO_OK)
        LOG_WARN("the WhatsApp service request failed", "error",
                 err ? err->message : "");
    if (rc == HITO_OK && res.status == 401 && whatsapp->tokens != NULL)
        token_cache_invalidate(whatsapp->tokens);
    if (rc == HITO_OK && (res.status < 200 || res.status > 299))
        rc = report_refusal(&res, err);
    else if (rc == HITO_OK)
        rc = read_message_id(&res, message_id, err);
    else if (rc == HITO_ERR_TIMEOUT)
        rc = hito_error_set(err, HITO_ERR_TIMEOUT,
                            "the WhatsApp service timed out after %ld ms",
                            whatsapp->timeout_ms);
    else
        rc = hito_error_set(err, HITO_ERR_UNAVAILABLE,
                            "the WhatsApp service is unreachable");
    httpc_response_free(&res);
    return rc;
}

static const struct otp_notifier_ops notifier_ops = { send_code };

struct otp_notifier otp_whatsapp_notifier(struct otp_whatsapp *whatsapp)
{
    return (struct otp_notifier){ &notifier_ops, whatsapp };
}

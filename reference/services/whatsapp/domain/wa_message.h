/*
 * wa_message.h - validation of a send request of POST /v1/messages and the
 * Cloud API body made from it. The request has the Cloud API's own shape
 * ("to", "type" and the member of that type), so callers that know the
 * Graph API need nothing new. "messaging_product" and "recipient_type" may
 * be left out.
 */
#ifndef WA_MESSAGE_H
#define WA_MESSAGE_H

#include <stddef.h>

#include <jansson.h>

#include "hito/err.h"
#include "wa_webhook.h"

/* Meta's limits on interactive messages. */
#define WA_MAX_BUTTONS 3
#define WA_MAX_SECTIONS 10
#define WA_MAX_LIST_ROWS 10
#define WA_BUTTON_TITLE_MAX 20 /* characters */
#define WA_ROW_TITLE_MAX 24    /* characters */
/* SHA-256 in hex plus the NUL: the request digest idempotency compares. */
#define WA_DIGEST_HEX_SIZE 65

enum wa_kind { WA_KIND_TEXT, WA_KIND_TEMPLATE, WA_KIND_BUTTONS, WA_KIND_LIST };

struct wa_send_request {
    char to[WA_PHONE_SIZE]; /* digits only, as Meta writes wa_id */
    enum wa_kind kind;
    const char *type;                /* "text", "template", "interactive" */
    json_t *cloud_body;              /* the Cloud API request body; owned */
    char digest[WA_DIGEST_HEX_SIZE]; /* SHA-256 of the raw request body */
};

/*
 * Parses and checks body into out (cleared with wa_send_request_clear
 * whatever the result). Returns HITO_ERR_INVALID with a reason naming the
 * field, or HITO_ERR_NOMEM.
 */
int wa_message_parse(const char *body, size_t len, struct wa_send_request *out,
                     struct hito_error *err);

void wa_send_request_clear(struct wa_send_request *req);

/* Returns nonzero when phone is 6 to 15 digits, with or without a leading
 * "+" (E.164). */
int wa_phone_is_valid(const char *phone);

#endif

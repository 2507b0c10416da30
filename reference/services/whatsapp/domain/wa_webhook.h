/*
 * wa_webhook.h - parsing of Meta's webhook notifications
 * (object "whatsapp_business_account"): every entry, every change of field
 * "messages", and in each the inbound messages and the statuses of sent
 * messages. Changes of other fields are skipped. The parser only reads the
 * body, so the caller checks the signature over the raw bytes first.
 */
#ifndef WA_WEBHOOK_H
#define WA_WEBHOOK_H

#include <stddef.h>

#include <jansson.h>

#include "hito/err.h"
#include "wa_status.h"

/* Bounds of one notification. Meta batches at most a few dozen events per
 * POST; a body over these bounds is rejected as invalid. */
#define WA_WEBHOOK_MAX_MESSAGES 256
#define WA_WEBHOOK_MAX_STATUSES 256
#define WA_ID_SIZE 256   /* wamid, status id, reply id */
#define WA_PHONE_SIZE 32 /* wa_id and phone numbers, digits */
#define WA_TYPE_SIZE 32
#define WA_NAME_SIZE 256 /* contact name, reply title (UTF-8) */
#define WA_TEXT_MAX 4096 /* bytes of a text body */

struct wa_inbound {
    char wamid[WA_ID_SIZE];
    char from[WA_PHONE_SIZE];
    char phone_number_id[WA_ID_SIZE]; /* the business number it reached */
    long long timestamp;              /* Unix seconds, as Meta stamped it */
    char type[WA_TYPE_SIZE];       /* text, interactive, button, image, ... */
    char *text;                    /* text body or button text; owned */
    char reply_type[WA_TYPE_SIZE]; /* button_reply or list_reply */
    char reply_id[WA_ID_SIZE];
    char reply_title[WA_NAME_SIZE];
    char contact_name[WA_NAME_SIZE];
    char *raw; /* the message object as JSON; owned */
};

struct wa_status_update {
    char wamid[WA_ID_SIZE];
    enum wa_status status;
    long long timestamp;
    char recipient_id[WA_PHONE_SIZE];
    long error_code; /* first errors[].code, 0 when none */
    char error_title[WA_NAME_SIZE];
};

struct wa_notification {
    struct wa_inbound *messages;
    size_t message_count;
    struct wa_status_update *statuses;
    size_t status_count;
    size_t message_capacity; /* allocated for this body */
    size_t status_capacity;
};

/*
 * Parses body, JSON from outside, after checking its nesting depth, and
 * rejects duplicate keys. Returns HITO_OK with the object in *root, which
 * the caller releases, or HITO_ERR_INVALID when body is not a JSON object.
 */
int wa_json_object_parse(const char *body, size_t len, json_t **root,
                         struct hito_error *err);

/*
 * Parses body (len bytes, not necessarily NUL-terminated) into out, which
 * the caller clears with wa_notification_clear whatever the result. Returns
 * HITO_ERR_INVALID with a reason naming the field (for example
 * "entry[0].changes[1].value.messages[0].id is missing"), HITO_ERR_LIMIT
 * past the bounds above, HITO_ERR_NOMEM.
 */
int wa_webhook_parse(const char *body, size_t len, struct wa_notification *out,
                     struct hito_error *err);

/* Frees what n owns and zeroes it; safe on a zeroed struct. */
void wa_notification_clear(struct wa_notification *n);

#endif

/*
 * otp_whatsapp.h - the notifier that sends codes through the WhatsApp
 * service: POST {base_url}/v1/messages with an authentication template.
 *
 * The template message carries the code twice, as WhatsApp authentication
 * templates require: as the body's {{1}} parameter and as the text
 * parameter of the copy-code button (component "button", sub_type "url",
 * index "0"). A 2xx reply with a message id ("message_id", or
 * "messages"[0]."id" as the Cloud API returns it) counts as sent.
 */
#ifndef OTP_WHATSAPP_H
#define OTP_WHATSAPP_H

#include "hito/err.h"
#include "hito/token_cache.h"
#include "otp_ports.h"

#define OTP_WHATSAPP_URL_SIZE 512
#define OTP_WHATSAPP_NAME_SIZE 128

struct otp_whatsapp_options {
    const char *base_url; /* "http://127.0.0.1:21820" */
    const char *template_name;
    const char *language; /* template language code, "es" */
    long timeout_ms;
    struct token_cache *tokens; /* bearer tokens for the call; NULL: none */
};

struct otp_whatsapp;

/* Creates the notifier; NULL with err when an option is missing or too long. */
struct otp_whatsapp *otp_whatsapp_new(const struct otp_whatsapp_options *opts,
                                      struct hito_error *err);
void otp_whatsapp_free(struct otp_whatsapp *whatsapp);

/* Returns the notifier port backed by whatsapp. */
struct otp_notifier otp_whatsapp_notifier(struct otp_whatsapp *whatsapp);

/*
 * Builds the request body for phone and code; the caller frees it with
 * free(). NULL when out of memory. Exposed for tests.
 */
char *otp_whatsapp_body(const struct otp_whatsapp *whatsapp, const char *phone,
                        const char *code);

#endif

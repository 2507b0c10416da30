/*
 * cloud_mock.h - an emulator of the WhatsApp Business Cloud API for tests
 * and the local stack, on hito/httpd.h.
 *
 * Meta's side of sending: POST /<version>/<phone-number-id>/messages with a
 * Bearer token replies like the Graph API (a wamid, or Meta's error shape
 * with the codes 130429 past the configured rate, 131047 outside the
 * 24-hour window, 132001 for an unknown template, 132000 for a wrong
 * parameter count, and any code queued with /__emulator/faults).
 *
 * Meta's side of webhooks: the control API builds notifications as Meta
 * writes them ("/" as "\/", non-ASCII as "\u00e9" escapes), signs them with
 * the app secret (X-Hub-Signature-256) and POSTs them to the callback URL,
 * which must be on loopback. The control API, for tests only:
 *   POST /__emulator/inbound   {"from","name","text" | "button_reply" |
 *                               "list_reply":{"id","title"},"wamid",
 *                               "duplicates":n}
 *   POST /__emulator/statuses  {"wamid","recipient","statuses":[...],
 *                               "error_code","batch":bool}
 *   POST /__emulator/webhook   {"body":"<raw>","signature":"<override>"}
 *   POST /__emulator/faults    {"code":n,"count":n} and/or
 *                              {"rate_per_second":n}
 *   POST /__emulator/window    {"wa_id","age_seconds"}: set the last
 *                               inbound message's age
 *   GET  /__emulator/sent      the send requests received and their results
 *   GET  /__emulator/deliveries the webhooks delivered and the replies
 *   POST /__emulator/reset     forget everything but the settings
 */
#ifndef CLOUD_MOCK_H
#define CLOUD_MOCK_H

#include "hito/err.h"

/* Bounds of what the emulator records. */
#define CLOUD_MOCK_MAX_RECORDS 2000
#define CLOUD_MOCK_MAX_CUSTOMERS 4096
#define CLOUD_MOCK_MAX_FAULTS 32
#define CLOUD_MOCK_MAX_TEMPLATES 32
#define CLOUD_MOCK_MAX_DUPLICATES 10

struct cloud_mock_options {
    const char *listen;          /* "127.0.0.1:22825", or port 0 */
    const char *access_token;    /* the Bearer token sends must carry */
    const char *app_secret;      /* HMAC key of the webhooks */
    const char *webhook_url;     /* loopback callback; NULL: none */
    const char *phone_number_id; /* in webhook metadata */
    long rate_per_second;        /* sends per second before 130429; 0: none */
    /* Approved templates and their body parameter count, as
     * "name:count,name:count". */
    const char *templates;
};

struct cloud_mock;

/* Starts the emulator; NULL with err when an option is invalid (a
 * non-loopback callback URL among them) or the port is taken. */
struct cloud_mock *cloud_mock_start(const struct cloud_mock_options *opts,
                                    struct hito_error *err);
int cloud_mock_port(const struct cloud_mock *mock);
void cloud_mock_free(struct cloud_mock *mock);

/* Returns nonzero when url is http:// on 127.0.0.0/8, localhost or [::1]. */
int cloud_mock_url_is_loopback(const char *url);

#endif

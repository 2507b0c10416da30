/*
 * wa_cloud.h - the WhatsApp Business Cloud API client: POST
 * <base_url>/<version>/<phone_number_id>/messages with a Bearer access
 * token, on hito/httpc.h. It records each call's latency in the histogram
 * whatsapp_cloud_api_seconds.
 */
#ifndef WA_CLOUD_H
#define WA_CLOUD_H

#include "wa_ports.h"

#define WA_CLOUD_URL_SIZE 512
#define WA_CLOUD_TOKEN_MAX 1024

struct wa_cloud_options {
    const char *base_url; /* https://graph.facebook.com, or the emulator */
    const char *version;  /* "v21.0" */
    const char *phone_number_id;
    const char *access_token;
    long timeout_ms;
};

struct wa_cloud_client;

/* Copies opts; NULL with err when a value is missing or too long. */
struct wa_cloud_client *wa_cloud_new(const struct wa_cloud_options *opts,
                                     struct hito_error *err);
void wa_cloud_free(struct wa_cloud_client *client);

struct wa_cloud wa_cloud_port(struct wa_cloud_client *client);

#endif

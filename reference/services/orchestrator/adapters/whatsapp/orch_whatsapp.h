/*
 * orch_whatsapp.h - the WhatsApp port over the WhatsApp service's send API
 * (POST /v1/messages with a Cloud API message body and an Idempotency-Key
 * header).
 */
#ifndef ORCH_WHATSAPP_H
#define ORCH_WHATSAPP_H

#include <jansson.h>

#include "client/orch_client.h"
#include "orch_ports.h"

/* Returns the port; client stays the caller's and must outlive it. */
struct orch_whatsapp orch_whatsapp_http(struct orch_client *client);

/*
 * Builds the Cloud API body of msg to to: a text message, an interactive
 * list or interactive reply buttons. Returns a new reference, or NULL when
 * out of memory or a text is not valid UTF-8.
 */
json_t *orch_whatsapp_body(const char *to, const struct orch_message *msg);

#endif

/*
 * wa_event.h - the event published on RabbitMQ for each stored inbound
 * message (the contract with the orchestrator, docs/whatsapp.md):
 *   {"wamid","from","timestamp","type","text","interactive":{"type","id",
 *    "title"},"contact":{"name"},"phone_number_id","received_at",
 *    "received_at_ms"}
 * "text" is present for text and button messages, "interactive" for
 * button_reply and list_reply; the message id of the AMQP message is the
 * wamid.
 */
#ifndef WA_EVENT_H
#define WA_EVENT_H

#include "wa_webhook.h"

/* Queue on the default exchange that receives every inbound message. */
#define WA_EVENT_QUEUE "whatsapp.inbound"
#define WA_EVENT_ROUTING_PREFIX "message."

/*
 * Returns the event of m as compact JSON (the caller frees it), with
 * received_at_ms (Unix milliseconds) as is and in RFC 3339 UTC as
 * received_at; NULL when out of memory.
 */
char *wa_event_json(const struct wa_inbound *m, long long received_at_ms);

#endif

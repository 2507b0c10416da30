/*
 * orch_inbound.h - inbound customer messages from RabbitMQ (mq.h): the
 * JSON body the WhatsApp service publishes, and a consumer thread with
 * manual acknowledgements.
 *
 * Body (application/json), one message per delivery, as the WhatsApp
 * service publishes it (docs/whatsapp.md):
 *   {"wamid": "wamid.HBg...", "from": "34600000001", "type": "text",
 *    "text": "hola", "received_at": "2026-12-04T16:22:56Z", ...}
 * A chosen option comes as "interactive": {"type": "list_reply", "id": ...,
 * "title": ...}. The AMQP message id, when set, is the wamid of a body
 * without one. "received_at_ms", when present, gives the time the webhook
 * received the message in milliseconds.
 */
#ifndef ORCH_INBOUND_H
#define ORCH_INBOUND_H

#include <pthread.h>
#include <stdatomic.h>

#include "hito/mq.h"
#include "orch_ports.h"

/*
 * Parses a delivery into out. HITO_ERR_INVALID when the body is not JSON,
 * or lacks a wamid, a sender or any text (a message the orchestrator can
 * never handle).
 */
int orch_inbound_parse(const struct mq_delivery *delivery,
                       struct orch_inbound *out, struct hito_error *err);

/* Decides what becomes of one parsed message; runs on the consumer thread. */
typedef enum mq_verdict (*orch_inbound_handler)(const struct orch_inbound *msg,
                                                int redelivered, void *user);

struct orch_inbound_options {
    const struct mq_options *mq;
    const char *queue; /* declared durable with a dead-letter queue */
    int prefetch;      /* 1: messages are handled one at a time */
    orch_inbound_handler handler;
    void *user;
};

struct orch_inbound_consumer;

/*
 * Connects, declares the queue (and <queue>.dead) and starts consuming on
 * a new thread. Undecodable bodies are rejected to the dead-letter queue.
 * Returns NULL with err when the broker cannot be reached or rejects the
 * queue.
 */
struct orch_inbound_consumer *orch_inbound_start(
    const struct orch_inbound_options *opts, struct hito_error *err);

/* Returns nonzero while the consumer thread runs. */
int orch_inbound_running(const struct orch_inbound_consumer *consumer);

/* Stops consuming (within MQ_CONSUME_WAKE_MS), joins and frees. */
void orch_inbound_stop(struct orch_inbound_consumer *consumer);

#endif

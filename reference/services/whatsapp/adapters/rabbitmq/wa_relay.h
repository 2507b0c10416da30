/*
 * wa_relay.h - the outbox relay: a thread that publishes the outbox's
 * inbound-message events to RabbitMQ (queue whatsapp.inbound on the default
 * exchange, publisher confirms) and marks each one published only after the
 * broker confirmed it. While the broker is down, events stay in the outbox
 * and the relay retries with backoff. An event published but not marked (a
 * crash between the confirm and the update) is published again after a
 * restart. Delivery is therefore at least once, and consumers deduplicate
 * by the AMQP message id (the wamid).
 */
#ifndef WA_RELAY_H
#define WA_RELAY_H

#include "hito/mq.h"
#include "wa_ports.h"

/* Events read from the outbox per round. */
#define WA_RELAY_BATCH 64

struct wa_relay_options {
    struct mq_options mq;    /* strings are copied */
    long poll_ms;            /* maximum wait between rounds when idle */
    long retry_max_ms;       /* cap of the backoff after a failure */
    long publish_timeout_ms; /* per event, confirms included */
};

struct wa_relay;

/* Starts the thread; it connects to the broker in the background. */
struct wa_relay *wa_relay_start(const struct wa_relay_options *opts,
                                struct wa_outbox outbox,
                                struct hito_error *err);

/* Wakes the thread after new events were stored. Thread-safe. */
void wa_relay_notify(struct wa_relay *relay);

/* Returns nonzero once the relay has a broker connection. */
int wa_relay_connected(struct wa_relay *relay);

/* Stops and joins the thread, then frees the relay. */
void wa_relay_free(struct wa_relay *relay);

#endif

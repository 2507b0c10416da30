/*
 * mq.h - RabbitMQ messaging on rabbitmq-c 0.11: durable queues with an
 * optional dead-letter queue, persistent publishing with publisher
 * confirms, and a consumer with manual acknowledgements.
 *
 * A struct mq owns one AMQP connection with one channel. rabbitmq-c does no
 * background work: heartbeats are sent and checked only inside library
 * calls. So mq_consume wakes up every MQ_CONSUME_WAKE_MS even when idle,
 * and an idle publisher finds out that the broker went away on its next
 * mq_publish, which then reconnects. A mutex serialises mq_publish calls.
 * mq_consume uses the connection alone until it returns, so a program that
 * consumes and publishes opens one struct mq for each.
 *
 * Delivery is at least once: a message whose confirm was lost with the
 * connection is published again after reconnecting, so consumers should
 * deduplicate by message id.
 */
#ifndef HITO_MQ_H
#define HITO_MQ_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hito/err.h"

#define MQ_DEFAULT_HEARTBEAT_S 30
#define MQ_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define MQ_DEFAULT_PUBLISH_TIMEOUT_MS 5000
/* Backoff between reconnection attempts: doubles from MIN up to the maximum. */
#define MQ_RECONNECT_MIN_MS 100
#define MQ_DEFAULT_RECONNECT_MAX_MS 5000
#define MQ_CONSUME_WAKE_MS 1000
/* Bounds: queues re-declared after a reconnect, headers per message, body size. */
#define MQ_MAX_QUEUES 32
#define MQ_MAX_HEADERS 32
#define MQ_MAX_BODY (16 * 1024 * 1024)
#define MQ_MAX_PREFETCH 1000

struct mq_options {
    const char *host;            /* "127.0.0.1" */
    int port;
    const char *user;
    const char *password;
    const char *vhost;           /* NULL: "/" */
    const char *name;            /* connection name shown by the broker; NULL: "hito" */
    int heartbeat_s;             /* 0: MQ_DEFAULT_HEARTBEAT_S */
    long connect_timeout_ms;     /* 0: MQ_DEFAULT_CONNECT_TIMEOUT_MS */
    long reconnect_max_ms;       /* 0: MQ_DEFAULT_RECONNECT_MAX_MS */
};

struct mq_queue_options {
    int dead_letter;             /* nonzero: rejected and expired messages go to <queue>.dead */
    long message_ttl_ms;         /* > 0: messages expire after this long in the queue */
};

struct mq_header {
    const char *name;
    const char *value;
};

struct mq_message {
    const char *exchange;        /* NULL or "": the default exchange */
    const char *routing_key;     /* on the default exchange: the queue name */
    const void *body;
    size_t body_len;
    const char *content_type;    /* NULL: "application/json" */
    const char *message_id;      /* NULL: none */
    const char *correlation_id;  /* NULL: none */
    const struct mq_header *headers; /* header_count string headers; no NULL name or value */
    size_t header_count;
};

/* One received message; every field lives until the handler returns. */
struct mq_delivery {
    const char *body;            /* NUL-terminated copy, body_len bytes before the NUL */
    size_t body_len;
    const char *routing_key;
    const char *message_id;      /* "" when absent */
    const char *correlation_id;  /* "" when absent */
    const char *content_type;    /* "" when absent */
    int redelivered;
    uint64_t delivery_tag;
    struct mq_header headers[MQ_MAX_HEADERS]; /* string-valued headers only */
    size_t header_count;
};

enum mq_verdict {
    MQ_ACK,                      /* done: remove the message */
    MQ_NACK_REQUEUE,             /* failed for now: deliver it again */
    MQ_REJECT                    /* never processable: dead-letter it (or drop without DLX) */
};

typedef enum mq_verdict (*mq_handler)(const struct mq_delivery *delivery, void *user);

struct mq;

/*
 * Connects, logs in and opens a channel in confirm mode. Returns NULL with
 * err filled: HITO_ERR_AUTH when the broker rejects the credentials or the
 * vhost, HITO_ERR_UNAVAILABLE when it cannot be reached.
 */
struct mq *mq_new(const struct mq_options *opts, struct hito_error *err);

/* Closes the connection and frees mq. */
void mq_free(struct mq *mq);

/*
 * Declares a durable queue (and with opts->dead_letter the durable direct
 * exchange <queue>.dlx and queue <queue>.dead it routes to). The declaration
 * is repeated after every reconnection. Declaring an existing queue with
 * other arguments is HITO_ERR_CONFLICT (the broker's PRECONDITION_FAILED).
 */
int mq_declare_queue(struct mq *mq, const char *queue, const struct mq_queue_options *opts,
                     struct hito_error *err);

/*
 * Publishes a persistent message (mandatory, so an unroutable message is an
 * error) and waits for the broker's confirm until timeout_ms (0:
 * MQ_DEFAULT_PUBLISH_TIMEOUT_MS) has passed, reconnecting with backoff in
 * between when the connection is or goes down. Returns HITO_ERR_NOT_FOUND
 * when no queue is bound to the routing key (basic.return),
 * HITO_ERR_UNAVAILABLE when the broker nacks it, HITO_ERR_TIMEOUT when the
 * deadline passes, HITO_ERR_LIMIT over MQ_MAX_BODY or MQ_MAX_HEADERS.
 */
int mq_publish(struct mq *mq, const struct mq_message *msg, long timeout_ms,
               struct hito_error *err);

/*
 * Consumes queue with manual acknowledgements and at most prefetch
 * (1..MQ_MAX_PREFETCH) unacknowledged messages, calling handler for each
 * and acking, requeueing or rejecting as it returns. Runs until *stop is
 * nonzero (checked at least every MQ_CONSUME_WAKE_MS); when the connection
 * goes down it reconnects with backoff and resumes. Returns HITO_OK once
 * stopped, HITO_ERR_NOT_FOUND when the queue does not exist, another
 * negative code when the broker rejects the consumer.
 */
int mq_consume(struct mq *mq, const char *queue, int prefetch, mq_handler handler, void *user,
               const atomic_int *stop, struct hito_error *err);

/*
 * Stores the number of ready messages of an existing queue in *count
 * (a passive declare). Returns HITO_ERR_NOT_FOUND when it does not exist.
 */
int mq_queue_depth(struct mq *mq, const char *queue, uint32_t *count, struct hito_error *err);

/*
 * Deletes queue with its messages, and the <queue>.dead queue and
 * <queue>.dlx exchange when they exist. The queue is no longer re-declared
 * after a reconnection.
 */
int mq_delete_queue(struct mq *mq, const char *queue, struct hito_error *err);

/* Returns the value of the header name of a delivery, or NULL. */
const char *mq_delivery_header(const struct mq_delivery *delivery, const char *name);

#endif

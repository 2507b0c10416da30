/* mq_internal.h - state and helpers shared by mq.c, mq_publish.c and mq_consume.c. */
#ifndef HITO_MQ_INTERNAL_H
#define HITO_MQ_INTERNAL_H

#include <amqp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/time.h>

#include "hito/mq.h"

/* The one channel each connection opens. */
#define MQ_CHANNEL 1

struct mq_queue {
    char *name;
    struct mq_queue_options opts;
};

struct mq {
    char *host;
    int port;
    char *user;
    char *password;
    char *vhost;
    char *name;
    int heartbeat_s;
    long connect_timeout_ms;
    long reconnect_max_ms;
    amqp_connection_state_t conn;    /* NULL while disconnected */
    uint64_t next_tag;               /* delivery tag of the next publish on the channel */
    struct mq_queue queues[MQ_MAX_QUEUES];
    size_t queue_count;
    pthread_mutex_t lock;            /* serialises mq_publish and mq_declare_queue */
};

/* Returns CLOCK_MONOTONIC in milliseconds. */
long long mq_now_ms(void);

/* Converts ms (negative: 0) into a struct timeval. */
struct timeval mq_timeval(long long ms);

/* Fills err from an RPC reply; returns HITO_OK for a normal reply. */
int mq_reply_error(amqp_rpc_reply_t reply, const char *what, struct hito_error *err);

/* Fills err from a connection.close or channel.close method. */
int mq_method_error(const amqp_method_t *method, const char *what, struct hito_error *err);

/* Closes the connection (graceful: with the close handshake) and sets mq->conn to NULL. */
void mq_drop_connection(struct mq *mq, int graceful);

/*
 * Connects with backoff until it succeeds, deadline_ms (mq_now_ms time, 0:
 * none) passes, or *stop (may be NULL) becomes nonzero. Returns HITO_OK,
 * HITO_ERR_AUTH or HITO_ERR_CONFLICT at once, HITO_ERR_TIMEOUT after the
 * deadline, HITO_ERR_UNAVAILABLE when stopped.
 */
int mq_reconnect(struct mq *mq, long long deadline_ms, const atomic_int *stop,
                 struct hito_error *err);

#endif

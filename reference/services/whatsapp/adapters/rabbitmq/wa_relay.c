#include "rabbitmq/wa_relay.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hito/log.h"
#include "hito/metrics.h"
#include "wa_event.h"

#define METRIC_DEPTH "whatsapp_outbox_depth"
#define METRIC_PUBLISHED "whatsapp_outbox_published_total"
#define TEXT_SIZE 256
#define RETRY_MIN_MS 200

struct wa_relay {
    struct wa_relay_options opts;
    char host[TEXT_SIZE], user[TEXT_SIZE], password[TEXT_SIZE];
    char vhost[TEXT_SIZE];
    struct wa_outbox outbox;
    struct mq *mq;
    atomic_int connected;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int pending; /* notified since the last round */
    int stop;
};

static void copy(char *out, const char *value)
{
    snprintf(out, TEXT_SIZE, "%s", value ? value : "");
}

/* Waits up to ms or until notified or stopped. Returns nonzero to stop. */
static int wait_for(struct wa_relay *relay, long ms)
{
    struct timespec until;
    int stop;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&relay->lock);
    while (!relay->stop && !relay->pending &&
           pthread_cond_timedwait(&relay->wake, &relay->lock, &until) !=
               ETIMEDOUT)
        ;
    relay->pending = 0;
    stop = relay->stop;
    pthread_mutex_unlock(&relay->lock);
    return stop;
}

static int connect_broker(struct wa_relay *relay)
{
    struct mq_queue_options queue = { 1, 0 };
    struct hito_error err = { 0 };

    relay->mq = mq_new(&relay->opts.mq, &err);
    if (relay->mq != NULL &&
        mq_declare_queue(relay->mq, WA_EVENT_QUEUE, &queue, &err) != HITO_OK) {
        mq_free(relay->mq);
        relay->mq = NULL;
    }
    if (relay->mq == NULL) {
        LOG_WARN("the outbox relay cannot reach RabbitMQ", "error",
                 err.message);
        return -1;
    }
    atomic_store(&relay->connected, 1);
    LOG_INFO("the outbox relay is connected to RabbitMQ");
    return 0;
}

static int publish(struct wa_relay *relay, const struct wa_outbox_event *e,
                   struct hito_error *err)
{
    struct mq_header header = { "event", e->routing_key };
    struct mq_message msg = { 0 };

    msg.routing_key = WA_EVENT_QUEUE;
    msg.body = e->body;
    msg.body_len = strlen(e->body);
    msg.message_id = e->wamid;
    msg.correlation_id = e->correlation_id[0] ? e->correlation_id : e->wamid;
    msg.headers = &header;
    msg.header_count = 1;
    return mq_publish(relay->mq, &msg, relay->opts.publish_timeout_ms, err);
}

static void update_depth(struct wa_relay *relay)
{
    long long depth = 0;

    if (relay->outbox.ops->depth(relay->outbox.self, &depth, NULL) == HITO_OK)
        metrics_set(METRIC_DEPTH, "", (double)depth);
}

/* Publishes one batch. Returns the number published, or -1 on a failure. */
static int relay_round(struct wa_relay *relay)
{
    struct wa_outbox_event events[WA_RELAY_BATCH];
    struct hito_error err = { 0 };
    size_t count = 0;
    int published = 0;
    int rc;

    memset(events, 0, sizeof(events));
    rc = relay->outbox.ops->fetch(relay->outbox.self, WA_RELAY_BATCH, events,
                                  &count, &err);
    for (size_t i = 0; rc == HITO_OK && i < count; i++) {
        rc = publish(relay, &events[i], &err);
        if (rc == HITO_OK)
            rc = relay->outbox.ops->mark_published(relay->outbox.self,
                                                   events[i].id, &err);
        if (rc == HITO_OK)
            published++;
        else
            LOG_WARN("publishing an inbound message failed; it stays in the "
                     "outbox",
                     "wamid", events[i].wamid, "error", err.message);
    }
    for (size_t i = 0; i < count; i++)
        free(events[i].body);
    if (published > 0)
        metrics_add(METRIC_PUBLISHED, "", published);
    update_depth(relay);
    return rc == HITO_OK ? published : -1;
}

static void *relay_main(void *arg)
{
    struct wa_relay *relay = arg;
    long backoff = RETRY_MIN_MS;
    int published;

    while (!wait_for(relay, 0)) {
        if (relay->mq != NULL || connect_broker(relay) == 0)
            published = relay_round(relay);
        else
            published = -1;
        if (published < 0) {
            if (wait_for(relay, backoff))
                break;
            backoff = backoff * 2 < relay->opts.retry_max_ms
                          ? backoff * 2
                          : relay->opts.retry_max_ms;
            continue;
        }
        backoff = RETRY_MIN_MS;
        if (published < WA_RELAY_BATCH && wait_for(relay, relay->opts.poll_ms))
            break;
    }
    return NULL;
}

struct wa_relay *wa_relay_start(const struct wa_relay_options *opts,
                                struct wa_outbox outbox, struct hito_error *err)
{
    struct wa_relay *relay = calloc(1, sizeof(*relay));

    if (relay == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    relay->opts = *opts;
    copy(relay->host, opts->mq.host);
    copy(relay->user, opts->mq.user);
    copy(relay->password, opts->mq.password);
    copy(relay->vhost, opts->mq.vhost ? opts->mq.vhost : "/");
    relay->opts.mq.host = relay->host;
    relay->opts.mq.user = relay->user;
    relay->opts.mq.password = relay->password;
    relay->opts.mq.vhost = relay->vhost;
    relay->opts.mq.name = "whatsapp-outbox-relay";
    relay->outbox = outbox;
    metrics_define(METRIC_DEPTH,
                   "Inbound-message events not yet confirmed "
                   "by RabbitMQ",
                   METRICS_GAUGE);
    metrics_define(METRIC_PUBLISHED, "Outbox events published and confirmed",
                   METRICS_COUNTER);
    pthread_mutex_init(&relay->lock, NULL);
    pthread_cond_init(&relay->wake, NULL);
    if (pthread_create(&relay->thread, NULL, relay_main, relay) != 0) {
        hito_error_set(err, HITO_ERR_IO, "starting the relay thread failed");
        pthread_cond_destroy(&relay->wake);
        pthread_mutex_destroy(&relay->lock);
        free(relay);
        return NULL;
    }
    return relay;
}

void wa_relay_notify(struct wa_relay *relay)
{
    pthread_mutex_lock(&relay->lock);
    relay->pending = 1;
    pthread_cond_signal(&relay->wake);
    pthread_mutex_unlock(&relay->lock);
}

int wa_relay_connected(struct wa_relay *relay)
{
    return atomic_load(&relay->connected);
}

void wa_relay_free(struct wa_relay *relay)
{
    if (relay == NULL)
        return;
    pthread_mutex_lock(&relay->lock);
    relay->stop = 1;
    pthread_cond_signal(&relay->wake);
    pthread_mutex_unlock(&relay->lock);
    pthread_join(relay->thread, NULL);
    mq_free(relay->mq);
    pthread_cond_destroy(&relay->wake);
    pthread_mutex_destroy(&relay->lock);
    memset(relay->password, 0, sizeof(relay->password));
    free(relay);
}

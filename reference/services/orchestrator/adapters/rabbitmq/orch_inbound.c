#include "rabbitmq/orch_inbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "hito/log.h"
#include "json/orch_json.h"

#define QUEUE_NAME_SIZE 128

struct orch_inbound_consumer {
    struct mq *mq;
    char queue[QUEUE_NAME_SIZE];
    int prefetch;
    orch_inbound_handler handler;
    void *user;
    atomic_int stop;
    atomic_int running;
    pthread_t thread;
    int started;
};

/* The text of a text message, or the title and id of a chosen option. */
static void read_text(const json_t *root, struct orch_inbound *out)
{
    const json_t *text = json_object_get(root, "text");
    const json_t *choice = json_object_get(root, "interactive");

    if (json_is_object(text))
        text = json_object_get(text, "body");
    orch_json_copy_string(text, out->text, sizeof(out->text));
    if (out->text[0] != '\0' || !json_is_object(choice))
        return;
    /* The Cloud API nests the choice under its type; the event is flat. */
    if (json_object_get(choice, "title") == NULL)
        choice = json_object_get(
            choice, json_string_value(json_object_get(choice, "type")));
    orch_json_copy_string(json_object_get(choice, "title"), out->text,
                          sizeof(out->text));
    orch_json_copy_string(json_object_get(choice, "id"), out->reply_id,
                          sizeof(out->reply_id));
}

/*
 * When the webhook received the message, in ms: received_at_ms, else
 * received_at in RFC 3339 UTC ("2026-12-04T16:22:56Z"), else 0.
 */
static long long read_received(const json_t *root)
{
    const json_t *ms = json_object_get(root, "received_at_ms");
    const char *text = json_string_value(json_object_get(root, "received_at"));
    struct tm tm;

    if (json_is_integer(ms))
        return json_integer_value(ms);
    memset(&tm, 0, sizeof(tm));
    if (text == NULL ||
        sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) * 1000;
}

int orch_inbound_parse(const struct mq_delivery *delivery,
                       struct orch_inbound *out, struct hito_error *err)
{
    json_t *root = json_loadb(delivery->body, delivery->body_len, 0, NULL);

    memset(out, 0, sizeof(*out));
    if (!json_is_object(root)) {
        json_decref(root);
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the message body is not a JSON object");
    }
    orch_json_copy_string(json_object_get(root, "wamid"), out->wamid,
                          sizeof(out->wamid));
    if (out->wamid[0] == '\0')
        snprintf(out->wamid, sizeof(out->wamid), "%s", delivery->message_id);
    orch_json_copy_string(json_object_get(root, "from"), out->from,
                          sizeof(out->from));
    read_text(root, out);
    out->received_ms = read_received(root);
    json_decref(root);
    if (out->wamid[0] == '\0' || out->from[0] == '\0' || out->text[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the message lacks a wamid, a sender or a text");
    return HITO_OK;
}

static enum mq_verdict on_delivery(const struct mq_delivery *delivery,
                                   void *user)
{
    struct orch_inbound_consumer *consumer = user;
    struct orch_inbound *msg = malloc(sizeof(*msg));
    struct hito_error err = { 0 };
    enum mq_verdict verdict = MQ_NACK_REQUEUE;

    if (msg == NULL)
        return verdict;
    if (orch_inbound_parse(delivery, msg, &err) != HITO_OK) {
        LOG_ERROR("rejecting an unreadable inbound message", "error",
                  err.message, "message_id", delivery->message_id);
        verdict = MQ_REJECT;
    } else {
        log_set_request_id(msg->wamid);
        verdict = consumer->handler(msg, delivery->redelivered, consumer->user);
        log_set_request_id(NULL);
    }
    free(msg);
    return verdict;
}

static void *consume(void *arg)
{
    struct orch_inbound_consumer *consumer = arg;
    struct hito_error err = { 0 };

    if (mq_consume(consumer->mq, consumer->queue, consumer->prefetch,
                   on_delivery, consumer, &consumer->stop, &err) != HITO_OK)
        LOG_ERROR("the inbound consumer stopped", "queue", consumer->queue,
                  "error", err.message);
    atomic_store(&consumer->running, 0);
    return NULL;
}

struct orch_inbound_consumer *orch_inbound_start(
    const struct orch_inbound_options *opts, struct hito_error *err)
{
    struct orch_inbound_consumer *consumer = calloc(1, sizeof(*consumer));
    struct mq_queue_options queue = { .dead_letter = 1 };

    if (consumer == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(consumer->queue, sizeof(consumer->queue), "%s", opts->queue);
    consumer->prefetch = opts->prefetch;
    consumer->handler = opts->handler;
    consumer->user = opts->user;
    consumer->mq = mq_new(opts->mq, err);
    if (consumer->mq == NULL ||
        mq_declare_queue(consumer->mq, consumer->queue, &queue, err) != HITO_OK)
        goto fail;
    atomic_store(&consumer->running, 1);
    if (pthread_create(&consumer->thread, NULL, consume, consumer) != 0) {
        hito_error_set(err, HITO_ERR_IO, "starting the consumer thread failed");
        goto fail;
    }
    consumer->started = 1;
    return consumer;

fail:
    orch_inbound_stop(consumer);
    return NULL;
}

int orch_inbound_running(const struct orch_inbound_consumer *consumer)
{
    return atomic_load(&consumer->running);
}

void orch_inbound_stop(struct orch_inbound_consumer *consumer)
{
    if (consumer == NULL)
        return;
    atomic_store(&consumer->stop, 1);
    if (consumer->started)
        pthread_join(consumer->thread, NULL);
    mq_free(consumer->mq);
    free(consumer);
}

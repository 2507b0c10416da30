/* mq_consume.c - a consumer with manual acks that survives broker restarts. */
#include <amqp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/log.h"
#include "mq_internal.h"

#define FIELD_MAX 256

/* NUL-terminated copies of a delivery's properties. */
struct delivery_text {
    char routing_key[FIELD_MAX];
    char message_id[FIELD_MAX];
    char correlation_id[FIELD_MAX];
    char content_type[FIELD_MAX];
    char *header_text[MQ_MAX_HEADERS * 2];
};

static void copy_bytes(char *out, size_t size, amqp_bytes_t bytes)
{
    size_t len = bytes.len < size - 1 ? bytes.len : size - 1;

    if (len > 0)
        memcpy(out, bytes.bytes, len);
    out[len] = '\0';
}

/* Copies the string-valued headers (longstr or bytes) into d. */
static void copy_headers(const amqp_basic_properties_t *props, struct mq_delivery *d,
                         struct delivery_text *text)
{
    int i;

    if (!(props->_flags & AMQP_BASIC_HEADERS_FLAG))
        return;
    for (i = 0; i < props->headers.num_entries && d->header_count < MQ_MAX_HEADERS; i++) {
        const amqp_table_entry_t *entry = &props->headers.entries[i];
        size_t n = d->header_count;
        char *name;
        char *value;

        if (entry->value.kind != AMQP_FIELD_KIND_UTF8 && entry->value.kind != AMQP_FIELD_KIND_BYTES)
            continue;
        name = strndup(entry->key.bytes, entry->key.len);
        value = strndup(entry->value.value.bytes.bytes, entry->value.value.bytes.len);
        text->header_text[2 * n] = name;
        text->header_text[2 * n + 1] = value;
        if (name == NULL || value == NULL)
            continue;
        d->headers[n].name = name;
        d->headers[n].value = value;
        d->header_count++;
    }
}

static void fill_delivery(const amqp_envelope_t *env, char *body, struct mq_delivery *d,
                          struct delivery_text *text)
{
    const amqp_basic_properties_t *props = &env->message.properties;

    memset(d, 0, sizeof(*d));
    memset(text, 0, sizeof(*text));
    copy_bytes(text->routing_key, FIELD_MAX, env->routing_key);
    if (props->_flags & AMQP_BASIC_MESSAGE_ID_FLAG)
        copy_bytes(text->message_id, FIELD_MAX, props->message_id);
    if (props->_flags & AMQP_BASIC_CORRELATION_ID_FLAG)
        copy_bytes(text->correlation_id, FIELD_MAX, props->correlation_id);
    if (props->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
        copy_bytes(text->content_type, FIELD_MAX, props->content_type);
    d->body = body;
    d->body_len = env->message.body.len;
    d->routing_key = text->routing_key;
    d->message_id = text->message_id;
    d->correlation_id = text->correlation_id;
    d->content_type = text->content_type;
    d->redelivered = env->redelivered;
    d->delivery_tag = env->delivery_tag;
    copy_headers(props, d, text);
}

/* Runs the handler on one delivery and sends its verdict; HITO_ERR_IO when that fails. */
static int deliver(struct mq *mq, const amqp_envelope_t *env, mq_handler handler, void *user,
                   struct hito_error *err)
{
    struct mq_delivery d;
    struct delivery_text text;
    enum mq_verdict verdict = MQ_REJECT;
    size_t len = env->message.body.len;
    char *body = len <= MQ_MAX_BODY ? malloc(len + 1) : NULL;
    size_t i;
    int status;

    if (body == NULL) {
        LOG_ERROR("amqp message rejected: body too large or out of memory");
    } else {
        memcpy(body, env->message.body.bytes, len);
        body[len] = '\0';
        fill_delivery(env, body, &d, &text);
        log_set_request_id(d.correlation_id[0] ? d.correlation_id : d.message_id);
        verdict = handler(&d, user);
        log_set_request_id(NULL);
        for (i = 0; i < MQ_MAX_HEADERS * 2; i++)
            free(text.header_text[i]);
        free(body);
    }
    if (verdict == MQ_ACK)
        status = amqp_basic_ack(mq->conn, MQ_CHANNEL, env->delivery_tag, 0);
    else if (verdict == MQ_NACK_REQUEUE)
        status = amqp_basic_nack(mq->conn, MQ_CHANNEL, env->delivery_tag, 0, 1);
    else
        status = amqp_basic_reject(mq->conn, MQ_CHANNEL, env->delivery_tag, 0);
    if (status != AMQP_STATUS_OK)
        return hito_error_set(err, HITO_ERR_IO, "amqp ack: %s", amqp_error_string2(status));
    return HITO_OK;
}

static int start_consumer(struct mq *mq, const char *queue, int prefetch,
                          struct hito_error *err)
{
    int rc;

    amqp_basic_qos(mq->conn, MQ_CHANNEL, 0, (uint16_t)prefetch, 0);
    rc = mq_reply_error(amqp_get_rpc_reply(mq->conn), "amqp basic.qos", err);
    if (rc != HITO_OK)
        return rc;
    amqp_basic_consume(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0,
                       0, amqp_empty_table);
    return mq_reply_error(amqp_get_rpc_reply(mq->conn), queue, err);
}

/* Handles a frame that arrived outside a delivery: a close means the connection is gone. */
static int unexpected_frame(struct mq *mq, struct hito_error *err)
{
    struct timeval none = {0, 0};
    amqp_frame_t frame;
    int status = amqp_simple_wait_frame_noblock(mq->conn, &frame, &none);

    if (status == AMQP_STATUS_TIMEOUT)
        return HITO_OK;
    if (status != AMQP_STATUS_OK)
        return hito_error_set(err, HITO_ERR_IO, "amqp consume: %s", amqp_error_string2(status));
    if (frame.frame_type == AMQP_FRAME_METHOD
        && (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD
            || frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)) {
        int rc = mq_method_error(&frame.payload.method, "amqp consume", err);

        /* A forced close (320) or a deleted queue both end this session. */
        return rc == HITO_ERR_NOT_FOUND ? rc : HITO_ERR_IO;
    }
    return HITO_OK;
}

/* Receives until *stop; returns HITO_OK when stopped, else why the session ended. */
static int consume_loop(struct mq *mq, mq_handler handler, void *user, const atomic_int *stop,
                        struct hito_error *err)
{
    while (!atomic_load(stop)) {
        struct timeval wake = mq_timeval(MQ_CONSUME_WAKE_MS);
        amqp_envelope_t env;
        amqp_rpc_reply_t reply;
        int rc;

        amqp_maybe_release_buffers(mq->conn);
        reply = amqp_consume_message(mq->conn, &env, &wake, 0);
        if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
            rc = deliver(mq, &env, handler, user, err);
            amqp_destroy_envelope(&env);
        } else if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                   && reply.library_error == AMQP_STATUS_TIMEOUT) {
            rc = HITO_OK;
        } else if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                   && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            rc = unexpected_frame(mq, err);
        } else {
            rc = mq_reply_error(reply, "amqp consume", err);
            if (rc == HITO_ERR_TIMEOUT)
                rc = HITO_ERR_IO;
        }
        if (rc != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

int mq_consume(struct mq *mq, const char *queue, int prefetch, mq_handler handler, void *user,
               const atomic_int *stop, struct hito_error *err)
{
    int rc;

    if (prefetch < 1 || prefetch > MQ_MAX_PREFETCH)
        return hito_error_set(err, HITO_ERR_INVALID, "prefetch %d is out of range 1..%d",
                              prefetch, MQ_MAX_PREFETCH);
    for (;;) {
        if (atomic_load(stop))
            return HITO_OK;
        if (mq->conn == NULL) {
            rc = mq_reconnect(mq, 0, stop, err);
            if (rc == HITO_ERR_UNAVAILABLE && atomic_load(stop))
                return HITO_OK;
            if (rc != HITO_OK)
                return rc;
            LOG_INFO("amqp consumer connected", "queue", queue);
        }
        rc = start_consumer(mq, queue, prefetch, err);
        if (rc == HITO_OK)
            rc = consume_loop(mq, handler, user, stop, err);
        /*
         * Closing the connection hands messages prefetched but not yet
         * delivered back to the queue at once.
         */
        mq_drop_connection(mq, rc == HITO_OK);
        if (rc != HITO_ERR_IO)
            return rc;
        LOG_WARN("amqp consumer lost its connection, reconnecting", "queue", queue,
                 "detail", err ? err->message : "");
    }
}

const char *mq_delivery_header(const struct mq_delivery *delivery, const char *name)
{
    size_t i;

    for (i = 0; i < delivery->header_count; i++) {
        if (strcmp(delivery->headers[i].name, name) == 0)
            return delivery->headers[i].value;
    }
    return NULL;
}

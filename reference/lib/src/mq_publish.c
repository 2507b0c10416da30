/* mq_publish.c - persistent publishing with publisher confirms and reconnection. */
#include <amqp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hito/log.h"
#include "mq_internal.h"

#define RETURN_TEXT_MAX 256

static void set_properties(const struct mq_message *msg, amqp_basic_properties_t *props,
                           amqp_table_entry_t *entries)
{
    size_t i;

    memset(props, 0, sizeof(*props));
    props->_flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    props->content_type = amqp_cstring_bytes(msg->content_type ? msg->content_type
                                                               : "application/json");
    props->delivery_mode = AMQP_DELIVERY_PERSISTENT;
    if (msg->message_id != NULL) {
        props->_flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        props->message_id = amqp_cstring_bytes(msg->message_id);
    }
    if (msg->correlation_id != NULL) {
        props->_flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
        props->correlation_id = amqp_cstring_bytes(msg->correlation_id);
    }
    if (msg->header_count == 0)
        return;
    for (i = 0; i < msg->header_count; i++) {
        entries[i].key = amqp_cstring_bytes(msg->headers[i].name);
        entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[i].value.value.bytes = amqp_cstring_bytes(msg->headers[i].value);
    }
    props->_flags |= AMQP_BASIC_HEADERS_FLAG;
    props->headers.num_entries = (int)msg->header_count;
    props->headers.entries = entries;
}

/* Returns 1 when an ack or nack for delivery_tag covers the message tag. */
static int covers(uint64_t delivery_tag, amqp_boolean_t multiple, uint64_t tag)
{
    return delivery_tag == tag || (multiple && delivery_tag >= tag);
}

/*
 * Reads frames until the broker confirms message tag. Returns HITO_ERR_IO
 * when the connection broke, so the caller publishes again after
 * reconnecting.
 */
static int wait_confirm(struct mq *mq, uint64_t tag, long long deadline_ms,
                        struct hito_error *err)
{
    char return_text[RETURN_TEXT_MAX] = "";
    int returned = 0;

    for (;;) {
        long long remaining = deadline_ms - mq_now_ms();
        struct timeval tv = mq_timeval(remaining);
        amqp_frame_t frame;
        int status;

        if (remaining <= 0)
            return hito_error_set(err, HITO_ERR_TIMEOUT, "amqp: no publisher confirm in time");
        status = amqp_simple_wait_frame_noblock(mq->conn, &frame, &tv);
        if (status == AMQP_STATUS_TIMEOUT)
            continue;
        if (status != AMQP_STATUS_OK)
            return hito_error_set(err, HITO_ERR_IO, "amqp: connection lost before the confirm: %s",
                                  amqp_error_string2(status));
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
            const amqp_basic_ack_t *ack = frame.payload.method.decoded;

            if (!covers(ack->delivery_tag, ack->multiple, tag))
                break;
            if (returned)
                return hito_error_set(err, HITO_ERR_NOT_FOUND, "amqp: message returned: %s",
                                      return_text);
            return HITO_OK;
        }
        case AMQP_BASIC_NACK_METHOD: {
            const amqp_basic_nack_t *nack = frame.payload.method.decoded;

            if (covers(nack->delivery_tag, nack->multiple, tag))
                return hito_error_set(err, HITO_ERR_UNAVAILABLE,
                                      "amqp: the broker rejected the message (basic.nack)");
            break;
        }
        case AMQP_BASIC_RETURN_METHOD: {
            const amqp_basic_return_t *ret = frame.payload.method.decoded;
            amqp_message_t message;

            snprintf(return_text, sizeof(return_text), "%d %.*s", ret->reply_code,
                     (int)ret->reply_text.len, (const char *)ret->reply_text.bytes);
            returned = 1;
            /* The returned message's header and body frames follow the method. */
            if (amqp_read_message(mq->conn, frame.channel, &message, 0).reply_type
                != AMQP_RESPONSE_NORMAL)
                return hito_error_set(err, HITO_ERR_IO, "amqp: connection lost in a return");
            amqp_destroy_message(&message);
            break;
        }
        case AMQP_CONNECTION_CLOSE_METHOD:
            mq_method_error(&frame.payload.method, "amqp publish", err);
            return HITO_ERR_IO;
        case AMQP_CHANNEL_CLOSE_METHOD:
            return mq_method_error(&frame.payload.method, "amqp publish", err);
        default:
            break;
        }
    }
}

static int publish_once(struct mq *mq, const struct mq_message *msg, long long deadline_ms,
                        struct hito_error *err)
{
    amqp_basic_properties_t props;
    amqp_table_entry_t entries[MQ_MAX_HEADERS];
    amqp_bytes_t body = {msg->body_len, (void *)msg->body};
    const char *exchange = msg->exchange ? msg->exchange : "";
    uint64_t tag;
    int status;
    int rc;

    set_properties(msg, &props, entries);
    status = amqp_basic_publish(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(exchange),
                                amqp_cstring_bytes(msg->routing_key), 1, 0, &props, body);
    if (status != AMQP_STATUS_OK)
        return hito_error_set(err, HITO_ERR_IO, "amqp publish: %s", amqp_error_string2(status));
    tag = mq->next_tag++;
    rc = wait_confirm(mq, tag, deadline_ms, err);
    amqp_maybe_release_buffers(mq->conn);
    return rc;
}

int mq_publish(struct mq *mq, const struct mq_message *msg, long timeout_ms,
               struct hito_error *err)
{
    struct timespec pause = {0, MQ_RECONNECT_MIN_MS * 1000000L};
    long long deadline;
    int rc = HITO_OK;

    if (msg->body_len > MQ_MAX_BODY || msg->header_count > MQ_MAX_HEADERS)
        return hito_error_set(err, HITO_ERR_LIMIT, "amqp: body over %d bytes or over %d headers",
                              MQ_MAX_BODY, MQ_MAX_HEADERS);
    if (msg->routing_key == NULL)
        return hito_error_set(err, HITO_ERR_INVALID, "amqp: message without a routing key");
    deadline = mq_now_ms() + (timeout_ms > 0 ? timeout_ms : MQ_DEFAULT_PUBLISH_TIMEOUT_MS);
    pthread_mutex_lock(&mq->lock);
    for (;;) {
        if (mq->conn == NULL) {
            rc = mq_reconnect(mq, deadline, NULL, err);
            if (rc != HITO_OK)
                break;
            LOG_INFO("amqp reconnected", "host", mq->host);
        }
        rc = publish_once(mq, msg, deadline, err);
        if (rc == HITO_OK || rc == HITO_ERR_NOT_FOUND || rc == HITO_ERR_UNAVAILABLE)
            break;
        /* Any other failure leaves the channel unusable or out of step. */
        mq_drop_connection(mq, 0);
        if (rc != HITO_ERR_IO)
            break;
        LOG_WARN("amqp connection lost while publishing, reconnecting", "message_id",
                 msg->message_id ? msg->message_id : "");
        nanosleep(&pause, NULL);
    }
    pthread_mutex_unlock(&mq->lock);
    return rc;
}

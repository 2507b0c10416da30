/* mq.c - RabbitMQ connection, declarations and confirmed publishing on rabbitmq-c 0.11. */
#include "hito/mq.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hito/log.h"
#include "mq_internal.h"

#define MQ_NAME_MAX 256

long long mq_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timeval mq_timeval(long long ms)
{
    struct timeval tv;

    if (ms < 0)
        ms = 0;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
    return tv;
}

/* Maps an AMQP reply code of connection.close or channel.close to an error code. */
static int close_code(int reply_code)
{
    switch (reply_code) {
    case 403: /* ACCESS_REFUSED */
    case 530: /* NOT_ALLOWED, for example a vhost the user may not use */
        return HITO_ERR_AUTH;
    case 404: /* NOT_FOUND */
        return HITO_ERR_NOT_FOUND;
    case 406: /* PRECONDITION_FAILED */
        return HITO_ERR_CONFLICT;
    case 320: /* CONNECTION_FORCED */
        return HITO_ERR_IO;
    default:
        return HITO_ERR_PROTOCOL;
    }
}

int mq_method_error(const amqp_method_t *method, const char *what, struct hito_error *err)
{
    if (method->id == AMQP_CONNECTION_CLOSE_METHOD) {
        const amqp_connection_close_t *m = method->decoded;

        return hito_error_set(err, close_code(m->reply_code), "%s: connection closed: %d %.*s",
                              what, m->reply_code, (int)m->reply_text.len,
                              (const char *)m->reply_text.bytes);
    }
    if (method->id == AMQP_CHANNEL_CLOSE_METHOD) {
        const amqp_channel_close_t *m = method->decoded;

        return hito_error_set(err, close_code(m->reply_code), "%s: channel closed: %d %.*s",
                              what, m->reply_code, (int)m->reply_text.len,
                              (const char *)m->reply_text.bytes);
    }
    return hito_error_set(err, HITO_ERR_PROTOCOL, "%s: unexpected method 0x%08x", what,
                          (unsigned)method->id);
}

int mq_reply_error(amqp_rpc_reply_t reply, const char *what, struct hito_error *err)
{
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return HITO_OK;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        return hito_error_set(err,
                              reply.library_error == AMQP_STATUS_TIMEOUT ? HITO_ERR_TIMEOUT
                                                                         : HITO_ERR_IO,
                              "%s: %s", what, amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        return mq_method_error(&reply.reply, what, err);
    default:
        return hito_error_set(err, HITO_ERR_PROTOCOL, "%s: no reply", what);
    }
}

void mq_drop_connection(struct mq *mq, int graceful)
{
    if (mq->conn == NULL)
        return;
    if (graceful) {
        amqp_channel_close(mq->conn, MQ_CHANNEL, AMQP_REPLY_SUCCESS);
        amqp_connection_close(mq->conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(mq->conn);
    mq->conn = NULL;
}

static int declare(struct mq *mq, const struct mq_queue *q, struct hito_error *err)
{
    char dlx[MQ_NAME_MAX];
    char dead[MQ_NAME_MAX];
    amqp_table_entry_t args[3];
    amqp_table_t table = {0, args};
    amqp_bytes_t name = amqp_cstring_bytes(q->name);

    snprintf(dlx, sizeof(dlx), "%s.dlx", q->name);
    snprintf(dead, sizeof(dead), "%s.dead", q->name);
    if (q->opts.dead_letter) {
        amqp_exchange_declare(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(dlx),
                              amqp_cstring_bytes("direct"), 0, 1, 0, 0, amqp_empty_table);
        if (amqp_get_rpc_reply(mq->conn).reply_type != AMQP_RESPONSE_NORMAL)
            return mq_reply_error(amqp_get_rpc_reply(mq->conn), dlx, err);
        amqp_queue_declare(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(dead), 0, 1, 0, 0,
                           amqp_empty_table);
        if (amqp_get_rpc_reply(mq->conn).reply_type != AMQP_RESPONSE_NORMAL)
            return mq_reply_error(amqp_get_rpc_reply(mq->conn), dead, err);
        amqp_queue_bind(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(dead), amqp_cstring_bytes(dlx),
                        name, amqp_empty_table);
        if (amqp_get_rpc_reply(mq->conn).reply_type != AMQP_RESPONSE_NORMAL)
            return mq_reply_error(amqp_get_rpc_reply(mq->conn), dead, err);
        args[table.num_entries].key = amqp_cstring_bytes("x-dead-letter-exchange");
        args[table.num_entries].value.kind = AMQP_FIELD_KIND_UTF8;
        args[table.num_entries++].value.value.bytes = amqp_cstring_bytes(dlx);
        args[table.num_entries].key = amqp_cstring_bytes("x-dead-letter-routing-key");
        args[table.num_entries].value.kind = AMQP_FIELD_KIND_UTF8;
        args[table.num_entries++].value.value.bytes = name;
    }
    if (q->opts.message_ttl_ms > 0) {
        args[table.num_entries].key = amqp_cstring_bytes("x-message-ttl");
        args[table.num_entries].value.kind = AMQP_FIELD_KIND_I64;
        args[table.num_entries++].value.value.i64 = q->opts.message_ttl_ms;
    }
    amqp_queue_declare(mq->conn, MQ_CHANNEL, name, 0, 1, 0, 0, table);
    return mq_reply_error(amqp_get_rpc_reply(mq->conn), q->name, err);
}

/* Opens the connection, its channel in confirm mode, and repeats the declarations. */
static int open_connection(struct mq *mq, struct hito_error *err)
{
    struct timeval timeout = mq_timeval(mq->connect_timeout_ms);
    amqp_table_entry_t property;
    amqp_table_t properties = {1, &property};
    amqp_socket_t *socket;
    int status;
    size_t i;
    int rc;

    mq->conn = amqp_new_connection();
    socket = mq->conn ? amqp_tcp_socket_new(mq->conn) : NULL;
    if (socket == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "amqp: out of memory");
        goto fail;
    }
    status = amqp_socket_open_noblock(socket, mq->host, mq->port, &timeout);
    if (status != AMQP_STATUS_OK) {
        rc = hito_error_set(err, HITO_ERR_UNAVAILABLE, "amqp %s:%d: %s", mq->host, mq->port,
                            amqp_error_string2(status));
        goto fail;
    }
    amqp_set_handshake_timeout(mq->conn, &timeout);
    amqp_set_rpc_timeout(mq->conn, &timeout);
    property.key = amqp_cstring_bytes("connection_name");
    property.value.kind = AMQP_FIELD_KIND_UTF8;
    property.value.value.bytes = amqp_cstring_bytes(mq->name);
    rc = mq_reply_error(amqp_login_with_properties(mq->conn, mq->vhost, 0, AMQP_DEFAULT_FRAME_SIZE,
                                                   mq->heartbeat_s, &properties,
                                                   AMQP_SASL_METHOD_PLAIN, mq->user,
                                                   mq->password),
                        "amqp login", err);
    if (rc == HITO_OK) {
        amqp_channel_open(mq->conn, MQ_CHANNEL);
        rc = mq_reply_error(amqp_get_rpc_reply(mq->conn), "amqp channel.open", err);
    }
    if (rc == HITO_OK) {
        amqp_confirm_select(mq->conn, MQ_CHANNEL);
        rc = mq_reply_error(amqp_get_rpc_reply(mq->conn), "amqp confirm.select", err);
    }
    for (i = 0; rc == HITO_OK && i < mq->queue_count; i++)
        rc = declare(mq, &mq->queues[i], err);
    if (rc != HITO_OK)
        goto fail;
    mq->next_tag = 1;
    return HITO_OK;
fail:
    if (rc == HITO_ERR_IO)
        rc = HITO_ERR_UNAVAILABLE;
    if (err != NULL)
        err->code = rc;
    if (mq->conn != NULL)
        amqp_destroy_connection(mq->conn);
    mq->conn = NULL;
    return rc;
}

int mq_reconnect(struct mq *mq, long long deadline_ms, const atomic_int *stop,
                 struct hito_error *err)
{
    long backoff = MQ_RECONNECT_MIN_MS;
    int rc;

    for (;;) {
        long long wake;

        rc = open_connection(mq, err);
        if (rc == HITO_OK || rc == HITO_ERR_AUTH || rc == HITO_ERR_CONFLICT)
            return rc;
        LOG_WARN("amqp connection failed, retrying", "detail", err ? err->message : "");
        wake = mq_now_ms() + backoff;
        if (deadline_ms > 0 && wake > deadline_ms)
            return hito_error_set(err, HITO_ERR_TIMEOUT, "amqp %s:%d: not reachable in time",
                                  mq->host, mq->port);
        while (mq_now_ms() < wake) {
            struct timespec slice = {0, 50 * 1000000L};

            if (stop != NULL && atomic_load(stop))
                return HITO_ERR_UNAVAILABLE;
            nanosleep(&slice, NULL);
        }
        backoff = backoff * 2 > mq->reconnect_max_ms ? mq->reconnect_max_ms : backoff * 2;
    }
}

static char *copy_or(const char *value, const char *fallback)
{
    return strdup(value ? value : fallback);
}

struct mq *mq_new(const struct mq_options *opts, struct hito_error *err)
{
    struct mq *mq = calloc(1, sizeof(*mq));

    if (mq == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "amqp: out of memory");
        return NULL;
    }
    pthread_mutex_init(&mq->lock, NULL);
    mq->host = copy_or(opts->host, "127.0.0.1");
    mq->user = copy_or(opts->user, "");
    mq->password = copy_or(opts->password, "");
    mq->vhost = copy_or(opts->vhost, "/");
    mq->name = copy_or(opts->name, "hito");
    mq->port = opts->port;
    mq->heartbeat_s = opts->heartbeat_s > 0 ? opts->heartbeat_s : MQ_DEFAULT_HEARTBEAT_S;
    mq->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
                                                          : MQ_DEFAULT_CONNECT_TIMEOUT_MS;
    mq->reconnect_max_ms = opts->reconnect_max_ms > 0 ? opts->reconnect_max_ms
                                                      : MQ_DEFAULT_RECONNECT_MAX_MS;
    if (mq->host == NULL || mq->user == NULL || mq->password == NULL || mq->vhost == NULL
        || mq->name == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "amqp: out of memory");
        mq_free(mq);
        return NULL;
    }
    if (open_connection(mq, err) != HITO_OK) {
        mq_free(mq);
        return NULL;
    }
    return mq;
}

void mq_free(struct mq *mq)
{
    size_t i;

    if (mq == NULL)
        return;
    mq_drop_connection(mq, 1);
    for (i = 0; i < mq->queue_count; i++)
        free(mq->queues[i].name);
    pthread_mutex_destroy(&mq->lock);
    free(mq->host);
    free(mq->user);
    free(mq->password);
    free(mq->vhost);
    free(mq->name);
    free(mq);
}

int mq_declare_queue(struct mq *mq, const char *queue, const struct mq_queue_options *opts,
                     struct hito_error *err)
{
    static const struct mq_queue_options defaults = {0, 0};
    struct mq_queue q;
    int rc = HITO_OK;

    if (strlen(queue) + sizeof(".dead") > MQ_NAME_MAX)
        return hito_error_set(err, HITO_ERR_INVALID, "queue name %s is too long", queue);
    pthread_mutex_lock(&mq->lock);
    if (mq->queue_count == MQ_MAX_QUEUES) {
        rc = hito_error_set(err, HITO_ERR_LIMIT, "more than %d queues declared", MQ_MAX_QUEUES);
        goto out;
    }
    q.name = (char *)queue;
    q.opts = opts ? *opts : defaults;
    if (mq->conn == NULL)
        rc = mq_reconnect(mq, mq_now_ms() + mq->connect_timeout_ms, NULL, err);
    if (rc == HITO_OK)
        rc = declare(mq, &q, err);
    if (rc != HITO_OK) {
        /* A rejected declaration closes the channel, so the next call starts afresh. */
        mq_drop_connection(mq, 0);
        goto out;
    }
    q.name = strdup(queue);
    if (q.name == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "amqp: out of memory");
        goto out;
    }
    mq->queues[mq->queue_count++] = q;
out:
    pthread_mutex_unlock(&mq->lock);
    return rc;
}

/* Runs before an RPC of mq_queue_depth or mq_delete_queue: connects when needed. */
static int ensure_connected(struct mq *mq, struct hito_error *err)
{
    if (mq->conn != NULL)
        return HITO_OK;
    return mq_reconnect(mq, mq_now_ms() + mq->connect_timeout_ms, NULL, err);
}

int mq_queue_depth(struct mq *mq, const char *queue, uint32_t *count, struct hito_error *err)
{
    amqp_queue_declare_ok_t *ok;
    int rc;

    pthread_mutex_lock(&mq->lock);
    rc = ensure_connected(mq, err);
    if (rc != HITO_OK)
        goto out;
    ok = amqp_queue_declare(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(queue), 1, 0, 0, 0,
                            amqp_empty_table);
    rc = mq_reply_error(amqp_get_rpc_reply(mq->conn), queue, err);
    if (rc == HITO_OK)
        *count = ok->message_count;
    else
        mq_drop_connection(mq, 0);
out:
    pthread_mutex_unlock(&mq->lock);
    return rc;
}

int mq_delete_queue(struct mq *mq, const char *queue, struct hito_error *err)
{
    char name[MQ_NAME_MAX];
    size_t i;
    int rc;

    pthread_mutex_lock(&mq->lock);
    rc = ensure_connected(mq, err);
    if (rc != HITO_OK)
        goto out;
    /* Deleting what does not exist succeeds in RabbitMQ, so each step can run. */
    amqp_queue_delete(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(queue), 0, 0);
    rc = mq_reply_error(amqp_get_rpc_reply(mq->conn), queue, err);
    snprintf(name, sizeof(name), "%s.dead", queue);
    if (rc == HITO_OK) {
        amqp_queue_delete(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(name), 0, 0);
        rc = mq_reply_error(amqp_get_rpc_reply(mq->conn), name, err);
    }
    snprintf(name, sizeof(name), "%s.dlx", queue);
    if (rc == HITO_OK) {
        amqp_exchange_delete(mq->conn, MQ_CHANNEL, amqp_cstring_bytes(name), 0);
        rc = mq_reply_error(amqp_get_rpc_reply(mq->conn), name, err);
    }
    if (rc != HITO_OK)
        mq_drop_connection(mq, 0);
    for (i = 0; i < mq->queue_count; i++) {
        if (strcmp(mq->queues[i].name, queue) == 0) {
            free(mq->queues[i].name);
            mq->queues[i] = mq->queues[--mq->queue_count];
            break;
        }
    }
out:
    pthread_mutex_unlock(&mq->lock);
    return rc;
}

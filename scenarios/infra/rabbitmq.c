/*
 * RabbitMQ takes a persistent message with a publisher confirm and
 * delivers it to a consumer that acknowledges it. The queue is exclusive
 * and server-named, so it disappears with the connection.
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "runner/scenario.h"

#define AMQP_TIMEOUT_MS 5000
#define AMQP_PROBE_BODY "hito checkpoint probe"
#define AMQP_FRAME_MAX 131072

struct amqp_probe {
    amqp_connection_state_t conn;
    char address[300];
    int logged_in;
};

static void close_probe(void *arg)
{
    struct amqp_probe *p = arg;

    if (!p->conn)
        return;
    if (p->logged_in) {
        amqp_channel_close(p->conn, 1, AMQP_REPLY_SUCCESS);
        amqp_connection_close(p->conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(p->conn);
    p->conn = NULL;
}

static struct timeval timeout_of(struct scenario_ctx *ctx)
{
    long ms = scenario_remaining_ms(ctx);
    struct timeval tv;

    if (ms > AMQP_TIMEOUT_MS)
        ms = AMQP_TIMEOUT_MS;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

/* Fails with the operation and the broker's or library's reason. */
static void expect_rpc(struct scenario_ctx *ctx, struct amqp_probe *p,
                       const char *what, amqp_rpc_reply_t reply)
{
    char reason[256];

    if (reply.reply_type == AMQP_RESPONSE_NORMAL)
        return;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
        snprintf(reason, sizeof(reason), "%s",
                 amqp_error_string2(reply.library_error));
    else if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD ||
             reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_connection_close_t *m = reply.reply.decoded;

        snprintf(reason, sizeof(reason), "broker closed the %s: %u %.*s",
                 reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD ? "connection"
                                                                : "channel",
                 m->reply_code, (int)m->reply_text.len,
                 (char *)m->reply_text.bytes);
    } else
        snprintf(reason, sizeof(reason), "unexpected method 0x%08x",
                 reply.reply.id);
    scenario_record(ctx, what, what, reason, 0);
    scenario_fail(ctx, "RabbitMQ at %s: %s failed: %s", p->address, what,
                  reason);
}

/*
 * Returns the errno of a blocking TCP connect to host:port, or 0 when it
 * connects. rabbitmq-c 0.11 reads a failed non-blocking connect's error
 * with SO_ERROR and reports only "a socket error occurred", so a second,
 * plain connect finds the cause (for example ECONNREFUSED).
 */
static int tcp_connect_errno(const char *host, long port,
                             const struct timeval *tv)
{
    struct addrinfo hints = {0}, *addrs = NULL;
    char service[16];
    int fd, rc;

    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof(service), "%ld", port);
    rc = getaddrinfo(host, service, &hints, &addrs);
    if (rc != 0)
        return rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
    fd = socket(addrs->ai_family, addrs->ai_socktype, addrs->ai_protocol);
    if (fd < 0) {
        rc = errno;
        freeaddrinfo(addrs);
        return rc;
    }
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, sizeof(*tv));
    rc = connect(fd, addrs->ai_addr, addrs->ai_addrlen) == 0 ? 0 : errno;
    close(fd);
    freeaddrinfo(addrs);
    return rc;
}

/* Describes a failed amqp_socket_open_noblock, with the TCP cause. */
static void connect_error(int rc, const char *host, long port,
                          const struct timeval *tv, char *out, size_t size)
{
    int cause = rc == AMQP_STATUS_SOCKET_ERROR ? tcp_connect_errno(host, port, tv)
                                               : 0;

    if (cause != 0)
        snprintf(out, size, "%s", strerror(cause));
    else
        snprintf(out, size, "%s", amqp_error_string2(rc));
}

static void open_channel(struct scenario_ctx *ctx, struct amqp_probe *p)
{
    const char *host = scenario_host(ctx, "AMQP");
    long port = scenario_require_int(ctx, "AMQP_PORT", 1, 65535);
    const char *user = scenario_require(ctx, "AMQP_USER");
    /* The compose secrets file names the password as the RabbitMQ image does. */
    const char *password = scenario_setting(ctx, "AMQP_PASSWORD")
                               ? scenario_setting(ctx, "AMQP_PASSWORD")
                               : scenario_require(ctx, "RABBITMQ_DEFAULT_PASS");
    const char *vhost = scenario_require(ctx, "AMQP_VHOST");
    struct timeval tv = timeout_of(ctx);
    amqp_socket_t *socket;
    char sent[512];
    char error[256];
    double started;
    int rc;

    snprintf(p->address, sizeof(p->address), "%s:%ld", host, port);
    step_begin(ctx, "Connect to RabbitMQ at %s and log in to vhost %s",
               p->address, vhost);
    p->conn = amqp_new_connection();
    socket = p->conn ? amqp_tcp_socket_new(p->conn) : NULL;
    if (!socket)
        scenario_fail(ctx, "RabbitMQ at %s: out of memory", p->address);
    amqp_set_handshake_timeout(p->conn, &tv);
    amqp_set_rpc_timeout(p->conn, &tv);
    started = scenario_now_ms();
    rc = amqp_socket_open_noblock(socket, host, (int)port, &tv);
    snprintf(sent, sizeof(sent), "connect amqp://%s@%s/%s", user, p->address,
             vhost);
    if (rc != AMQP_STATUS_OK)
        connect_error(rc, host, port, &tv, error, sizeof(error));
    scenario_record(ctx, "AMQP connect", sent,
                    rc == AMQP_STATUS_OK ? "connected" : error,
                    scenario_now_ms() - started);
    if (rc != AMQP_STATUS_OK)
        scenario_fail(ctx, "RabbitMQ at %s: connection failed: %s", p->address,
                      error);
    expect_rpc(ctx, p, "login",
               amqp_login(p->conn, vhost, 0, AMQP_FRAME_MAX, 0,
                          AMQP_SASL_METHOD_PLAIN, user, password));
    p->logged_in = 1;
    amqp_channel_open(p->conn, 1);
    expect_rpc(ctx, p, "channel.open", amqp_get_rpc_reply(p->conn));
    amqp_confirm_select(p->conn, 1);
    expect_rpc(ctx, p, "confirm.select", amqp_get_rpc_reply(p->conn));
    scenario_record(ctx, "AMQP login", sent,
                    "logged in; channel 1 in confirm mode",
                    scenario_now_ms() - started);
}

/* Declares an exclusive, server-named queue; copies its name into name. */
static void declare_queue(struct scenario_ctx *ctx, struct amqp_probe *p,
                          char *name, size_t size)
{
    amqp_queue_declare_ok_t *ok;

    step_begin(ctx, "Declare a temporary queue");
    ok = amqp_queue_declare(p->conn, 1, amqp_empty_bytes, 0, 0, 1, 1,
                            amqp_empty_table);
    expect_rpc(ctx, p, "queue.declare", amqp_get_rpc_reply(p->conn));
    snprintf(name, size, "%.*s", (int)ok->queue.len, (char *)ok->queue.bytes);
    scenario_record(ctx, "AMQP queue.declare",
                    "queue.declare exclusive auto-delete", name, 0);
}

static void publish_confirmed(struct scenario_ctx *ctx, struct amqp_probe *p,
                              const char *queue)
{
    amqp_basic_properties_t props = { 0 };
    struct timeval tv = timeout_of(ctx);
    amqp_frame_t frame;
    double started;
    int rc;

    step_begin(
        ctx, "Publish a persistent message and wait for the publisher confirm");
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = 2; /* persistent */
    props.content_type = amqp_cstring_bytes("text/plain");
    started = scenario_now_ms();
    rc = amqp_basic_publish(p->conn, 1, amqp_empty_bytes,
                            amqp_cstring_bytes(queue), 1, 0, &props,
                            amqp_cstring_bytes(AMQP_PROBE_BODY));
    if (rc != AMQP_STATUS_OK)
        scenario_fail(ctx, "RabbitMQ at %s: basic.publish failed: %s",
                      p->address, amqp_error_string2(rc));
    rc = amqp_simple_wait_frame_noblock(p->conn, &frame, &tv);
    if (rc != AMQP_STATUS_OK)
        scenario_fail(ctx, "RabbitMQ at %s: no publisher confirm: %s",
                      p->address, amqp_error_string2(rc));
    scenario_record(ctx, "AMQP basic.publish",
                    "basic.publish persistent, mandatory",
                    frame.frame_type == AMQP_FRAME_METHOD &&
                            frame.payload.method.id == AMQP_BASIC_ACK_METHOD
                        ? "basic.ack"
                        : "another frame",
                    scenario_now_ms() - started);
    expect_int_eq(ctx, "frame type of the confirm", AMQP_FRAME_METHOD,
                  frame.frame_type);
    expect_true(ctx, frame.payload.method.id == AMQP_BASIC_ACK_METHOD,
                "the broker confirms with basic.ack (method 0x%08x received)",
                frame.payload.method.id);
}

static void consume_and_ack(struct scenario_ctx *ctx, struct amqp_probe *p,
                            const char *queue)
{
    struct timeval tv = timeout_of(ctx);
    amqp_envelope_t envelope;
    amqp_rpc_reply_t reply;
    char body[128];
    double started;
    int rc, mode;

    step_begin(ctx, "Consume the message and acknowledge it");
    amqp_basic_consume(p->conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes,
                       0, 0, 1, amqp_empty_table);
    expect_rpc(ctx, p, "basic.consume", amqp_get_rpc_reply(p->conn));
    started = scenario_now_ms();
    amqp_maybe_release_buffers(p->conn);
    reply = amqp_consume_message(p->conn, &envelope, &tv, 0);
    expect_rpc(ctx, p, "consume", reply);
    snprintf(body, sizeof(body), "%.*s", (int)envelope.message.body.len,
             (char *)envelope.message.body.bytes);
    rc = amqp_basic_ack(p->conn, 1, envelope.delivery_tag, 0);
    scenario_record(ctx, "AMQP delivery", "basic.consume, manual ack", body,
                    scenario_now_ms() - started);
    mode = envelope.message.properties.delivery_mode;
    amqp_destroy_envelope(&envelope);
    expect_int_eq(ctx, "delivery mode of the received message", 2, mode);
    expect_str_eq(ctx, "message body", AMQP_PROBE_BODY, body);
    expect_int_eq(ctx, "basic.ack status", AMQP_STATUS_OK, rc);
}

static void run(struct scenario_ctx *ctx)
{
    struct amqp_probe *p = scenario_alloc(ctx, sizeof(*p));
    char queue[256];

    scenario_defer(ctx, close_probe, p);
    open_channel(ctx, p);
    declare_queue(ctx, p, queue, sizeof(queue));
    publish_confirmed(ctx, p, queue);
    consume_and_ack(ctx, p, queue);
}

const struct scenario infra_rabbitmq_confirm = {
    .name = "rabbitmq-confirm",
    .title =
        "RabbitMQ confirms a persistent message and delivers it with an ack",
    .tags = "infra,rabbitmq",
    .timeout_ms = 30000,
    .run = run,
};

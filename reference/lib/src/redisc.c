/* redisc.c - a mutex-guarded hiredis connection with one reconnect-and-retry. */
#include "hito/redisc.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "hito/log.h"

struct redisc {
    char *host;
    int port;
    char *password;
    long connect_timeout_ms;
    long command_timeout_ms;
    redisContext *ctx;
    pthread_mutex_t lock;
};

/* One command, sent either from a format or from an argument vector. */
struct command {
    const char *format;
    va_list *args;
    int argc;
    const char **argv;
    const size_t *argvlen;
};

static struct timeval to_timeval(long ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

    return tv;
}

/* Maps an error reply to an error code, filling err; frees the reply. */
static int reply_error(redisReply *reply, struct hito_error *err)
{
    int code = HITO_ERR_PROTOCOL;

    if (strncmp(reply->str, "NOAUTH", 6) == 0 || strncmp(reply->str, "WRONGPASS", 9) == 0
        || strstr(reply->str, "invalid password") != NULL)
        code = HITO_ERR_AUTH;
    hito_error_set(err, code, "redis: %s", reply->str);
    freeReplyObject(reply);
    return code;
}

/* Opens a new connection (dropping the old one) and authenticates. */
static int reconnect(struct redisc *client, struct hito_error *err)
{
    redisReply *reply;

    if (client->ctx != NULL)
        redisFree(client->ctx);
    client->ctx = redisConnectWithTimeout(client->host, client->port,
                                          to_timeval(client->connect_timeout_ms));
    if (client->ctx == NULL || client->ctx->err) {
        hito_error_set(err, HITO_ERR_UNAVAILABLE, "redis %s:%d: %s", client->host, client->port,
                       client->ctx ? client->ctx->errstr : "out of memory");
        goto fail;
    }
    redisSetTimeout(client->ctx, to_timeval(client->command_timeout_ms));
    if (client->password == NULL)
        return HITO_OK;
    reply = redisCommand(client->ctx, "AUTH %s", client->password);
    if (reply == NULL) {
        hito_error_set(err, HITO_ERR_UNAVAILABLE, "redis %s:%d: AUTH failed: %s", client->host,
                       client->port, client->ctx->errstr);
        goto fail;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        reply_error(reply, err);
        if (err != NULL)
            err->code = HITO_ERR_AUTH;
        redisFree(client->ctx);
        client->ctx = NULL;
        return HITO_ERR_AUTH;
    }
    freeReplyObject(reply);
    return HITO_OK;
fail:
    if (client->ctx != NULL)
        redisFree(client->ctx);
    client->ctx = NULL;
    return HITO_ERR_UNAVAILABLE;
}

struct redisc *redisc_new(const struct redisc_options *opts, struct hito_error *err)
{
    struct redisc *client = calloc(1, sizeof(*client));

    if (client == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory for the redis client");
        return NULL;
    }
    pthread_mutex_init(&client->lock, NULL);
    client->host = strdup(opts->host ? opts->host : "127.0.0.1");
    client->port = opts->port;
    if (opts->password != NULL && opts->password[0] != '\0')
        client->password = strdup(opts->password);
    client->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
                                                          : REDISC_DEFAULT_CONNECT_TIMEOUT_MS;
    client->command_timeout_ms = opts->command_timeout_ms > 0 ? opts->command_timeout_ms
                                                          : REDISC_DEFAULT_COMMAND_TIMEOUT_MS;
    if (client->host == NULL || reconnect(client, err) != HITO_OK) {
        redisc_free(client);
        return NULL;
    }
    return client;
}

void redisc_free(struct redisc *client)
{
    if (client == NULL)
        return;
    if (client->ctx != NULL)
        redisFree(client->ctx);
    pthread_mutex_destroy(&client->lock);
    free(client->host);
    free(client->password);
    free(client);
}

static redisReply *send_command(redisContext *ctx, const struct command *cmd)
{
    va_list copy;
    redisReply *reply;

    if (cmd->format == NULL)
        return redisCommandArgv(ctx, cmd->argc, cmd->argv, cmd->argvlen);
    va_copy(copy, *cmd->args);
    reply = redisvCommand(ctx, cmd->format, copy);
    va_end(copy);
    return reply;
}

/* Sends cmd, reconnecting and sending it once more when the connection broke. */
static int run(struct redisc *client, const struct command *cmd, redisReply **out,
               struct hito_error *err)
{
    redisReply *reply = NULL;
    int attempt;
    int code = HITO_OK;

    if (out != NULL)
        *out = NULL;
    pthread_mutex_lock(&client->lock);
    for (attempt = 0; attempt < 2 && reply == NULL; attempt++) {
        if (client->ctx == NULL || client->ctx->err) {
            code = reconnect(client, err);
            if (code != HITO_OK)
                goto out;
        }
        errno = 0;
        reply = send_command(client->ctx, cmd);
        if (reply != NULL)
            break;
        if (client->ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            code = hito_error_set(err, HITO_ERR_TIMEOUT, "redis %s:%d: no reply within %ld ms",
                                     client->host, client->port, client->command_timeout_ms);
            /* A late reply would be read as the reply to the next command, so reconnect first. */
            redisFree(client->ctx);
            client->ctx = NULL;
            goto out;
        }
        code = hito_error_set(err, HITO_ERR_UNAVAILABLE, "redis %s:%d: %s", client->host,
                                 client->port, client->ctx->errstr);
        if (attempt == 0)
            LOG_WARN("redis connection broken, reconnecting", "detail", client->ctx->errstr);
    }
    if (reply == NULL)
        goto out;
    if (reply->type == REDIS_REPLY_ERROR) {
        code = reply_error(reply, err);
        goto out;
    }
    code = HITO_OK;
    if (out != NULL)
        *out = reply;
    else
        freeReplyObject(reply);
out:
    pthread_mutex_unlock(&client->lock);
    return code;
}

int redisc_command(struct redisc *client, redisReply **out, struct hito_error *err,
                   const char *format, ...)
{
    va_list args;
    struct command cmd = {format, &args, 0, NULL, NULL};
    int code;

    va_start(args, format);
    code = run(client, &cmd, out, err);
    va_end(args);
    return code;
}

int redisc_command_argv(struct redisc *client, int argc, const char **argv, const size_t *argvlen,
                        redisReply **out, struct hito_error *err)
{
    struct command cmd = {NULL, NULL, argc, argv, argvlen};

    return run(client, &cmd, out, err);
}

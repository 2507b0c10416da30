/*
 * redisc.h - a Redis client on hiredis 0.14 (blocking, no TLS, RESP2).
 *
 * One connection guarded by a mutex: calls from several threads are safe
 * and run one at a time. When a command fails because the connection broke
 * (reset, closed by the server, CLIENT KILL), the client reconnects,
 * authenticates again and sends the command once more. A non-idempotent
 * command such as INCR may therefore run twice if the server executed it
 * before the connection broke.
 */
#ifndef HITO_REDISC_H
#define HITO_REDISC_H

#include <hiredis.h>

#include "hito/err.h"

#define REDISC_DEFAULT_CONNECT_TIMEOUT_MS 2000
#define REDISC_DEFAULT_COMMAND_TIMEOUT_MS 2000

struct redisc_options {
    const char *host;           /* "127.0.0.1" */
    int port;
    const char *password;       /* AUTH after each connect when not NULL or "" */
    long connect_timeout_ms;    /* 0: REDISC_DEFAULT_CONNECT_TIMEOUT_MS */
    long command_timeout_ms;    /* 0: REDISC_DEFAULT_COMMAND_TIMEOUT_MS */
};

struct redisc;

/*
 * Connects and authenticates. Returns NULL with err filled:
 * HITO_ERR_UNAVAILABLE when the server cannot be reached, HITO_ERR_AUTH when
 * the password is rejected or missing.
 */
struct redisc *redisc_new(const struct redisc_options *opts, struct hito_error *err);

void redisc_free(struct redisc *client);

/*
 * Runs a command formatted as for hiredis' redisCommand ("SET %s %s").
 * On success stores the reply in *out when out is not NULL (the caller frees
 * it with freeReplyObject), else frees it. An error reply from the server
 * returns HITO_ERR_PROTOCOL (HITO_ERR_AUTH for NOAUTH and WRONGPASS) with
 * its text in err. A time-out returns HITO_ERR_TIMEOUT and is not retried.
 * A broken connection that the retry cannot repair returns
 * HITO_ERR_UNAVAILABLE.
 */
int redisc_command(struct redisc *client, redisReply **out, struct hito_error *err,
                   const char *format, ...);

/* Like redisc_command with binary-safe arguments (argvlen NULL: strlen). */
int redisc_command_argv(struct redisc *client, int argc, const char **argv, const size_t *argvlen,
                        redisReply **out, struct hito_error *err);

#endif

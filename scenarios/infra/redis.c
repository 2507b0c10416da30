/*
 * Redis accepts the platform's password and expires keys: a key set with a
 * time to live (SET ... PX) must be gone once it has passed.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/scenario.h"

/* Time to live of the probe key, and how long Redis may take to drop it. */
#define REDIS_PROBE_TTL_MS 300
#define REDIS_EXPIRY_DEADLINE_MS 5000
#define REDIS_CONNECT_TIMEOUT_MS 3000

struct redis_probe {
    redisContext *redis;
    char address[300];
};

static void free_context(void *arg)
{
    redisContext **redis = arg;

    if (*redis)
        redisFree(*redis);
    *redis = NULL;
}

/* Formats a reply for the record; returns buf. */
static const char *describe(const redisReply *reply, char *buf, size_t size)
{
    if (!reply)
        snprintf(buf, size, "no reply");
    else if (reply->type == REDIS_REPLY_STRING ||
             reply->type == REDIS_REPLY_STATUS ||
             reply->type == REDIS_REPLY_ERROR)
        snprintf(buf, size, "%s%.*s",
                 reply->type == REDIS_REPLY_ERROR ? "error: " : "",
                 (int)reply->len, reply->str);
    else if (reply->type == REDIS_REPLY_INTEGER)
        snprintf(buf, size, "(integer) %lld", reply->integer);
    else if (reply->type == REDIS_REPLY_NIL)
        snprintf(buf, size, "(nil)");
    else
        snprintf(buf, size, "(reply type %d)", reply->type);
    return buf;
}

/*
 * Sends one command (argv form, so values need no quoting), records it
 * under shown (which hides what must not be recorded) and copies the
 * reply's description into out. Returns the reply type, or -1 when the
 * connection failed.
 */
static int command(struct scenario_ctx *ctx, struct redis_probe *p,
                   const char *shown, int argc, const char **argv,
                   long long *integer, char *out, size_t size)
{
    double started = scenario_now_ms();
    redisReply *reply = redisCommandArgv(p->redis, argc, argv, NULL);
    int type;

    if (!reply) {
        snprintf(out, size, "%s",
                 p->redis->errstr[0] ? p->redis->errstr : "connection lost");
        scenario_record(ctx, shown, shown, out, scenario_now_ms() - started);
        return -1;
    }
    describe(reply, out, size);
    scenario_record(ctx, shown, shown, out, scenario_now_ms() - started);
    type = reply->type;
    if (integer)
        *integer = reply->integer;
    freeReplyObject(reply);
    return type;
}

static void expect_reply(struct scenario_ctx *ctx, struct redis_probe *p,
                         const char *what, int type, const char *text,
                         int expected_type, const char *expected)
{
    if (type < 0 || type == REDIS_REPLY_ERROR)
        scenario_fail(ctx, "Redis at %s: %s failed: %s", p->address, what,
                      text);
    expect_int_eq(ctx, what, expected_type, type);
    if (expected)
        expect_str_eq(ctx, what, expected, text);
}

static void connect_and_auth(struct scenario_ctx *ctx, struct redis_probe *p)
{
    const char *host = scenario_host(ctx, "REDIS");
    long port = scenario_require_int(ctx, "REDIS_PORT", 1, 65535);
    const char *password = scenario_require(ctx, "REDIS_PASSWORD");
    const char *auth[] = { "AUTH", password };
    const char *ping[] = { "PING" };
    long timeout = scenario_remaining_ms(ctx);
    struct timeval tv;
    char out[512];
    double started;
    int type;

    snprintf(p->address, sizeof(p->address), "%s:%ld", host, port);
    if (timeout > REDIS_CONNECT_TIMEOUT_MS)
        timeout = REDIS_CONNECT_TIMEOUT_MS;
    tv.tv_sec = timeout / 1000;
    tv.tv_usec = (timeout % 1000) * 1000;

    step_begin(ctx, "Connect to Redis at %s", p->address);
    started = scenario_now_ms();
    p->redis = redisConnectWithTimeout(host, (int)port, tv);
    if (!p->redis || p->redis->err) {
        snprintf(out, sizeof(out), "%s",
                 p->redis ? p->redis->errstr : "out of memory");
        scenario_record(ctx, "Redis connect", p->address, out,
                        scenario_now_ms() - started);
        scenario_fail(ctx, "Redis at %s: connection failed: %s", p->address,
                      out);
    }
    scenario_record(ctx, "Redis connect", p->address, "connected",
                    scenario_now_ms() - started);
    redisSetTimeout(p->redis, tv);

    step_begin(ctx, "Authenticate with REDIS_PASSWORD and PING");
    type = command(ctx, p, "AUTH [REDACTED]", 2, auth, NULL, out, sizeof(out));
    expect_reply(ctx, p, "AUTH", type, out, REDIS_REPLY_STATUS, "OK");
    type = command(ctx, p, "PING", 1, ping, NULL, out, sizeof(out));
    expect_reply(ctx, p, "PING", type, out, REDIS_REPLY_STATUS, "PONG");
}

static void run(struct scenario_ctx *ctx)
{
    struct redis_probe *p = scenario_alloc(ctx, sizeof(*p));
    char key[96], ttl[16], shown[160], out[512];
    const char *set[] = { "SET", key, "probe", "PX", ttl };
    const char *get[] = { "GET", key };
    const char *pttl[] = { "PTTL", key };
    struct scenario_poll poll;
    long long integer = 0;
    int type;

    scenario_defer(ctx, free_context, &p->redis);
    connect_and_auth(ctx, p);

    step_begin(ctx, "SET a probe key with a time to live of %d ms",
               REDIS_PROBE_TTL_MS);
    snprintf(key, sizeof(key), "hito:checkpoint:probe:%ld:%ld", (long)getpid(),
             (long)(scenario_now_ms() * 1000) % 1000000000L);
    snprintf(ttl, sizeof(ttl), "%d", REDIS_PROBE_TTL_MS);
    snprintf(shown, sizeof(shown), "SET %s probe PX %s", key, ttl);
    type = command(ctx, p, shown, 5, set, NULL, out, sizeof(out));
    expect_reply(ctx, p, "SET ... PX", type, out, REDIS_REPLY_STATUS, "OK");
    snprintf(shown, sizeof(shown), "PTTL %s", key);
    type = command(ctx, p, shown, 2, pttl, &integer, out, sizeof(out));
    expect_reply(ctx, p, "PTTL", type, out, REDIS_REPLY_INTEGER, NULL);
    expect_true(ctx, integer > 0 && integer <= REDIS_PROBE_TTL_MS,
                "PTTL of the probe key is in (0, %d] ms: %lld",
                REDIS_PROBE_TTL_MS, integer);

    step_begin(ctx, "Redis removes the key once its time to live has passed");
    snprintf(shown, sizeof(shown), "GET %s", key);
    poll = scenario_poll_start(ctx, "Redis expires the probe key",
                               REDIS_EXPIRY_DEADLINE_MS, 100);
    while (scenario_poll_next(ctx, &poll)) {
        type = command(ctx, p, shown, 2, get, NULL, out, sizeof(out));
        if (type < 0 || type == REDIS_REPLY_ERROR)
            scenario_fail(ctx, "Redis at %s: GET failed: %s", p->address, out);
        if (type == REDIS_REPLY_NIL)
            break;
        scenario_poll_reason(&poll, "GET still returns %s", out);
    }
    scenario_note(ctx, "the key was gone after %d attempts", poll.attempts);
}

const struct scenario infra_redis_expiry = {
    .name = "redis-expiry",
    .title = "Redis accepts the platform's password and expires keys",
    .tags = "infra,redis",
    .timeout_ms = 20000,
    .run = run,
};

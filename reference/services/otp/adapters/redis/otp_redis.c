#include "otp_redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/redisc.h"

#define OTP_REDIS_KEY_SIZE 192
#define OTP_REDIS_MAX_LIMITS 4
#define OTP_REDIS_NUMBER_SIZE 24

/* Replaces the pending code and resets its attempt count. */
static const char put_script[] =
    "redis.call('DEL', KEYS[1])\n"
    "redis.call('HSET', KEYS[1], 'd', ARGV[1], 'a', 0)\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
    "return 1\n";

/* Returns {1, attempts, digest}, or {0, attempts} when none is left. */
static const char begin_attempt_script[] =
    "local d = redis.call('HGET', KEYS[1], 'd')\n"
    "if not d then return {0, 0} end\n"
    "local a = redis.call('HINCRBY', KEYS[1], 'a', 1)\n"
    "if a > tonumber(ARGV[1]) then return {0, a} end\n"
    "return {1, a, d}\n";

/* Deletes the code only when its digest is still ARGV[1]. */
static const char take_script[] =
    "if redis.call('HGET', KEYS[1], 'd') == ARGV[1] then\n"
    "  redis.call('DEL', KEYS[1])\n"
    "  return 1\n"
    "end\n"
    "return 0\n";

/*
 * KEYS: cooldown and counter key of each limit; ARGV: cooldown_ms, cap,
 * window_ms of each. Returns 0 after recording the event against every
 * limit, or the longest wait in ms without recording anything.
 */
static const char acquire_script[] =
    "local wait = 0\n"
    "local n = #KEYS / 2\n"
    "for i = 1, n do\n"
    "  local cooldown = tonumber(ARGV[3*i-2])\n"
    "  local cap = tonumber(ARGV[3*i-1])\n"
    "  local window = tonumber(ARGV[3*i])\n"
    "  if cooldown > 0 then\n"
    "    local t = redis.call('PTTL', KEYS[2*i-1])\n"
    "    if t > wait then wait = t end\n"
    "  end\n"
    "  local count = tonumber(redis.call('GET', KEYS[2*i]) or '0')\n"
    "  if cap > 0 and count >= cap then\n"
    "    local t = redis.call('PTTL', KEYS[2*i])\n"
    "    if t < 0 then t = window end\n"
    "    if t > wait then wait = t end\n"
    "  end\n"
    "end\n"
    "if wait > 0 then return wait end\n"
    "for i = 1, n do\n"
    "  local cooldown = tonumber(ARGV[3*i-2])\n"
    "  if cooldown > 0 then redis.call('SET', KEYS[2*i-1], '1', 'PX', "
    "cooldown) end\n"
    "  if tonumber(ARGV[3*i-1]) > 0 and redis.call('INCR', KEYS[2*i]) == 1 "
    "then\n"
    "    redis.call('PEXPIRE', KEYS[2*i], ARGV[3*i])\n"
    "  end\n"
    "end\n"
    "return 0\n";

struct otp_redis {
    struct redisc *client;
};

struct otp_redis *otp_redis_new(const char *host, int port,
                                const char *password, struct hito_error *err)
{
    struct redisc_options opts = { .host = host,
                                   .port = port,
                                   .password = password };
    struct otp_redis *redis = calloc(1, sizeof(*redis));

    if (redis == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    redis->client = redisc_new(&opts, err);
    if (redis->client == NULL) {
        free(redis);
        return NULL;
    }
    return redis;
}

void otp_redis_free(struct otp_redis *redis)
{
    if (redis == NULL)
        return;
    redisc_free(redis->client);
    free(redis);
}

/*
 * Runs one command given as argv. Returns the reply (the caller frees it)
 * or NULL with *rc and err set. NOTE: redisc sends a command again after
 * reconnecting, so a script may run twice when the connection broke after
 * Redis ran it. An attempt or a send is then counted twice, and a right
 * code may be reported as already used.
 */
static redisReply *run(struct otp_redis *redis, int argc, const char **argv,
                       int *rc, struct hito_error *err)
{
    redisReply *reply = NULL;

    *rc = redisc_command_argv(redis->client, argc, argv, NULL, &reply, err);
    return *rc == HITO_OK ? reply : NULL;
}

static void code_key(char *out, const char *subject, const char *purpose)
{
    snprintf(out, OTP_REDIS_KEY_SIZE, "otp:code:%s:%s", purpose, subject);
}

static int store_put(void *self, const char *subject, const char *purpose,
                     const char *digest, long ttl_ms, struct hito_error *err)
{
    char key[OTP_REDIS_KEY_SIZE], ttl[OTP_REDIS_NUMBER_SIZE];
    const char *argv[] = { "EVAL", put_script, "1", key, digest, ttl };
    redisReply *reply;
    int rc;

    code_key(key, subject, purpose);
    snprintf(ttl, sizeof(ttl), "%ld", ttl_ms);
    reply = run(self, 6, argv, &rc, err);
    if (reply == NULL)
        return rc;
    freeReplyObject(reply);
    return HITO_OK;
}

static int store_begin_attempt(void *self, const char *subject,
                               const char *purpose, int max_attempts,
                               char digest[OTP_DIGEST_HEX_SIZE], int *attempts,
                               struct hito_error *err)
{
    char key[OTP_REDIS_KEY_SIZE], max[OTP_REDIS_NUMBER_SIZE];
    const char *argv[] = { "EVAL", begin_attempt_script, "1", key, max };
    redisReply *reply;
    int rc;

    code_key(key, subject, purpose);
    snprintf(max, sizeof(max), "%d", max_attempts);
    reply = run(self, 5, argv, &rc, err);
    if (reply == NULL)
        return rc;

    rc = HITO_ERR_NOT_FOUND;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) {
        rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                            "unexpected reply to the attempt script");
    } else {
        *attempts = (int)reply->element[1]->integer;
        if (reply->element[0]->integer == 1 && reply->elements == 3 &&
            reply->element[2]->type == REDIS_REPLY_STRING &&
            reply->element[2]->len == OTP_DIGEST_HEX_SIZE - 1) {
            memcpy(digest, reply->element[2]->str, OTP_DIGEST_HEX_SIZE);
            rc = HITO_OK;
        }
    }
    freeReplyObject(reply);
    return rc;
}

static int store_take(void *self, const char *subject, const char *purpose,
                      const char *digest, struct hito_error *err)
{
    char key[OTP_REDIS_KEY_SIZE];
    const char *argv[] = { "EVAL", take_script, "1", key, digest };
    redisReply *reply;
    int rc;

    code_key(key, subject, purpose);
    reply = run(self, 5, argv, &rc, err);
    if (reply == NULL)
        return rc;
    rc = reply->type == REDIS_REPLY_INTEGER && reply->integer == 1
             ? HITO_OK
             : HITO_ERR_NOT_FOUND;
    freeReplyObject(reply);
    return rc;
}

static const struct otp_store_ops store_ops = { store_put, store_begin_attempt,
                                                store_take };

struct otp_store otp_redis_store(struct otp_redis *redis)
{
    return (struct otp_store){ &store_ops, redis };
}

static int limiter_acquire(void *self, const struct otp_rate_limit *limits,
                           size_t count, long *retry_after_ms,
                           struct hito_error *err)
{
    char keys[2 * OTP_REDIS_MAX_LIMITS][OTP_REDIS_KEY_SIZE];
    char numbers[3 * OTP_REDIS_MAX_LIMITS][OTP_REDIS_NUMBER_SIZE];
    char key_count[OTP_REDIS_NUMBER_SIZE];
    const char *argv[3 + 5 * OTP_REDIS_MAX_LIMITS];
    int argc = 0;
    redisReply *reply;
    int rc;

    if (count == 0 || count > OTP_REDIS_MAX_LIMITS)
        return hito_error_set(err, HITO_ERR_INVALID, "1 to %d limits per call",
                              OTP_REDIS_MAX_LIMITS);
    snprintf(key_count, sizeof(key_count), "%zu", 2 * count);
    argv[argc++] = "EVAL";
    argv[argc++] = acquire_script;
    argv[argc++] = key_count;
    for (size_t i = 0; i < count; i++) {
        snprintf(keys[2 * i], OTP_REDIS_KEY_SIZE, "otp:rl:cd:%s",
                 limits[i].key);
        snprintf(keys[2 * i + 1], OTP_REDIS_KEY_SIZE, "otp:rl:n:%s",
                 limits[i].key);
        argv[argc++] = keys[2 * i];
        argv[argc++] = keys[2 * i + 1];
    }
    for (size_t i = 0; i < count; i++) {
        snprintf(numbers[3 * i], OTP_REDIS_NUMBER_SIZE, "%ld",
                 limits[i].cooldown_ms);
        snprintf(numbers[3 * i + 1], OTP_REDIS_NUMBER_SIZE, "%ld",
                 limits[i].cap);
        snprintf(numbers[3 * i + 2], OTP_REDIS_NUMBER_SIZE, "%ld",
                 limits[i].window_ms);
        for (int j = 0; j < 3; j++)
            argv[argc++] = numbers[3 * i + j];
    }

    reply = run(self, argc, argv, &rc, err);
    if (reply == NULL)
        return rc;
    if (reply->type != REDIS_REPLY_INTEGER)
        rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                            "unexpected reply to the limit script");
    else if (reply->integer > 0) {
        *retry_after_ms = (long)reply->integer;
        rc = hito_error_set(err, HITO_ERR_LIMIT, "sending limit reached");
    }
    freeReplyObject(reply);
    return rc;
}

static const struct otp_rate_limiter_ops limiter_ops = { limiter_acquire };

struct otp_rate_limiter otp_redis_rate_limiter(struct otp_redis *redis)
{
    return (struct otp_rate_limiter){ &limiter_ops, redis };
}

int otp_redis_ping(struct otp_redis *redis, struct hito_error *err)
{
    const char *argv[] = { "PING" };
    redisReply *reply;
    int rc;

    reply = run(redis, 1, argv, &rc, err);
    if (reply == NULL)
        return rc;
    freeReplyObject(reply);
    return HITO_OK;
}

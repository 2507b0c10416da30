/*
 * otp_redis.h - the code store and the rate limiter on Redis, through
 * hito/redisc.h (one connection shared by all threads).
 *
 * Every read-modify-write is one Lua script, so it is atomic across all
 * service instances.
 *
 * Keys: otp:code:<purpose>:<subject> is a hash with d (digest) and
 * a (attempts) and the code's TTL; otp:rl:cd:<limit key> marks a cooldown;
 * otp:rl:n:<limit key> counts events in a fixed window.
 */
#ifndef OTP_REDIS_H
#define OTP_REDIS_H

#include "hito/err.h"
#include "otp_ports.h"

struct otp_redis;

/*
 * Connects to host:port and authenticates with password when it is not
 * empty. Returns NULL with err filled (HITO_ERR_UNAVAILABLE, HITO_ERR_AUTH)
 * on failure.
 */
struct otp_redis *otp_redis_new(const char *host, int port,
                                const char *password, struct hito_error *err);
void otp_redis_free(struct otp_redis *redis);

/* Returns the ports backed by redis; they live as long as redis. */
struct otp_store otp_redis_store(struct otp_redis *redis);
struct otp_rate_limiter otp_redis_rate_limiter(struct otp_redis *redis);

/* Sends PING for readiness checks; returns 0 when Redis replies. */
int otp_redis_ping(struct otp_redis *redis, struct hito_error *err);

#endif

/*
 * otp_ports.h - the interfaces the OTP domain calls and the adapters
 * implement: code store, rate limiter, notifier, audit trail, TOTP store,
 * clock and random source.
 *
 * Each port is a table of function pointers (ops) plus the adapter's state
 * (self). Functions that can fail return 0 or a negative enum hito_err and
 * fill err when it is not NULL. Adapters must be safe to call from several
 * HTTP worker threads at once.
 */
#ifndef OTP_PORTS_H
#define OTP_PORTS_H

#include <stddef.h>

#include "hito/err.h"

/* A code digest: HMAC-SHA256 in lower-case hex, plus the NUL. */
#define OTP_DIGEST_HEX_SIZE 65

/*
 * Store of pending codes, one per (subject, purpose), kept only as digests
 * and removed by the store when their lifetime ends.
 */
struct otp_store_ops {
    /* Stores digest for (subject, purpose), replacing any pending code and
     * its attempt count; the entry expires after ttl_ms. */
    int (*put)(void *self, const char *subject, const char *purpose,
               const char *digest, long ttl_ms, struct hito_error *err);
    /*
     * Counts one verification attempt atomically and copies the stored
     * digest into digest when the count is still within max_attempts.
     * Returns HITO_ERR_NOT_FOUND when no code is pending, it expired, or its
     * attempts are used up. *attempts receives the count including this one.
     */
    int (*begin_attempt)(void *self, const char *subject, const char *purpose,
                         int max_attempts, char digest[OTP_DIGEST_HEX_SIZE],
                         int *attempts, struct hito_error *err);
    /*
     * Deletes the pending code only if its digest is still digest, so of
     * concurrent callers exactly one gets 0; the others, and callers whose
     * code was replaced meanwhile, get HITO_ERR_NOT_FOUND.
     */
    int (*take)(void *self, const char *subject, const char *purpose,
                const char *digest, struct hito_error *err);
};

struct otp_store {
    const struct otp_store_ops *ops;
    void *self;
};

/* One sending limit: at most cap events per window_ms, cooldown_ms apart. */
struct otp_rate_limit {
    const char *key;  /* "phone:+34600000000", "client:orchestrator", ... */
    long cooldown_ms; /* 0: no cooldown */
    long cap;         /* 0: no cap */
    long window_ms;
};

struct otp_rate_limiter_ops {
    /*
     * Records one event against every limit at once if all of them allow it
     * (so a refusal consumes nothing). Returns HITO_ERR_LIMIT with the
     * longest wait in *retry_after_ms when any limit is reached.
     */
    int (*acquire)(void *self, const struct otp_rate_limit *limits,
                   size_t count, long *retry_after_ms, struct hito_error *err);
};

struct otp_rate_limiter {
    const struct otp_rate_limiter_ops *ops;
    void *self;
};

#define OTP_MESSAGE_ID_SIZE 128

/* Sends a code to a phone number, for example as a WhatsApp template. */
struct otp_notifier_ops {
    /*
     * Sends code to phone for purpose. Returns 0 with the provider's message
     * id, or a negative code with the reason in err (HITO_ERR_UNAVAILABLE,
     * HITO_ERR_TIMEOUT, HITO_ERR_PROTOCOL for a refusal by the provider).
     */
    int (*send_code)(void *self, const char *phone, const char *code,
                     const char *purpose, const char *request_id,
                     char message_id[OTP_MESSAGE_ID_SIZE],
                     struct hito_error *err);
};

struct otp_notifier {
    const struct otp_notifier_ops *ops;
    void *self;
};

/* One audit event. Codes, digests and secrets never appear in it. */
struct otp_audit_event {
    const char *event;   /* issued, sent, send_failed, verified, ... */
    const char *subject; /* phone number or staff account */
    const char *purpose;
    const char *client_id; /* calling service, NULL when unknown */
    const char *request_id;
    const char *detail; /* reason or message id, NULL for none */
};

struct otp_audit_ops {
    int (*record)(void *self, const struct otp_audit_event *event,
                  struct hito_error *err);
};

struct otp_audit {
    const struct otp_audit_ops *ops;
    void *self;
};

/* Largest TOTP secret the store keeps (bytes, before any encryption). */
#define OTP_TOTP_SECRET_MAX 64

/* Staff TOTP secrets and the last time step each account used. */
struct otp_totp_store_ops {
    /* Stores a new secret for account, replacing any earlier one and
     * clearing its last used step. */
    int (*put_secret)(void *self, const char *account,
                      const unsigned char *secret, size_t len,
                      struct hito_error *err);
    /* Copies the secret (at most OTP_TOTP_SECRET_MAX bytes) into secret;
     * HITO_ERR_NOT_FOUND when the account has none. */
    int (*get_secret)(void *self, const char *account, unsigned char *secret,
                      size_t *len, struct hito_error *err);
    /*
     * Records step as used if it is later than the last used step, in one
     * atomic operation; HITO_ERR_CONFLICT when it is not (a replay).
     */
    int (*use_step)(void *self, const char *account, long long step,
                    struct hito_error *err);
};

struct otp_totp_store {
    const struct otp_totp_store_ops *ops;
    void *self;
};

/* Fills buf with len bytes from a cryptographically secure generator. */
typedef int (*otp_random_fn)(unsigned char *buf, size_t len);

/* Returns the current time in milliseconds since the Unix epoch. */
typedef long long (*otp_clock_fn)(void);

#endif

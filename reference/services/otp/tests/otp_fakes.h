/*
 * otp_fakes.h - in-memory ports for the domain's unit tests: a code store,
 * a rate limiter, a notifier that keeps the last code, an audit log, a TOTP
 * store, a settable clock and a scriptable random source.
 */
#ifndef OTP_FAKES_H
#define OTP_FAKES_H

#include "otp_ports.h"

#define FAKE_ENTRIES_MAX 16
#define FAKE_EVENTS_MAX 64
#define FAKE_TEXT_SIZE 80

struct fake_entry {
    char subject[FAKE_TEXT_SIZE];
    char purpose[FAKE_TEXT_SIZE];
    char digest[OTP_DIGEST_HEX_SIZE];
    long long expires_ms;
    int attempts;
    int used;
};

struct fake_store {
    struct fake_entry entries[FAKE_ENTRIES_MAX];
    int fail; /* nonzero: every call returns HITO_ERR_UNAVAILABLE */
};

struct fake_limiter {
    long long next_allowed_ms[FAKE_ENTRIES_MAX];
    char keys[FAKE_ENTRIES_MAX][FAKE_TEXT_SIZE];
    long counts[FAKE_ENTRIES_MAX];
    int calls;
};

struct fake_notifier {
    char last_phone[FAKE_TEXT_SIZE];
    char last_code[FAKE_TEXT_SIZE];
    int sends;
    int fail; /* nonzero: the next sends fail with HITO_ERR_UNAVAILABLE */
};

struct fake_audit {
    char events[FAKE_EVENTS_MAX][FAKE_TEXT_SIZE];
    int count;
};

struct fake_totp_store {
    unsigned char secret[OTP_TOTP_SECRET_MAX];
    size_t len;
    char account[FAKE_TEXT_SIZE];
    long long last_step;
    int enrolled;
};

extern const struct otp_store_ops fake_store_ops;
extern const struct otp_rate_limiter_ops fake_limiter_ops;
extern const struct otp_notifier_ops fake_notifier_ops;
extern const struct otp_audit_ops fake_audit_ops;
extern const struct otp_totp_store_ops fake_totp_store_ops;

/* The fake clock's time, in ms since the epoch; tests set it directly. */
extern long long fake_now_ms;
long long fake_clock(void);

/*
 * A deterministic random source: bytes from a counter-mode SHA-256 stream,
 * after any bytes queued with fake_random_queue (used first).
 */
int fake_random(unsigned char *buf, size_t len);
void fake_random_queue(const unsigned char *bytes, size_t len);
void fake_random_reset(void);

/* Returns how many audit events are named event. */
int fake_audit_count(const struct fake_audit *audit, const char *event);

#endif

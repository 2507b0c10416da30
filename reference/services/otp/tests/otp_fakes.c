#include "otp_fakes.h"

#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

long long fake_now_ms = 1700000000000LL;

long long fake_clock(void)
{
    return fake_now_ms;
}

static struct fake_entry *find_entry(struct fake_store *store,
                                     const char *subject, const char *purpose)
{
    for (int i = 0; i < FAKE_ENTRIES_MAX; i++) {
        struct fake_entry *e = &store->entries[i];

        if (e->used && strcmp(e->subject, subject) == 0 &&
            strcmp(e->purpose, purpose) == 0) {
            if (e->expires_ms <= fake_now_ms) {
                e->used = 0;
                return NULL;
            }
            return e;
        }
    }
    return NULL;
}

static int store_put(void *self, const char *subject, const char *purpose,
                     const char *digest, long ttl_ms, struct hito_error *err)
{
    struct fake_store *store = self;
    struct fake_entry *e = find_entry(store, subject, purpose);

    if (store->fail)
        return hito_error_set(err, HITO_ERR_UNAVAILABLE, "fake store is down");
    for (int i = 0; e == NULL && i < FAKE_ENTRIES_MAX; i++) {
        if (!store->entries[i].used)
            e = &store->entries[i];
    }
    if (e == NULL)
        return hito_error_set(err, HITO_ERR_LIMIT, "fake store is full");
    snprintf(e->subject, sizeof(e->subject), "%s", subject);
    snprintf(e->purpose, sizeof(e->purpose), "%s", purpose);
    snprintf(e->digest, sizeof(e->digest), "%s", digest);
    e->expires_ms = fake_now_ms + ttl_ms;
    e->attempts = 0;
    e->used = 1;
    return HITO_OK;
}

static int store_begin_attempt(void *self, const char *subject,
                               const char *purpose, int max_attempts,
                               char digest[OTP_DIGEST_HEX_SIZE], int *attempts,
                               struct hito_error *err)
{
    struct fake_store *store = self;
    struct fake_entry *e;

    if (store->fail)
        return hito_error_set(err, HITO_ERR_UNAVAILABLE, "fake store is down");
    e = find_entry(store, subject, purpose);
    if (e == NULL || e->attempts >= max_attempts)
        return HITO_ERR_NOT_FOUND;
    *attempts = ++e->attempts;
    memcpy(digest, e->digest, OTP_DIGEST_HEX_SIZE);
    return HITO_OK;
}

static int store_take(void *self, const char *subject, const char *purpose,
                      const char *digest, struct hito_error *err)
{
    struct fake_store *store = self;
    struct fake_entry *e;

    if (store->fail)
        return hito_error_set(err, HITO_ERR_UNAVAILABLE, "fake store is down");
    e = find_entry(store, subject, purpose);
    if (e == NULL || strcmp(e->digest, digest) != 0)
        return HITO_ERR_NOT_FOUND;
    e->used = 0;
    return HITO_OK;
}

const struct otp_store_ops fake_store_ops = { store_put, store_begin_attempt,
                                              store_take };

static int limiter_slot(struct fake_limiter *limiter, const char *key)
{
    for (int i = 0; i < FAKE_ENTRIES_MAX; i++) {
        if (limiter->keys[i][0] == '\0')
            snprintf(limiter->keys[i], FAKE_TEXT_SIZE, "%s", key);
        if (strcmp(limiter->keys[i], key) == 0)
            return i;
    }
    return 0;
}

/* Cooldowns and caps with a window that never resets, enough for tests. */
static int limiter_acquire(void *self, const struct otp_rate_limit *limits,
                           size_t count, long *retry_after_ms,
                           struct hito_error *err)
{
    struct fake_limiter *limiter = self;
    long wait = 0;

    limiter->calls++;
    for (size_t i = 0; i < count; i++) {
        int slot = limiter_slot(limiter, limits[i].key);

        if (limiter->next_allowed_ms[slot] > fake_now_ms &&
            limiter->next_allowed_ms[slot] - fake_now_ms > wait)
            wait = (long)(limiter->next_allowed_ms[slot] - fake_now_ms);
        if (limits[i].cap > 0 && limiter->counts[slot] >= limits[i].cap &&
            limits[i].window_ms > wait)
            wait = limits[i].window_ms;
    }
    if (wait > 0) {
        *retry_after_ms = wait;
        return hito_error_set(err, HITO_ERR_LIMIT, "rate limited");
    }
    for (size_t i = 0; i < count; i++) {
        int slot = limiter_slot(limiter, limits[i].key);

        limiter->counts[slot]++;
        limiter->next_allowed_ms[slot] = fake_now_ms + limits[i].cooldown_ms;
    }
    return HITO_OK;
}

const struct otp_rate_limiter_ops fake_limiter_ops = { limiter_acquire };

static int notifier_send(void *self, const char *phone, const char *code,
                         const char *purpose, const char *request_id,
                         char message_id[OTP_MESSAGE_ID_SIZE],
                         struct hito_error *err)
{
    struct fake_notifier *notifier = self;

    (void)purpose;
    (void)request_id;
    notifier->sends++;
    if (notifier->fail)
        return hito_error_set(err, HITO_ERR_UNAVAILABLE,
                              "fake WhatsApp is down");
    snprintf(notifier->last_phone, sizeof(notifier->last_phone), "%s", phone);
    snprintf(notifier->last_code, sizeof(notifier->last_code), "%s", code);
    snprintf(message_id, OTP_MESSAGE_ID_SIZE, "wamid.fake%d", notifier->sends);
    return HITO_OK;
}

const struct otp_notifier_ops fake_notifier_ops = { notifier_send };

static int audit_record(void *self, const struct otp_audit_event *event,
                        struct hito_error *err)
{
    struct fake_audit *audit = self;

    (void)err;
    if (audit->count < FAKE_EVENTS_MAX)
        snprintf(audit->events[audit->count++], FAKE_TEXT_SIZE, "%s",
                 event->event);
    return HITO_OK;
}

const struct otp_audit_ops fake_audit_ops = { audit_record };

int fake_audit_count(const struct fake_audit *audit, const char *event)
{
    int n = 0;

    for (int i = 0; i < audit->count; i++)
        n += strcmp(audit->events[i], event) == 0;
    return n;
}

static int totp_put(void *self, const char *account,
                    const unsigned char *secret, size_t len,
                    struct hito_error *err)
{
    struct fake_totp_store *store = self;

    (void)err;
    snprintf(store->account, sizeof(store->account), "%s", account);
    memcpy(store->secret, secret, len);
    store->len = len;
    store->last_step = -1;
    store->enrolled = 1;
    return HITO_OK;
}

static int totp_get(void *self, const char *account, unsigned char *secret,
                    size_t *len, struct hito_error *err)
{
    struct fake_totp_store *store = self;

    (void)err;
    if (!store->enrolled || strcmp(store->account, account) != 0)
        return HITO_ERR_NOT_FOUND;
    memcpy(secret, store->secret, store->len);
    *len = store->len;
    return HITO_OK;
}

static int totp_use_step(void *self, const char *account, long long step,
                         struct hito_error *err)
{
    struct fake_totp_store *store = self;

    (void)account;
    (void)err;
    if (step <= store->last_step)
        return HITO_ERR_CONFLICT;
    store->last_step = step;
    return HITO_OK;
}

const struct otp_totp_store_ops fake_totp_store_ops = { totp_put, totp_get,
                                                        totp_use_step };

#define FAKE_QUEUE_MAX 256

static unsigned char queued[FAKE_QUEUE_MAX];
static size_t queued_len;
static size_t queued_pos;
static unsigned long long stream_counter;

void fake_random_queue(const unsigned char *bytes, size_t len)
{
    if (len > FAKE_QUEUE_MAX - queued_len)
        len = FAKE_QUEUE_MAX - queued_len;
    memcpy(queued + queued_len, bytes, len);
    queued_len += len;
}

void fake_random_reset(void)
{
    queued_len = 0;
    queued_pos = 0;
    stream_counter = 0;
}

int fake_random(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char block[SHA256_DIGEST_LENGTH];
        unsigned long long counter;

        if (queued_pos < queued_len) {
            buf[i] = queued[queued_pos++];
            continue;
        }
        counter = stream_counter++;
        SHA256((const unsigned char *)&counter, sizeof(counter), block);
        buf[i] = block[0];
    }
    return 0;
}

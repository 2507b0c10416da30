/*
 * otp_service.h - issuing and verifying one-time codes sent to a phone.
 *
 * Rules:
 * - one pending code per (subject, purpose), and a new one replaces it;
 * - sends are limited per phone number and per calling client;
 * - a code is stored only as a keyed digest;
 * - each verification counts one attempt atomically, and the code is
 *   invalidated on first success or after the purpose's max_attempts
 *   wrong codes;
 * - "no code pending", "expired", "invalidated" and "wrong code" give the
 *   same result, OTP_VERIFY_REJECTED.
 */
#ifndef OTP_SERVICE_H
#define OTP_SERVICE_H

#include "hito/err.h"
#include "otp_policy.h"
#include "otp_ports.h"

/* Shortest HMAC key accepted for code digests, in bytes. */
#define OTP_HMAC_KEY_MIN 32

struct otp_service_deps {
    struct otp_store store;
    struct otp_rate_limiter limiter;
    struct otp_notifier notifier;
    struct otp_audit audit;
    otp_random_fn random;
    otp_clock_fn clock;
    const unsigned char *hmac_key; /* copied */
    size_t hmac_key_len;
    const unsigned char *proof_key; /* copied */
    size_t proof_key_len;
};

struct otp_service;

/*
 * Creates the service from a policy (checked with otp_policy_check) and its
 * ports. Returns NULL with err filled when the policy or a key is invalid.
 * The ports must outlive the service.
 */
struct otp_service *otp_service_new(const struct otp_policy *policy,
                                    const struct otp_service_deps *deps,
                                    struct hito_error *err);
void otp_service_free(struct otp_service *svc);

/* Returns the policy the service applies. */
const struct otp_policy *otp_service_policy(const struct otp_service *svc);

struct otp_request {
    const char *subject; /* E.164 phone number */
    const char *purpose;
    const char *code;       /* verification only */
    const char *client_id;  /* calling service */
    const char *request_id; /* may be NULL */
};

enum otp_issue_status {
    OTP_ISSUE_SENT,         /* stored and handed to the notifier */
    OTP_ISSUE_RATE_LIMITED, /* a sending limit was reached; nothing stored */
    OTP_ISSUE_SEND_FAILED   /* the notifier failed; the code was invalidated */
};

struct otp_issue_result {
    enum otp_issue_status status;
    long expires_in_seconds;
    long retry_after_seconds;
    double send_seconds; /* time spent in the notifier */
    char message_id[OTP_MESSAGE_ID_SIZE];
    char reason[HITO_ERROR_MESSAGE_MAX]; /* why the send failed */
};

/*
 * Issues a code and sends it. Returns 0 with the outcome in result,
 * HITO_ERR_INVALID for a malformed subject or an unknown purpose, or the
 * store's or rate limiter's error (the service cannot decide without them).
 * On a failed send the code is deleted, so no code the customer never
 * received stays valid; the sending limits stay consumed.
 */
int otp_service_issue(struct otp_service *svc,
                      const struct otp_request *request,
                      struct otp_issue_result *result, struct hito_error *err);

enum otp_verify_status { OTP_VERIFY_OK, OTP_VERIFY_REJECTED };

struct otp_verify_result {
    enum otp_verify_status status;
    int locked;  /* this attempt used the last one and invalidated the code */
    char *proof; /* OTP_VERIFY_OK: the signed proof; free() it */
    long proof_expires_in_seconds;
};

/*
 * Verifies request->code. Returns 0 with the outcome in result,
 * HITO_ERR_INVALID for a malformed subject or code or an unknown purpose,
 * or the store's error.
 */
int otp_service_verify(struct otp_service *svc,
                       const struct otp_request *request,
                       struct otp_verify_result *result,
                       struct hito_error *err);

#endif

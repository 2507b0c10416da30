/*
 * otp_totp.h - TOTP (RFC 6238) for staff accounts: enrolment with a secret
 * from the CSPRNG, and verification within one time step either side of
 * now, each step accepted at most once per account.
 */
#ifndef OTP_TOTP_H
#define OTP_TOTP_H

#include "hito/err.h"
#include "otp_hotp.h"
#include "otp_ports.h"

#define OTP_TOTP_SECRET_BYTES                                                  \
    20 /* 160 bits, the HMAC-SHA1 output size (RFC 4226 4) */
#define OTP_TOTP_ACCOUNT_SIZE 65
#define OTP_TOTP_BASE32_SIZE (OTP_TOTP_SECRET_MAX * 8 / 5 + 2)
#define OTP_TOTP_URI_SIZE 512
#define OTP_TOTP_PERIOD_SECONDS 30
#define OTP_TOTP_DIGITS 6
#define OTP_TOTP_WINDOW_STEPS 1
#define OTP_TOTP_ISSUER "hito"
/* Verifications per account and window before 429; TOTP codes stay guessable
 * for three steps, so attempts are limited like one-time codes. */
#define OTP_TOTP_MAX_ATTEMPTS 5
#define OTP_TOTP_ATTEMPT_WINDOW_MS (15 * 60 * 1000L)

struct otp_totp_deps {
    struct otp_totp_store store;
    struct otp_rate_limiter limiter;
    struct otp_audit audit;
    otp_random_fn random;
    otp_clock_fn clock;
    const unsigned char *proof_key; /* signs the proof of a verification */
    size_t proof_key_len;
    long proof_ttl_seconds;
};

struct otp_totp_enrolment {
    char secret_base32[OTP_TOTP_BASE32_SIZE];
    char uri[OTP_TOTP_URI_SIZE]; /* otpauth://totp/... for a QR code */
};

/* Returns nonzero when account is 1-64 characters of A-Z a-z 0-9 . _ - @. */
int otp_totp_account_valid(const char *account);

/*
 * Creates and stores a new secret for account, replacing any earlier one,
 * and fills out. Returns HITO_ERR_INVALID for a malformed account, or the
 * store's error. out contains the secret: send it to the staff member only.
 */
int otp_totp_enrol(const struct otp_totp_deps *deps, const char *account,
                   const char *request_id, struct otp_totp_enrolment *out,
                   struct hito_error *err);

/* The purpose named in the proof of a staff TOTP verification. */
#define OTP_TOTP_PURPOSE "staff_totp"

enum otp_totp_status { OTP_TOTP_OK, OTP_TOTP_REJECTED, OTP_TOTP_RATE_LIMITED };

struct otp_totp_result {
    enum otp_totp_status status;
    long retry_after_seconds; /* OTP_TOTP_RATE_LIMITED */
    char *proof; /* OTP_TOTP_OK: signed proof (otp_proof.h); free() it */
    long proof_expires_in_seconds;
};

/*
 * Checks code against the steps now-1, now and now+1 (SHA-1, 6 digits,
 * 30 s) and records the matching step as used, so the same code cannot
 * pass twice. Unknown account, wrong code and replay all give
 * OTP_TOTP_REJECTED. A success carries a proof with sub = account and
 * purpose OTP_TOTP_PURPOSE. Returns HITO_ERR_INVALID for a malformed
 * account or code, or a store error.
 */
int otp_totp_verify(const struct otp_totp_deps *deps, const char *account,
                    const char *code, const char *request_id,
                    struct otp_totp_result *result, struct hito_error *err);

#endif

#include "otp_totp.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otp_code.h"
#include "otp_proof.h"

#define OTP_TOTP_RATE_KEY_SIZE 96

int otp_totp_account_valid(const char *account)
{
    size_t len = strlen(account);

    if (len == 0 || len >= OTP_TOTP_ACCOUNT_SIZE)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = account[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
              c == '@'))
            return 0;
    }
    return 1;
}

static void audit(const struct otp_totp_deps *deps, const char *account,
                  const char *event, const char *request_id, const char *detail)
{
    struct otp_audit_event ev = {
        .event = event,
        .subject = account,
        .purpose = OTP_TOTP_PURPOSE,
        .request_id = request_id,
        .detail = detail,
    };

    deps->audit.ops->record(deps->audit.self, &ev, NULL);
}

/* Writes the otpauth:// URI; '@' in the label is percent-encoded. */
static int build_uri(const char *account, const char *secret, char *out,
                     size_t size)
{
    char label[3 * OTP_TOTP_ACCOUNT_SIZE];
    size_t n = 0;
    int written;

    for (const char *p = account; *p != '\0'; p++) {
        if (*p == '@') {
            memcpy(label + n, "%40", 3);
            n += 3;
        } else {
            label[n++] = *p;
        }
    }
    label[n] = '\0';
    written = snprintf(
        out, size,
        "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d"
        "&period=%d",
        OTP_TOTP_ISSUER, label, secret, OTP_TOTP_ISSUER, OTP_TOTP_DIGITS,
        OTP_TOTP_PERIOD_SECONDS);
    return written > 0 && (size_t)written < size ? HITO_OK : HITO_ERR_LIMIT;
}

int otp_totp_enrol(const struct otp_totp_deps *deps, const char *account,
                   const char *request_id, struct otp_totp_enrolment *out,
                   struct hito_error *err)
{
    unsigned char secret[OTP_TOTP_SECRET_BYTES];
    int rc;

    memset(out, 0, sizeof(*out));
    if (account == NULL || !otp_totp_account_valid(account))
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "account must be 1-64 characters of letters, digits and . _ - @");
    if (deps->random(secret, sizeof(secret)) != 0)
        return hito_error_set(err, HITO_ERR_IO, "random generator failed");

    rc = deps->store.ops->put_secret(deps->store.self, account, secret,
                                     sizeof(secret), err);
    if (rc == HITO_OK &&
        (otp_base32_encode(secret, sizeof(secret), out->secret_base32,
                           sizeof(out->secret_base32)) < 0 ||
         build_uri(account, out->secret_base32, out->uri, sizeof(out->uri))))
        rc = hito_error_set(err, HITO_ERR_LIMIT,
                            "the provisioning URI does not fit");
    OPENSSL_cleanse(secret, sizeof(secret));
    if (rc == HITO_OK)
        audit(deps, account, "totp_enrolled", request_id, NULL);
    else
        OPENSSL_cleanse(out, sizeof(*out));
    return rc;
}

/* Returns the matching step within the window, or -1. Every step is
 * computed and compared, so the time taken does not depend on which matched. */
static long long find_step(const unsigned char *secret, size_t len,
                           long long now_step, const char *code)
{
    long long found = -1;

    for (long long step = now_step - OTP_TOTP_WINDOW_STEPS;
         step <= now_step + OTP_TOTP_WINDOW_STEPS; step++) {
        char expected[OTP_HOTP_DIGITS_MAX + 1];
        long value = otp_hotp(OTP_HOTP_SHA1, secret, len, (uint64_t)step,
                              OTP_TOTP_DIGITS);

        if (value < 0)
            continue;
        otp_hotp_format(value, OTP_TOTP_DIGITS, expected, sizeof(expected));
        if (CRYPTO_memcmp(expected, code, OTP_TOTP_DIGITS) == 0 && found < 0)
            found = step;
    }
    return found;
}

static int acquire_attempt(const struct otp_totp_deps *deps,
                           const char *account, long *retry_after_seconds,
                           struct hito_error *err)
{
    char key[OTP_TOTP_RATE_KEY_SIZE];
    struct otp_rate_limit limit = { key, 0, OTP_TOTP_MAX_ATTEMPTS,
                                    OTP_TOTP_ATTEMPT_WINDOW_MS };
    long retry_after_ms = 0;
    int rc;

    snprintf(key, sizeof(key), "totp:%s", account);
    rc = deps->limiter.ops->acquire(deps->limiter.self, &limit, 1,
                                    &retry_after_ms, err);
    *retry_after_seconds = (retry_after_ms + 999) / 1000;
    return rc;
}

/* Checks code and marks its step used; sets *matched when both succeed. */
static int match_code(const struct otp_totp_deps *deps, const char *account,
                      const char *code, const char *request_id, int *matched,
                      struct hito_error *err)
{
    unsigned char secret[OTP_TOTP_SECRET_MAX];
    size_t len = sizeof(secret);
    long long step;
    int rc;

    *matched = 0;
    rc = deps->store.ops->get_secret(deps->store.self, account, secret, &len,
                                     err);
    if (rc == HITO_ERR_NOT_FOUND) {
        audit(deps, account, "totp_failed", request_id, "not enrolled");
        return HITO_OK;
    }
    if (rc != HITO_OK)
        return rc;

    step = find_step(
        secret, len,
        otp_totp_step(deps->clock() / 1000, 0, OTP_TOTP_PERIOD_SECONDS), code);
    OPENSSL_cleanse(secret, sizeof(secret));
    if (step < 0) {
        audit(deps, account, "totp_failed", request_id, "wrong code");
        return HITO_OK;
    }
    rc = deps->store.ops->use_step(deps->store.self, account, step, err);
    if (rc == HITO_ERR_CONFLICT) {
        audit(deps, account, "totp_failed", request_id,
              "time step already used");
        return HITO_OK;
    }
    *matched = rc == HITO_OK;
    return rc;
}

int otp_totp_verify(const struct otp_totp_deps *deps, const char *account,
                    const char *code, const char *request_id,
                    struct otp_totp_result *result, struct hito_error *err)
{
    int matched = 0;
    int rc;

    memset(result, 0, sizeof(*result));
    result->status = OTP_TOTP_REJECTED;
    if (account == NULL || !otp_totp_account_valid(account))
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "account must be 1-64 characters of letters, digits and . _ - @");
    if (code == NULL || !otp_code_is_well_formed(code, OTP_TOTP_DIGITS))
        return hito_error_set(err, HITO_ERR_INVALID, "code must be %d digits",
                              OTP_TOTP_DIGITS);

    rc = acquire_attempt(deps, account, &result->retry_after_seconds, err);
    if (rc == HITO_ERR_LIMIT) {
        result->status = OTP_TOTP_RATE_LIMITED;
        audit(deps, account, "rate_limited", request_id, NULL);
        return HITO_OK;
    }
    if (rc == HITO_OK)
        rc = match_code(deps, account, code, request_id, &matched, err);
    if (rc != HITO_OK || !matched)
        return rc;

    rc = otp_proof_sign(deps->proof_key, deps->proof_key_len, deps->random,
                        account, OTP_TOTP_PURPOSE, deps->clock() / 1000,
                        deps->proof_ttl_seconds, &result->proof, err);
    if (rc != HITO_OK)
        return rc;
    result->status = OTP_TOTP_OK;
    result->proof_expires_in_seconds = deps->proof_ttl_seconds;
    audit(deps, account, "totp_verified", request_id, NULL);
    return HITO_OK;
}

#include "otp_policy.h"

#include <string.h>

#include "otp_code.h"

static int purpose_name_valid(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len >= OTP_PURPOSE_NAME_SIZE)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_'))
            return 0;
    }
    return 1;
}

static int check_purpose(const struct otp_purpose *p, struct hito_error *err)
{
    if (!purpose_name_valid(p->name))
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "purpose name \"%s\" must be 1-%d characters of a-z and _", p->name,
            OTP_PURPOSE_NAME_SIZE - 1);
    if (p->digits < OTP_CODE_DIGITS_MIN || p->digits > OTP_CODE_DIGITS_MAX)
        return hito_error_set(
            err, HITO_ERR_INVALID, "purpose %s: %d digits is outside [%d, %d]",
            p->name, p->digits, OTP_CODE_DIGITS_MIN, OTP_CODE_DIGITS_MAX);
    if (p->ttl_seconds < 1 || p->ttl_seconds > OTP_TTL_CEILING_SECONDS)
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "purpose %s: lifetime %ld s is outside [1, %d] (the ceiling for "
            "one-time codes)",
            p->name, p->ttl_seconds, OTP_TTL_CEILING_SECONDS);
    if (p->max_attempts < 1 || p->max_attempts > OTP_MAX_ATTEMPTS_CEILING)
        return hito_error_set(
            err, HITO_ERR_INVALID, "purpose %s: %d attempts is outside [1, %d]",
            p->name, p->max_attempts, OTP_MAX_ATTEMPTS_CEILING);
    return HITO_OK;
}

int otp_policy_check(const struct otp_policy *policy, struct hito_error *err)
{
    int rc;

    if (policy->purpose_count == 0 || policy->purpose_count > OTP_PURPOSES_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "between 1 and %d purposes are needed",
                              OTP_PURPOSES_MAX);
    for (size_t i = 0; i < policy->purpose_count; i++) {
        rc = check_purpose(&policy->purposes[i], err);
        if (rc != HITO_OK)
            return rc;
    }
    if (policy->phone_cooldown_seconds < 0 || policy->phone_max_per_hour < 1 ||
        policy->client_cooldown_seconds < 0 || policy->client_max_per_hour < 1)
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "cooldowns must be 0 or more and hourly caps 1 or more");
    if (policy->proof_ttl_seconds < 1 ||
        policy->proof_ttl_seconds > OTP_TTL_CEILING_SECONDS)
        return hito_error_set(
            err, HITO_ERR_INVALID, "proof lifetime %ld s is outside [1, %d]",
            policy->proof_ttl_seconds, OTP_TTL_CEILING_SECONDS);
    return HITO_OK;
}

const struct otp_purpose *otp_policy_find(const struct otp_policy *policy,
                                          const char *name)
{
    for (size_t i = 0; i < policy->purpose_count; i++) {
        if (strcmp(policy->purposes[i].name, name) == 0)
            return &policy->purposes[i];
    }
    return NULL;
}

int otp_policy_subject_valid(const char *subject)
{
    size_t digits = 0;

    if (subject[0] != '+' || subject[1] < '1' || subject[1] > '9')
        return 0;
    for (const char *p = subject + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        digits++;
    }
    return digits >= 8 && digits <= OTP_SUBJECT_SIZE - 2;
}

/*
 * otp_policy.h - the rules the OTP service applies: code length, lifetime
 * and attempt limit per purpose, and the sending limits.
 */
#ifndef OTP_POLICY_H
#define OTP_POLICY_H

#include <stddef.h>

#include "hito/err.h"

#define OTP_PURPOSE_NAME_SIZE 32
#define OTP_PURPOSES_MAX 8
/* NIST SP 800-63B: an out-of-band authentication fails after 10 minutes. */
#define OTP_TTL_CEILING_SECONDS 600
#define OTP_MAX_ATTEMPTS_CEILING 10
#define OTP_DEFAULT_DIGITS 6
#define OTP_DEFAULT_TTL_SECONDS 300
#define OTP_DEFAULT_MAX_ATTEMPTS 5
/* E.164: "+", then at most 15 digits. */
#define OTP_SUBJECT_SIZE 17

struct otp_purpose {
    char name[OTP_PURPOSE_NAME_SIZE];
    int digits;
    long ttl_seconds;
    int max_attempts; /* wrong codes before the code is invalidated */
};

struct otp_policy {
    struct otp_purpose purposes[OTP_PURPOSES_MAX];
    size_t purpose_count;
    long phone_cooldown_seconds;  /* between two sends to one number */
    long phone_max_per_hour;      /* sends to one number per hour */
    long client_cooldown_seconds; /* between two sends for one client */
    long client_max_per_hour;     /* sends for one calling service per hour */
    long proof_ttl_seconds;       /* lifetime of the signed proof */
};

/*
 * Checks every rule: known limits on digits, lifetime (at most
 * OTP_TTL_CEILING_SECONDS), attempts and rates. Returns HITO_ERR_INVALID
 * naming the purpose and the value otherwise.
 */
int otp_policy_check(const struct otp_policy *policy, struct hito_error *err);

/* Returns the purpose called name, or NULL. */
const struct otp_purpose *otp_policy_find(const struct otp_policy *policy,
                                          const char *name);

/* Returns nonzero when subject is an E.164 number: "+", 8 to 15 digits, no
 * leading 0. */
int otp_policy_subject_valid(const char *subject);

#endif

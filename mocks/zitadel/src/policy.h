/*
 * policy.h - password complexity and lockout, as ZITADEL v2.40 applies them.
 *
 * Policies are JSON objects in the API's shape: complexity {minLength,
 * hasUppercase, hasLowercase, hasNumber, hasSymbol} and lockout
 * {maxPasswordAttempts} where 0 turns lockout off.
 */
#ifndef ZITADEL_POLICY_H
#define ZITADEL_POLICY_H

#include <stddef.h>
#include <jansson.h>

/* ZITADEL's instance default: 8 characters, all four classes. */
json_t *policy_default_complexity(void);

/* ZITADEL's instance default lockout: off (0 attempts). */
json_t *policy_default_lockout(void);

/*
 * Checks password against a complexity policy. Returns 0 when it complies,
 * else -1 with the first unmet rule in why (ZITADEL's wording).
 */
int policy_check_password(const json_t *complexity, const char *password, char *why,
                          size_t size);

/*
 * Counts one failed password check on user (its _failedAttempts). When the
 * lockout policy's maxPasswordAttempts is above 0 and is reached, the user
 * becomes USER_STATE_LOCKED. Returns 1 when this failure locked the user.
 */
int policy_record_failure(json_t *user, const json_t *lockout);

/* Resets the failed-attempt counter after a successful check or an unlock. */
void policy_reset_failures(json_t *user);

/* Returns nonzero when the user is locked. */
int policy_is_locked(const json_t *user);

#endif

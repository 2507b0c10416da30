/* policy.c - password complexity and lockout counting. */
#include "policy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "zjson.h"

#define STATE_LOCKED "USER_STATE_LOCKED"
#define STATE_ACTIVE "USER_STATE_ACTIVE"

json_t *policy_default_complexity(void)
{
    return json_pack("{s:s, s:b, s:b, s:b, s:b}", "minLength", "8", "hasUppercase", 1,
                     "hasLowercase", 1, "hasNumber", 1, "hasSymbol", 1);
}

json_t *policy_default_lockout(void)
{
    return json_pack("{s:i}", "maxPasswordAttempts", 0);
}

int policy_check_password(const json_t *complexity, const char *password, char *why,
                          size_t size)
{
    int upper = 0;
    int lower = 0;
    int digit = 0;
    int symbol = 0;

    for (const char *p = password; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (isupper(c))
            upper = 1;
        else if (islower(c))
            lower = 1;
        else if (isdigit(c))
            digit = 1;
        else
            symbol = 1;
    }
    /* NOTE: ZITADEL counts characters; this counts bytes, the same for ASCII. */
    if ((long long)strlen(password) < zjson_uint(complexity, "minLength")) {
        snprintf(why, size, "Password is too short");
        return -1;
    }
    if (zjson_bool(complexity, "hasUppercase") && !upper) {
        snprintf(why, size, "Password must contain upper case");
        return -1;
    }
    if (zjson_bool(complexity, "hasLowercase") && !lower) {
        snprintf(why, size, "Password must contain lower case");
        return -1;
    }
    if (zjson_bool(complexity, "hasNumber") && !digit) {
        snprintf(why, size, "Password must contain number");
        return -1;
    }
    if (zjson_bool(complexity, "hasSymbol") && !symbol) {
        snprintf(why, size, "Password must contain symbol");
        return -1;
    }
    return 0;
}

int policy_record_failure(json_t *user, const json_t *lockout)
{
    long long max = zjson_uint(lockout, "maxPasswordAttempts");
    long long failed = json_integer_value(json_object_get(user, "_failedAttempts")) + 1;

    json_object_set_new(user, "_failedAttempts", json_integer(failed));
    if (max > 0 && failed >= max && !policy_is_locked(user)) {
        json_object_set_new(user, "state", json_string(STATE_LOCKED));
        return 1;
    }
    return 0;
}

void policy_reset_failures(json_t *user)
{
    json_object_set_new(user, "_failedAttempts", json_integer(0));
}

int policy_is_locked(const json_t *user)
{
    return strcmp(zjson_str(user, "state", ""), STATE_LOCKED) == 0;
}

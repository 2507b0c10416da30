/* test_policy.c - password complexity and lockout counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "policy.h"

static void complexity_default_rules(void **state)
{
    json_t *p = policy_default_complexity();
    char why[128];

    (void)state;
    assert_int_equal(policy_check_password(p, "Secret-Pass1", why, sizeof(why)), 0);
    assert_int_equal(policy_check_password(p, "Sh-1", why, sizeof(why)), -1);
    assert_string_equal(why, "Password is too short");
    assert_int_equal(policy_check_password(p, "secret-pass1", why, sizeof(why)), -1);
    assert_string_equal(why, "Password must contain upper case");
    assert_int_equal(policy_check_password(p, "SECRET-PASS1", why, sizeof(why)), -1);
    assert_string_equal(why, "Password must contain lower case");
    assert_int_equal(policy_check_password(p, "Secret-Pass", why, sizeof(why)), -1);
    assert_string_equal(why, "Password must contain number");
    assert_int_equal(policy_check_password(p, "SecretPass1", why, sizeof(why)), -1);
    assert_string_equal(why, "Password must contain symbol");
    json_decref(p);
}

static void complexity_relaxed_policy(void **state)
{
    json_t *p = json_pack("{s:s}", "minLength", "4");
    char why[128];

    (void)state;
    assert_int_equal(policy_check_password(p, "abcd", why, sizeof(why)), 0);
    assert_int_equal(policy_check_password(p, "abc", why, sizeof(why)), -1);
    json_decref(p);
}

static void lockout_locks_at_max(void **state)
{
    json_t *user = json_pack("{s:s}", "state", "USER_STATE_ACTIVE");
    json_t *lockout = json_pack("{s:s}", "maxPasswordAttempts", "3");

    (void)state;
    assert_int_equal(policy_record_failure(user, lockout), 0);
    assert_int_equal(policy_record_failure(user, lockout), 0);
    assert_false(policy_is_locked(user));
    assert_int_equal(policy_record_failure(user, lockout), 1);
    assert_true(policy_is_locked(user));
    json_decref(user);
    json_decref(lockout);
}

static void lockout_reset_on_success(void **state)
{
    json_t *user = json_pack("{s:s}", "state", "USER_STATE_ACTIVE");
    json_t *lockout = json_pack("{s:i}", "maxPasswordAttempts", 2);

    (void)state;
    assert_int_equal(policy_record_failure(user, lockout), 0);
    policy_reset_failures(user);
    assert_int_equal(policy_record_failure(user, lockout), 0);
    assert_false(policy_is_locked(user));
    json_decref(user);
    json_decref(lockout);
}

static void lockout_off_never_locks(void **state)
{
    json_t *user = json_pack("{s:s}", "state", "USER_STATE_ACTIVE");
    json_t *lockout = policy_default_lockout();

    (void)state;
    for (int i = 0; i < 50; i++)
        assert_int_equal(policy_record_failure(user, lockout), 0);
    assert_false(policy_is_locked(user));
    json_decref(user);
    json_decref(lockout);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(complexity_default_rules),
        cmocka_unit_test(complexity_relaxed_policy),
        cmocka_unit_test(lockout_locks_at_max),
        cmocka_unit_test(lockout_reset_on_success),
        cmocka_unit_test(lockout_off_never_locks),
    };

    return cmocka_run_group_tests_name("zitadel_emulator_policy", tests, NULL, NULL);
}

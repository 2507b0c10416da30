/* Unit tests of domain/promotion.c: when a candidate model replaces the current
 * one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../domain/promotion.h"

static struct model_score score(double f1, const char *set)
{
    struct model_score s;

    memset(&s, 0, sizeof(s));
    s.macro_f1 = f1;
    s.accuracy = f1;
    snprintf(s.heldout_hash, sizeof(s.heldout_hash), "%s", set);
    return s;
}

static void promotion_better_is_accepted(void **state)
{
    struct model_score current = score(0.80, "aaaa"),
                       candidate = score(0.81, "aaaa");

    (void)state;
    assert_int_equal(promotion_decide(&current, &candidate), PROMOTION_ACCEPT);
}

static void promotion_equal_is_rejected(void **state)
{
    struct model_score current = score(0.80, "aaaa"),
                       candidate = score(0.80, "aaaa");

    (void)state;
    assert_int_equal(promotion_decide(&current, &candidate),
                     PROMOTION_NOT_BETTER);
}

static void promotion_worse_is_rejected(void **state)
{
    struct model_score current = score(0.80, "aaaa"),
                       candidate = score(0.70, "aaaa");

    (void)state;
    assert_int_equal(promotion_decide(&current, &candidate),
                     PROMOTION_NOT_BETTER);
}

static void promotion_other_set_is_rejected(void **state)
{
    struct model_score current = score(0.80, "aaaa"),
                       candidate = score(0.95, "bbbb");

    (void)state;
    assert_int_equal(promotion_decide(&current, &candidate),
                     PROMOTION_DIFFERENT_SET);
}

static void promotion_unscored_is_rejected(void **state)
{
    struct model_score current = score(0.80, "aaaa"),
                       candidate = score(0.95, "");

    (void)state;
    assert_int_equal(promotion_decide(&current, &candidate),
                     PROMOTION_NOT_SCORED);
    assert_int_equal(promotion_decide(NULL, &candidate), PROMOTION_NOT_SCORED);
}

static void promotion_first_model_is_accepted(void **state)
{
    struct model_score unscored = score(0, ""), candidate = score(0.10, "aaaa");

    (void)state;
    assert_int_equal(promotion_decide(NULL, &candidate), PROMOTION_ACCEPT);
    assert_int_equal(promotion_decide(&unscored, &candidate), PROMOTION_ACCEPT);
}

static void promotion_verdict_names(void **state)
{
    (void)state;
    assert_string_equal(promotion_verdict_name(PROMOTION_ACCEPT), "accept");
    assert_string_equal(promotion_verdict_name(PROMOTION_NOT_BETTER),
                        "not_better");
    assert_string_equal(promotion_verdict_name(PROMOTION_DIFFERENT_SET),
                        "different_set");
    assert_string_equal(promotion_verdict_name(PROMOTION_NOT_SCORED),
                        "not_scored");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(promotion_better_is_accepted),
        cmocka_unit_test(promotion_equal_is_rejected),
        cmocka_unit_test(promotion_worse_is_rejected),
        cmocka_unit_test(promotion_other_set_is_rejected),
        cmocka_unit_test(promotion_unscored_is_rejected),
        cmocka_unit_test(promotion_first_model_is_accepted),
        cmocka_unit_test(promotion_verdict_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of the 24-hour window, the status order and the retry policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "wa_policy.h"
#include "wa_status.h"

#define NOW 1733312000LL

static void window_free_form_within_24h(void **state)
{
    (void)state;
    assert_true(wa_window_allows(0, NOW - 60, NOW));
    assert_true(wa_window_allows(0, NOW - WA_WINDOW_SECONDS, NOW));
}

static void window_free_form_after_24h(void **state)
{
    (void)state;
    assert_false(wa_window_allows(0, NOW - WA_WINDOW_SECONDS - 1, NOW));
}

static void window_free_form_never_wrote(void **state)
{
    (void)state;
    assert_false(wa_window_allows(0, 0, NOW));
}

static void window_template_always(void **state)
{
    (void)state;
    assert_true(wa_window_allows(1, 0, NOW));
    assert_true(wa_window_allows(1, NOW - 10 * WA_WINDOW_SECONDS, NOW));
}

static void status_forward_order(void **state)
{
    (void)state;
    assert_true(wa_status_advances(WA_STATUS_NONE, WA_STATUS_SENT));
    assert_true(wa_status_advances(WA_STATUS_ACCEPTED, WA_STATUS_SENT));
    assert_true(wa_status_advances(WA_STATUS_SENT, WA_STATUS_DELIVERED));
    assert_true(wa_status_advances(WA_STATUS_DELIVERED, WA_STATUS_READ));
}

static void status_delivered_skipped(void **state)
{
    (void)state;
    assert_true(wa_status_advances(WA_STATUS_SENT, WA_STATUS_READ));
}

static void status_late_arrivals_ignored(void **state)
{
    (void)state;
    assert_false(wa_status_advances(WA_STATUS_READ, WA_STATUS_DELIVERED));
    assert_false(wa_status_advances(WA_STATUS_READ, WA_STATUS_SENT));
    assert_false(wa_status_advances(WA_STATUS_DELIVERED, WA_STATUS_SENT));
    assert_false(wa_status_advances(WA_STATUS_SENT, WA_STATUS_SENT));
}

static void status_failed_is_terminal(void **state)
{
    (void)state;
    assert_true(wa_status_advances(WA_STATUS_SENT, WA_STATUS_FAILED));
    assert_true(wa_status_advances(WA_STATUS_ACCEPTED, WA_STATUS_FAILED));
    assert_false(wa_status_advances(WA_STATUS_FAILED, WA_STATUS_READ));
    assert_false(wa_status_advances(WA_STATUS_FAILED, WA_STATUS_DELIVERED));
    assert_false(wa_status_advances(WA_STATUS_FAILED, WA_STATUS_FAILED));
    assert_false(wa_status_advances(WA_STATUS_READ, WA_STATUS_FAILED));
}

static void status_parse_names(void **state)
{
    (void)state;
    assert_int_equal(wa_status_parse("read"), WA_STATUS_READ);
    assert_int_equal(wa_status_parse("failed"), WA_STATUS_FAILED);
    assert_int_equal(wa_status_parse("Read"), WA_STATUS_NONE);
    assert_int_equal(wa_status_parse(NULL), WA_STATUS_NONE);
    assert_string_equal(wa_status_name(WA_STATUS_DELIVERED), "delivered");
}

static void retry_codes(void **state)
{
    (void)state;
    assert_true(wa_error_is_retryable(130429));
    assert_true(wa_error_is_retryable(131056));
    assert_true(wa_error_is_retryable(80007));
    assert_false(wa_error_is_retryable(131047));
    assert_false(wa_error_is_retryable(131026));
    assert_false(wa_error_is_retryable(132000));
    assert_false(wa_error_is_retryable(132001));
    assert_false(wa_error_is_retryable(0));
}

static void retry_delay_doubles_to_cap(void **state)
{
    (void)state;
    assert_int_equal(wa_retry_delay_ms(1, 100, 1000), 100);
    assert_int_equal(wa_retry_delay_ms(2, 100, 1000), 200);
    assert_int_equal(wa_retry_delay_ms(4, 100, 1000), 800);
    assert_int_equal(wa_retry_delay_ms(5, 100, 1000), 1000);
    assert_int_equal(wa_retry_delay_ms(60, 100, 1000), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_free_form_within_24h),
        cmocka_unit_test(window_free_form_after_24h),
        cmocka_unit_test(window_free_form_never_wrote),
        cmocka_unit_test(window_template_always),
        cmocka_unit_test(status_forward_order),
        cmocka_unit_test(status_delivered_skipped),
        cmocka_unit_test(status_late_arrivals_ignored),
        cmocka_unit_test(status_failed_is_terminal),
        cmocka_unit_test(status_parse_names),
        cmocka_unit_test(retry_codes),
        cmocka_unit_test(retry_delay_doubles_to_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

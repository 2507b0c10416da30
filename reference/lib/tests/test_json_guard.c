/* Unit tests of json_guard.c: the nesting-depth check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hito/json_guard.h"
#include "test_nested_json.h"

static void depth_at_limit_accepted(void **state)
{
    char *text = test_nested_json(JSON_GUARD_MAX_DEPTH, '[', ']');

    (void)state;
    assert_int_equal(json_guard_depth_ok(text, strlen(text), JSON_GUARD_MAX_DEPTH), 1);
    free(text);
}

static void depth_over_limit_rejected(void **state)
{
    char *arrays = test_nested_json(JSON_GUARD_MAX_DEPTH + 1, '[', ']');
    char *objects = test_nested_json(JSON_GUARD_MAX_DEPTH + 1, '{', '}');

    (void)state;
    assert_int_equal(json_guard_depth_ok(arrays, strlen(arrays), JSON_GUARD_MAX_DEPTH), 0);
    assert_int_equal(json_guard_depth_ok(objects, strlen(objects), JSON_GUARD_MAX_DEPTH), 0);
    free(arrays);
    free(objects);
}

static void depth_skips_strings(void **state)
{
    /* Brackets inside strings, and an escaped quote that does not end one. */
    static const char text[] = "{\"a\":\"[[[[\\\"[[[[\",\"b\":[\"{{{{\\\\\",[1]]}";
    static const char unclosed[] = "[\"\\\"[[\"]";

    (void)state;
    assert_int_equal(json_guard_depth_ok(text, strlen(text), 3), 1);
    assert_int_equal(json_guard_depth_ok(text, strlen(text), 2), 0);
    /* The escaped quote keeps the string open, so its brackets do not count. */
    assert_int_equal(json_guard_depth_ok(unclosed, strlen(unclosed), 1), 1);
}

static void depth_of_scalars_is_zero(void **state)
{
    (void)state;
    assert_int_equal(json_guard_depth_ok("\"[[[\"", 5, 0), 1);
    assert_int_equal(json_guard_depth_ok("42", 2, 0), 1);
    assert_int_equal(json_guard_depth_ok("[]", 2, 0), 0);
    assert_int_equal(json_guard_depth_ok("", 0, 0), 1);
}

static void depth_stops_at_len(void **state)
{
    /* Only the first len bytes count, so a text need not be NUL-terminated. */
    static const char text[] = "[[[[";

    (void)state;
    assert_int_equal(json_guard_depth_ok(text, 2, 2), 1);
    assert_int_equal(json_guard_depth_ok(text, 3, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(depth_at_limit_accepted),
        cmocka_unit_test(depth_over_limit_rejected),
        cmocka_unit_test(depth_skips_strings),
        cmocka_unit_test(depth_of_scalars_is_zero),
        cmocka_unit_test(depth_stops_at_len),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

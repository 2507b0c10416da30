/* Unit tests of err.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hito/err.h"

static void strerror_names_each_code(void **state)
{
    int code;

    (void)state;
    for (code = HITO_OK; code >= HITO_ERR_FORBIDDEN; code--)
        assert_string_not_equal(hito_strerror(code), "unknown error");
    assert_string_equal(hito_strerror(HITO_ERR_TIMEOUT), "timed out");
    assert_string_equal(hito_strerror(42), "unknown error");
}

static void error_set_fills_code_and_message(void **state)
{
    struct hito_error err;
    int rc;

    (void)state;
    rc = hito_error_set(&err, HITO_ERR_IO, "connect to %s:%d failed", "127.0.0.1", 5432);
    assert_int_equal(rc, HITO_ERR_IO);
    assert_int_equal(err.code, HITO_ERR_IO);
    assert_string_equal(err.message, "connect to 127.0.0.1:5432 failed");
}

static void error_set_truncates_long_message(void **state)
{
    char long_text[HITO_ERROR_MESSAGE_MAX * 2];
    struct hito_error err;

    (void)state;
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    hito_error_set(&err, HITO_ERR_LIMIT, "%s", long_text);
    assert_int_equal(strlen(err.message), HITO_ERROR_MESSAGE_MAX - 1);
}

static void error_set_accepts_null(void **state)
{
    (void)state;
    assert_int_equal(hito_error_set(NULL, HITO_ERR_AUTH, "ignored"), HITO_ERR_AUTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strerror_names_each_code),
        cmocka_unit_test(error_set_fills_code_and_message),
        cmocka_unit_test(error_set_truncates_long_message),
        cmocka_unit_test(error_set_accepts_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

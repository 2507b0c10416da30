/* Unit tests of db.c that need no database: the connection string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hito/db.h"
#include "hito/err.h"

static void conninfo_quotes_values(void **state)
{
    char out[256];

    (void)state;
    assert_int_equal(db_conninfo(out, sizeof(out), "127.0.0.1", 5432, "hito", "o'neil",
                                 "a\\b"),
                     HITO_OK);
    assert_string_equal(out, "host='127.0.0.1' port='5432' dbname='hito' user='o\\'neil' "
                             "password='a\\\\b' connect_timeout='5'");
}

static void conninfo_without_password(void **state)
{
    char out[256];

    (void)state;
    assert_int_equal(db_conninfo(out, sizeof(out), "h", 1, "d", "u", NULL), HITO_OK);
    assert_string_equal(out, "host='h' port='1' dbname='d' user='u' connect_timeout='5'");
}

/* Every buffer size too small gets HITO_ERR_LIMIT, and none is overrun (under ASan). */
static void conninfo_small_buffers(void **state)
{
    const char *passwords[] = {"", "p'w"};

    (void)state;
    for (size_t p = 0; p < sizeof(passwords) / sizeof(passwords[0]); p++) {
        char full[256];
        size_t need;

        assert_int_equal(db_conninfo(full, sizeof(full), "h", 1, "d", "u", passwords[p]),
                         HITO_OK);
        need = strlen(full) + 1;
        for (size_t size = 0; size <= need; size++) {
            char *out = malloc(size ? size : 1);
            int rc;

            assert_non_null(out);
            rc = db_conninfo(out, size, "h", 1, "d", "u", passwords[p]);
            if (size < need) {
                assert_int_equal(rc, HITO_ERR_LIMIT);
                if (size > 0)
                    assert_string_equal(out, "");
            } else {
                assert_int_equal(rc, HITO_OK);
                assert_string_equal(out, full);
            }
            free(out);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conninfo_quotes_values),
        cmocka_unit_test(conninfo_without_password),
        cmocka_unit_test(conninfo_small_buffers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

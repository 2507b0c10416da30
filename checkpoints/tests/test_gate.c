#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "runner/gate.h"

static const int numbers[] = { 1, 2, 3 };

static json_t *empty_state(void)
{
    json_t *state = json_pack("{s:{}}", "checkpoints");

    assert_non_null(state);
    return state;
}

static void gate_first_checkpoint_runs(void **state)
{
    json_t *s = empty_state();
    char why[256] = "";

    (void)state;
    assert_int_equal(gate_blocking(s, numbers, 3, 1, "abc", why, sizeof(why)),
                     0);
    json_decref(s);
}

static void gate_blocks_when_not_run(void **state)
{
    json_t *s = empty_state();
    char why[256] = "";

    (void)state;
    assert_int_equal(gate_blocking(s, numbers, 3, 2, "abc", why, sizeof(why)),
                     1);
    assert_string_equal(why, "checkpoint 1 has not run on this target");
    json_decref(s);
}

static void gate_opens_after_pass(void **state)
{
    json_t *s = empty_state();
    char why[256] = "";

    (void)state;
    assert_int_equal(gate_record(s, 1, "passed", "abc", "t", "local-test"), 0);
    assert_int_equal(gate_blocking(s, numbers, 3, 2, "abc", why, sizeof(why)),
                     0);
    assert_int_equal(gate_blocking(s, numbers, 3, 3, "abc", why, sizeof(why)),
                     2);
    json_decref(s);
}

static void gate_blocks_after_failure(void **state)
{
    json_t *s = empty_state();
    char why[256] = "";

    (void)state;
    assert_int_equal(gate_record(s, 1, "passed", "abc", "t", "local-test"), 0);
    assert_int_equal(gate_record(s, 1, "failed", "abc", "t2", "local-test"), 0);
    assert_int_equal(gate_blocking(s, numbers, 3, 2, "abc", why, sizeof(why)),
                     1);
    assert_string_equal(why,
                        "checkpoint 1 failed in its latest run (commit abc)");
    json_decref(s);
}

static void gate_blocks_skipped(void **state)
{
    json_t *s = empty_state();
    char why[256] = "";

    (void)state;
    assert_int_equal(gate_record(s, 1, "skipped", "abc", "t", "compose"), 0);
    assert_int_equal(gate_blocking(s, numbers, 3, 2, "abc", why, sizeof(why)),
                     1);
    json_decref(s);
}

static void gate_blocks_other_commit(void **state)
{
    json_t *s = empty_state();
    char why[256] = "";

    (void)state;
    assert_int_equal(gate_record(s, 1, "passed", "old", "t", "local-test"), 0);
    assert_int_equal(gate_blocking(s, numbers, 3, 2, "new", why, sizeof(why)),
                     1);
    assert_string_equal(why, "checkpoint 1 passed at commit old, not at new");
    json_decref(s);
}

static void gate_save_and_load(void **state)
{
    char path[] = "/tmp/hito-gate-test-XXXXXX";
    struct hito_error err = { 0 };
    json_t *s = empty_state(), *loaded = NULL;
    char why[256];
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(gate_record(s, 1, "passed", "abc", "t", "local-test"), 0);
    assert_int_equal(gate_save(path, s, &err), 0);
    assert_int_equal(gate_load(path, &loaded, &err), 0);
    assert_int_equal(
        gate_blocking(loaded, numbers, 3, 2, "abc", why, sizeof(why)), 0);
    json_decref(loaded);
    json_decref(s);
    unlink(path);
}

static void gate_load_missing_and_invalid(void **state)
{
    char path[] = "/tmp/hito-gate-test-XXXXXX";
    struct hito_error err = { 0 };
    json_t *loaded = NULL;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{not json", 9), 9);
    close(fd);
    assert_int_equal(gate_load(path, &loaded, &err), HITO_ERR_INVALID);
    assert_null(loaded);
    assert_non_null(strstr(err.message, path));
    unlink(path);
    assert_int_equal(gate_load(path, &loaded, &err), 0);
    assert_non_null(json_object_get(loaded, "checkpoints"));
    json_decref(loaded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gate_first_checkpoint_runs),
        cmocka_unit_test(gate_blocks_when_not_run),
        cmocka_unit_test(gate_opens_after_pass),
        cmocka_unit_test(gate_blocks_after_failure),
        cmocka_unit_test(gate_blocks_skipped),
        cmocka_unit_test(gate_blocks_other_commit),
        cmocka_unit_test(gate_save_and_load),
        cmocka_unit_test(gate_load_missing_and_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

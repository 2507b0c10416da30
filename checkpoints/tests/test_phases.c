#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "runner/phases.h"
#include "runner/runner.h"

static void phases_are_ordered_and_complete(void **state)
{
    size_t count;
    const struct phase *all = phases_all(&count);

    (void)state;
    assert_true(count >= 1);
    for (size_t i = 0; i < count; i++) {
        assert_true(all[i].number > (i ? all[i - 1].number : 0));
        assert_non_null(all[i].title);
        assert_non_null(all[i].description);
        assert_non_null(all[i].scenarios[0]);
        assert_ptr_equal(phases_find(all[i].number), &all[i]);
    }
    assert_null(phases_find(99));
}

static void scenario_names_are_unique(void **state)
{
    size_t count;
    const struct phase *all = phases_all(&count);

    (void)state;
    for (size_t i = 0; i < count; i++)
        for (const struct scenario *const *s = all[i].scenarios; *s; s++) {
            assert_non_null((*s)->name);
            assert_non_null((*s)->title);
            assert_non_null((*s)->tags);
            assert_non_null((*s)->run);
            for (size_t j = 0; j < count; j++)
                for (const struct scenario *const *o = all[j].scenarios; *o;
                     o++)
                    if (*o != *s)
                        assert_string_not_equal((*o)->name, (*s)->name);
        }
}

static void runner_tag_matching(void **state)
{
    (void)state;
    assert_true(runner_has_tag("infra,redis", "redis"));
    assert_true(runner_has_tag("infra,redis", "infra"));
    assert_false(runner_has_tag("infra,redis", "red"));
    assert_false(runner_has_tag("", "infra"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phases_are_ordered_and_complete),
        cmocka_unit_test(scenario_names_are_unique),
        cmocka_unit_test(runner_tag_matching),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

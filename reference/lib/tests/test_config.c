/* Unit tests of config.c, driven by the valid/ and invalid/ fixture folders. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hito/config.h"

/*
 * Tests run from the repository root, as `make unit` does. Keys in the
 * fixtures and tests start with FX_ because the environment overrides files
 * and make exports variables such as HITO_ENV.
 */
#define FIXTURES "reference/lib/tests/fixtures/config"
#define PATH_MAX_LEN 512
#define LINE_MAX_LEN 512

static int has_suffix(const char *s, const char *suffix)
{
    size_t len = strlen(s);
    size_t suffix_len = strlen(suffix);

    return len >= suffix_len && strcmp(s + len - suffix_len, suffix) == 0;
}

/* Checks every KEY<TAB>VALUE line of the .expected file against cfg. */
static void assert_settings_match(const struct config *cfg, const char *expected_path)
{
    char line[LINE_MAX_LEN];
    FILE *f = fopen(expected_path, "r");

    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *tab = strchr(line, '\t');
        const char *value;

        assert_non_null(tab);
        *tab = '\0';
        tab[strcspn(tab + 1, "\n") + 1] = '\0';
        value = config_get(cfg, line);
        assert_non_null(value);
        assert_string_equal(value, tab + 1);
    }
    fclose(f);
}

/* Checks one valid/ fixture: it loads, with the values of its .expected file. */
static void check_valid(const char *path, const char *stem)
{
    char expected[PATH_MAX_LEN];
    struct hito_error err = {0, ""};
    struct config *cfg = config_new();

    snprintf(expected, sizeof(expected), "%s.expected", stem);
    assert_int_equal(config_load_file(cfg, path, &err), HITO_OK);
    assert_settings_match(cfg, expected);
    config_free(cfg);
}

/* Checks one invalid/ fixture: it fails with the message of its .error file. */
static void check_invalid(const char *path, const char *stem)
{
    char error_path[PATH_MAX_LEN];
    char expected[LINE_MAX_LEN] = "";
    struct hito_error err = {0, ""};
    struct config *cfg = config_new();
    FILE *f;

    snprintf(error_path, sizeof(error_path), "%s.error", stem);
    f = fopen(error_path, "r");
    assert_non_null(f);
    assert_non_null(fgets(expected, sizeof(expected), f));
    fclose(f);
    expected[strcspn(expected, "\n")] = '\0';
    assert_int_equal(config_load_file(cfg, path, &err), HITO_ERR_INVALID);
    assert_int_equal(err.code, HITO_ERR_INVALID);
    assert_true(has_suffix(err.message, expected));
    config_free(cfg);
}

/* Runs check on every .env file of folder; returns how many there were. */
static int for_each_fixture(const char *folder, void (*check)(const char *, const char *))
{
    DIR *dir = opendir(folder);
    struct dirent *entry;
    int files = 0;

    assert_non_null(dir);
    while ((entry = readdir(dir)) != NULL) {
        char path[PATH_MAX_LEN];
        char stem[PATH_MAX_LEN];

        if (!has_suffix(entry->d_name, ".env"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
        snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(path) - 4), path);
        print_message("fixture %s\n", path);
        check(path, stem);
        files++;
    }
    closedir(dir);
    return files;
}

static void load_valid_fixtures(void **state)
{
    (void)state;
    assert_true(for_each_fixture(FIXTURES "/valid", check_valid) >= 3);
}

static void load_invalid_fixtures(void **state)
{
    (void)state;
    assert_true(for_each_fixture(FIXTURES "/invalid", check_invalid) >= 5);
}

static void load_missing_file_not_found(void **state)
{
    struct hito_error err = {0, ""};
    struct config *cfg = config_new();

    (void)state;
    assert_int_equal(config_load_file(cfg, FIXTURES "/absent.env", &err), HITO_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "absent.env"));
    config_free(cfg);
}

static void get_prefers_environment(void **state)
{
    struct config *cfg = config_new();

    (void)state;
    config_set(cfg, "HITO_TEST_OVERRIDE", "from-file");
    assert_string_equal(config_get(cfg, "HITO_TEST_OVERRIDE"), "from-file");
    setenv("HITO_TEST_OVERRIDE", "from-env", 1);
    assert_string_equal(config_get(cfg, "HITO_TEST_OVERRIDE"), "from-env");
    unsetenv("HITO_TEST_OVERRIDE");
    assert_null(config_get(cfg, "HITO_TEST_ABSENT"));
    assert_string_equal(config_get_default(cfg, "HITO_TEST_ABSENT", "fallback"), "fallback");
    config_free(cfg);
}

static void get_int_checks_range(void **state)
{
    struct hito_error err = {0, ""};
    struct config *cfg = config_new();
    long value = 0;

    (void)state;
    config_set(cfg, "FX_PORT", "22432");
    config_set(cfg, "FX_BIG", "70000");
    config_set(cfg, "FX_WORD", "12ab");
    config_set(cfg, "FX_EMPTY", "");
    assert_int_equal(config_get_int(cfg, "FX_PORT", 1, 1, 65535, &value, &err), HITO_OK);
    assert_int_equal(value, 22432);
    assert_int_equal(config_get_int(cfg, "FX_ABSENT", 7, 1, 65535, &value, &err), HITO_OK);
    assert_int_equal(value, 7);
    assert_int_equal(config_get_int(cfg, "FX_EMPTY", 8, 1, 65535, &value, &err), HITO_OK);
    assert_int_equal(value, 8);
    assert_int_equal(config_get_int(cfg, "FX_BIG", 1, 1, 65535, &value, &err), HITO_ERR_INVALID);
    assert_string_equal(err.message, "FX_BIG=70000 is out of range 1..65535");
    assert_int_equal(config_get_int(cfg, "FX_WORD", 1, 1, 65535, &value, &err), HITO_ERR_INVALID);
    assert_string_equal(err.message, "FX_WORD=12ab is not an integer (expected 1..65535)");
    config_free(cfg);
}

static void require_names_missing_key(void **state)
{
    struct hito_error err = {0, ""};
    struct config *cfg = config_new();
    const char *value = NULL;

    (void)state;
    config_set(cfg, "FX_SET", "yes");
    assert_int_equal(config_require(cfg, "FX_SET", &value, &err), HITO_OK);
    assert_string_equal(value, "yes");
    assert_int_equal(config_require(cfg, "FX_PG_PASSWORD", &value, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "FX_PG_PASSWORD"));
    config_free(cfg);
}

static void load_profile_reads_settings(void **state)
{
    struct hito_error err = {0, ""};
    struct config *cfg = config_new();

    (void)state;
    assert_int_equal(config_load_profile(cfg, "test", &err), HITO_OK);
    assert_string_equal(config_get(cfg, "HITO_HOST"), "127.0.0.1");
    assert_int_equal(config_load_profile(cfg, "no-such-env", &err), HITO_ERR_NOT_FOUND);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_valid_fixtures),
        cmocka_unit_test(load_invalid_fixtures),
        cmocka_unit_test(load_missing_file_not_found),
        cmocka_unit_test(get_prefers_environment),
        cmocka_unit_test(get_int_checks_range),
        cmocka_unit_test(require_names_missing_key),
        cmocka_unit_test(load_profile_reads_settings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

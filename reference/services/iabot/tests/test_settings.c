/* Unit tests of app/iabot_settings.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iabot_settings.h"

static struct config *base_config(void)
{
    struct config *cfg = config_new();

    assert_non_null(cfg);
    assert_int_equal(config_set(cfg, "IABOT_PORT", "22840"), HITO_OK);
    assert_int_equal(config_set(cfg, "PG_PORT", "22432"), HITO_OK);
    assert_int_equal(config_set(cfg, "PG_PASSWORD_IABOT", "pw"), HITO_OK);
    assert_int_equal(config_set(cfg, "HITO_ROOT", "/repo"), HITO_OK);
    return cfg;
}

static void settings_defaults(void **state)
{
    struct config *cfg = base_config();
    struct iabot_settings s;

    (void)state;
    assert_int_equal(iabot_settings_load(cfg, &s, NULL), HITO_OK);
    assert_string_equal(s.listen, "127.0.0.1:22840");
    assert_string_equal(s.data_dir, "/repo/reference/services/iabot/fixtures");
    assert_string_equal(s.migrations_dir,
                        "/repo/reference/services/iabot/migrations");
    assert_int_equal(s.threshold_percent, 40);
    assert_int_equal(s.auth_enabled, 1);
    assert_string_equal(s.llm_base_url, "");
    assert_non_null(strstr(s.auth.jwks_url, "/oauth/v2/keys"));
    assert_non_null(strstr(s.pg_conninfo, "dbname='iabot'"));
    iabot_settings_clear(&s);
    config_free(cfg);
}

static void settings_reject_bad_values(void **state)
{
    struct config *cfg = base_config();
    struct iabot_settings s;
    struct hito_error err = {0};

    (void)state;
    assert_int_equal(config_set(cfg, "IABOT_AUTH", "maybe"), HITO_OK);
    assert_int_equal(iabot_settings_load(cfg, &s, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "IABOT_AUTH"));
    assert_int_equal(config_set(cfg, "IABOT_AUTH", "off"), HITO_OK);
    assert_int_equal(config_set(cfg, "IABOT_HANDOVER_THRESHOLD_PERCENT", "101"),
                     HITO_OK);
    assert_int_equal(iabot_settings_load(cfg, &s, &err), HITO_ERR_INVALID);
    config_free(cfg);
}

static void settings_need_password(void **state)
{
    struct config *cfg = config_new();
    struct iabot_settings s;
    struct hito_error err = {0};

    (void)state;
    assert_int_equal(config_set(cfg, "IABOT_PORT", "22840"), HITO_OK);
    assert_int_equal(iabot_settings_load(cfg, &s, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "PG_PASSWORD_IABOT"));
    config_free(cfg);
}

int main(void)
{
    /* The environment overrides a configuration; these tests read only their
     * own. */
    static const char *const keys[] = {
        "IABOT_PORT",          "PG_PORT",
        "PG_PASSWORD_IABOT",   "HITO_ROOT",
        "HITO_HOST",           "IABOT_AUTH",
        "IABOT_DATA_DIR",      "IABOT_HANDOVER_THRESHOLD_PERCENT",
        "LLM_BASE_URL",        "IABOT_AUTH_ISSUER",
        "IABOT_AUTH_JWKS_URL",
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_defaults),
        cmocka_unit_test(settings_reject_bad_values),
        cmocka_unit_test(settings_need_password),
    };
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        unsetenv(keys[i]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

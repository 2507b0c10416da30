/* Reading the OTP service's settings and rejecting unsafe ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "otp_settings.h"

static struct config *base_config(void)
{
    struct config *cfg = config_new();

    assert_non_null(cfg);
    config_set(cfg, "OTP_PORT", "29830");
    config_set(cfg, "PG_PORT", "29432");
    config_set(cfg, "OTP_HMAC_KEY", "hmac-key-0123456789abcdef-0123456789");
    config_set(cfg, "OTP_PROOF_KEY", "proof-key-0123456789abcdef-0123456789");
    config_set(cfg, "PG_PASSWORD_OTP", "pg'pass");
    config_set(cfg, "WHATSAPP_PORT", "29820");
    return cfg;
}

static void settings_defaults(void **state)
{
    struct config *cfg = base_config();
    struct otp_settings settings;

    (void)state;
    assert_int_equal(otp_settings_load(cfg, &settings, NULL), HITO_OK);
    assert_int_equal(settings.policy.purpose_count, 3);
    assert_string_equal(settings.policy.purposes[0].name, "phone_verification");
    assert_int_equal(settings.policy.purposes[0].digits, 6);
    assert_int_equal(settings.policy.purposes[0].ttl_seconds, 300);
    assert_int_equal(settings.policy.purposes[0].max_attempts, 5);
    assert_string_equal(settings.listen, "127.0.0.1:29830");
    assert_string_equal(settings.whatsapp_url, "http://127.0.0.1:29820");
    assert_non_null(strstr(settings.pg_conninfo, "dbname"));
    assert_non_null(strstr(settings.pg_conninfo, "29432"));
    otp_settings_clear(&settings);
    config_free(cfg);
}

static void settings_per_purpose_override(void **state)
{
    struct config *cfg = base_config();
    struct otp_settings settings;

    (void)state;
    config_set(cfg, "OTP_TTL_SECONDS", "240");
    config_set(cfg, "OTP_PAYMENT_CONFIRMATION_DIGITS", "8");
    assert_int_equal(otp_settings_load(cfg, &settings, NULL), HITO_OK);
    assert_int_equal(settings.policy.purposes[1].digits, 8);
    assert_int_equal(settings.policy.purposes[1].ttl_seconds, 240);
    assert_int_equal(settings.policy.purposes[0].digits, 6);
    config_free(cfg);
}

static void settings_reject_ttl_above_ceiling(void **state)
{
    struct config *cfg = base_config();
    struct otp_settings settings;
    struct hito_error err = { 0 };

    (void)state;
    config_set(cfg, "OTP_PHONE_VERIFICATION_TTL_SECONDS", "601");
    assert_int_equal(otp_settings_load(cfg, &settings, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "phone_verification"));
    assert_non_null(strstr(err.message, "600"));
    config_free(cfg);
}

static void settings_require_hmac_key(void **state)
{
    struct config *cfg = base_config();
    struct otp_settings settings;
    struct hito_error err = { 0 };

    (void)state;
    config_set(cfg, "OTP_HMAC_KEY", "");
    assert_int_equal(otp_settings_load(cfg, &settings, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "OTP_HMAC_KEY is missing"));
    config_free(cfg);
}

static void settings_reject_short_key_without_value(void **state)
{
    struct config *cfg = base_config();
    struct otp_settings settings;
    struct hito_error err = { 0 };

    (void)state;
    config_set(cfg, "OTP_PROOF_KEY", "tooshort-secret");
    assert_int_equal(otp_settings_load(cfg, &settings, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "OTP_PROOF_KEY"));
    assert_null(strstr(err.message, "tooshort-secret"));
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_defaults),
        cmocka_unit_test(settings_per_purpose_override),
        cmocka_unit_test(settings_reject_ttl_above_ceiling),
        cmocka_unit_test(settings_require_hmac_key),
        cmocka_unit_test(settings_reject_short_key_without_value),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

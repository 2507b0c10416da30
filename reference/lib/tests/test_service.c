/* Unit tests of service.c: settings, client options and the stop signal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hito/service.h"

/* Times the stop test sends SIGTERM, 20 ms apart, before it gives up. */
#define STOP_SIGNAL_TRIES 250

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/*
 * Creates a profile named svc_test (with run/svc_test/zitadel.env when
 * with_zitadel) in a new temporary working directory, runs
 * service_load_profile there with HITO_ENV=env, and returns its result.
 */
static int load_profile_in_temp_dir(int with_zitadel, const char *env,
                                    struct config *cfg)
{
    char old[PATH_MAX], dir[64], command[PATH_MAX + 16];
    int rc;

    assert_non_null(getcwd(old, sizeof(old)));
    snprintf(dir, sizeof(dir), "/tmp/hito-service-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(mkdir("stack", 0700), 0);
    assert_int_equal(mkdir("stack/settings", 0700), 0);
    write_file("stack/settings/svc_test.env", "OTP_PORT=12345\n");
    if (with_zitadel) {
        assert_int_equal(mkdir("run", 0700), 0);
        assert_int_equal(mkdir("run/svc_test", 0700), 0);
        write_file("run/svc_test/zitadel.env", "ZITADEL_PROJECT_ID=777\n");
    }
    setenv("HITO_ENV", env, 1);

    rc = service_load_profile(cfg, NULL);

    unsetenv("HITO_ENV");
    assert_int_equal(chdir(old), 0);
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
    return rc;
}

static void load_profile_reads_zitadel_env(void **state)
{
    struct config *cfg = config_new();

    (void)state;
    assert_int_equal(load_profile_in_temp_dir(1, "svc_test", cfg), HITO_OK);
    assert_string_equal(config_get(cfg, "OTP_PORT"), "12345");
    assert_string_equal(config_get(cfg, "ZITADEL_PROJECT_ID"), "777");
    config_free(cfg);
}

static void load_profile_without_zitadel_env(void **state)
{
    struct config *cfg = config_new();

    (void)state;
    assert_int_equal(load_profile_in_temp_dir(0, "svc_test", cfg), HITO_OK);
    assert_string_equal(config_get(cfg, "OTP_PORT"), "12345");
    assert_null(config_get(cfg, "ZITADEL_PROJECT_ID"));
    config_free(cfg);
}

static void load_profile_missing_is_not_found(void **state)
{
    struct config *cfg = config_new();

    (void)state;
    assert_int_equal(load_profile_in_temp_dir(1, "svc_absent", cfg),
                     HITO_ERR_NOT_FOUND);
    config_free(cfg);
}

static void listen_address_uses_host_and_port(void **state)
{
    struct config *cfg = config_new();
    char out[SERVICE_LISTEN_MAX];

    (void)state;
    assert_int_equal(config_set(cfg, "OTP_PORT", "22830"), HITO_OK);
    assert_int_equal(service_listen_address(cfg, "OTP_PORT", out, sizeof(out),
                                            NULL),
                     HITO_OK);
    assert_string_equal(out, "127.0.0.1:22830");
    assert_int_equal(config_set(cfg, "HITO_HOST", "::1"), HITO_OK);
    assert_int_equal(service_listen_address(cfg, "MISSING_PORT", out,
                                            sizeof(out), NULL),
                     HITO_OK);
    assert_string_equal(out, "::1:0");
    config_free(cfg);
}

static void listen_address_rejects_bad_port(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    char out[SERVICE_LISTEN_MAX];

    (void)state;
    assert_int_equal(config_set(cfg, "OTP_PORT", "70000"), HITO_OK);
    assert_int_equal(service_listen_address(cfg, "OTP_PORT", out, sizeof(out),
                                            &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "OTP_PORT"));
    config_free(cfg);
}

static void listen_address_rejects_small_buffer(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    char out[8];

    (void)state;
    assert_int_equal(config_set(cfg, "OTP_PORT", "22830"), HITO_OK);
    assert_int_equal(service_listen_address(cfg, "OTP_PORT", out, sizeof(out),
                                            &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "HITO_HOST"));
    config_free(cfg);
}

static void pg_conninfo_names_database_and_role(void **state)
{
    struct config *cfg = config_new();
    char out[512];

    (void)state;
    assert_int_equal(config_set(cfg, "PG_PORT", "22432"), HITO_OK);
    assert_int_equal(config_set(cfg, "PG_PASSWORD_OTP", "s3cret"), HITO_OK);
    assert_int_equal(service_pg_conninfo(cfg, "otp", out, sizeof(out), NULL),
                     HITO_OK);
    assert_non_null(strstr(out, "dbname='otp'"));
    assert_non_null(strstr(out, "user='otp'"));
    assert_non_null(strstr(out, "password='s3cret'"));
    assert_non_null(strstr(out, "port='22432'"));
    assert_non_null(strstr(out, "host='127.0.0.1'"));
    config_free(cfg);
}

static void pg_conninfo_needs_password(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    char out[512];

    (void)state;
    assert_int_equal(service_pg_conninfo(cfg, "iabot", out, sizeof(out), &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "PG_PASSWORD_IABOT"));
    config_free(cfg);
}

static void pg_conninfo_rejects_long_password(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    char out[64];

    (void)state;
    assert_int_equal(config_set(cfg, "PG_PASSWORD_OTP", "0123456789abcdef"),
                     HITO_OK);
    assert_int_equal(service_pg_conninfo(cfg, "otp", out, sizeof(out), &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "PG_PASSWORD_OTP is too long"));
    assert_null(strstr(err.message, "0123456789abcdef"));
    config_free(cfg);
}

static void redis_options_read_settings(void **state)
{
    struct config *cfg = config_new();
    struct redisc_options opts;

    (void)state;
    assert_int_equal(service_redis_options(cfg, &opts, NULL), HITO_OK);
    assert_string_equal(opts.host, "127.0.0.1");
    assert_int_equal(opts.port, 6379);
    assert_string_equal(opts.password, "");
    assert_int_equal(config_set(cfg, "REDIS_PORT", "22379"), HITO_OK);
    assert_int_equal(config_set(cfg, "REDIS_PASSWORD", "pw"), HITO_OK);
    assert_int_equal(service_redis_options(cfg, &opts, NULL), HITO_OK);
    assert_int_equal(opts.port, 22379);
    assert_string_equal(opts.password, "pw");
    assert_int_equal(config_set(cfg, "REDIS_PORT", "0"), HITO_OK);
    assert_int_equal(service_redis_options(cfg, &opts, NULL),
                     HITO_ERR_INVALID);
    config_free(cfg);
}

static void mq_options_need_credentials(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct mq_options opts;

    (void)state;
    assert_int_equal(service_mq_options(cfg, "otp", &opts, &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "AMQP_USER"));
    assert_int_equal(config_set(cfg, "AMQP_USER", "hito"), HITO_OK);
    assert_int_equal(service_mq_options(cfg, "otp", &opts, &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "AMQP_PASSWORD"));
    config_free(cfg);
}

static void mq_options_read_settings(void **state)
{
    struct config *cfg = config_new();
    struct mq_options opts;

    (void)state;
    assert_int_equal(config_set(cfg, "AMQP_USER", "hito"), HITO_OK);
    assert_int_equal(config_set(cfg, "AMQP_PASSWORD", "pw"), HITO_OK);
    assert_int_equal(config_set(cfg, "AMQP_PORT", "22672"), HITO_OK);
    assert_int_equal(service_mq_options(cfg, "whatsapp", &opts, NULL),
                     HITO_OK);
    assert_string_equal(opts.host, "127.0.0.1");
    assert_int_equal(opts.port, 22672);
    assert_string_equal(opts.user, "hito");
    assert_string_equal(opts.password, "pw");
    assert_string_equal(opts.vhost, "/");
    assert_string_equal(opts.name, "whatsapp");
    config_free(cfg);
}

static void setting_copy_uses_fallback(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    char out[8];

    (void)state;
    assert_int_equal(service_setting_copy(cfg, "LLM_MODEL", "intent", out,
                                          sizeof(out), NULL),
                     HITO_OK);
    assert_string_equal(out, "intent");
    assert_int_equal(config_set(cfg, "LLM_MODEL", "m1"), HITO_OK);
    assert_int_equal(service_setting_copy(cfg, "LLM_MODEL", "intent", out,
                                          sizeof(out), NULL),
                     HITO_OK);
    assert_string_equal(out, "m1");
    assert_int_equal(config_set(cfg, "LLM_MODEL", "a-long-model"), HITO_OK);
    assert_int_equal(service_setting_copy(cfg, "LLM_MODEL", "intent", out,
                                          sizeof(out), &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "LLM_MODEL"));
    assert_null(strstr(err.message, "a-long-model"));
    config_free(cfg);
}

static void setting_copy_null_fallback_requires(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    char out[8];

    (void)state;
    assert_int_equal(service_setting_copy(cfg, "LLM_MODEL", NULL, out,
                                          sizeof(out), &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "LLM_MODEL is missing"));
    assert_int_equal(config_set(cfg, "LLM_MODEL", "m1"), HITO_OK);
    assert_int_equal(service_setting_copy(cfg, "LLM_MODEL", NULL, out,
                                          sizeof(out), &err),
                     HITO_OK);
    assert_string_equal(out, "m1");
    config_free(cfg);
}

static void peer_url_prefers_url_setting(void **state)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    char out[64];

    (void)state;
    assert_int_equal(service_peer_url(cfg, "OTP_URL", "OTP_PORT", out,
                                      sizeof(out), &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "OTP_URL and OTP_PORT"));
    assert_int_equal(config_set(cfg, "OTP_PORT", "22830"), HITO_OK);
    assert_int_equal(service_peer_url(cfg, "OTP_URL", "OTP_PORT", out,
                                      sizeof(out), NULL),
                     HITO_OK);
    assert_string_equal(out, "http://127.0.0.1:22830");
    assert_int_equal(config_set(cfg, "OTP_URL", "http://otp.test"), HITO_OK);
    assert_int_equal(service_peer_url(cfg, "OTP_URL", "OTP_PORT", out,
                                      sizeof(out), NULL),
                     HITO_OK);
    assert_string_equal(out, "http://otp.test");
    config_free(cfg);
}

static void migrations_dir_under_root(void **state)
{
    struct config *cfg = config_new();
    char out[64];

    (void)state;
    assert_int_equal(service_migrations_dir(cfg, "otp", out, sizeof(out),
                                            NULL),
                     HITO_OK);
    assert_string_equal(out, "./reference/services/otp/migrations");
    assert_int_equal(config_set(cfg, "HITO_ROOT", "/repo"), HITO_OK);
    assert_int_equal(service_migrations_dir(cfg, "iabot", out, sizeof(out),
                                            NULL),
                     HITO_OK);
    assert_string_equal(out, "/repo/reference/services/iabot/migrations");
    assert_int_equal(service_migrations_dir(cfg, "iabot", out, 16, NULL),
                     HITO_ERR_INVALID);
    config_free(cfg);
}

static volatile int stop_returned;

static void ignore_signal(int sig)
{
    (void)sig;
}

/* Sends SIGTERM to the main thread until service_wait_for_stop returns. */
static void *send_stop(void *arg)
{
    pthread_t main_thread = *(pthread_t *)arg;

    for (int i = 0; i < STOP_SIGNAL_TRIES && !stop_returned; i++) {
        pthread_kill(main_thread, SIGTERM);
        usleep(20000);
    }
    return NULL;
}

static void wait_for_stop_returns_signal(void **state)
{
    pthread_t main_thread = pthread_self();
    pthread_t sender;
    int sig;

    (void)state;
    /* A signal sent before service_wait_for_stop installs its handler must
     * not end the test program. */
    signal(SIGTERM, ignore_signal);
    assert_int_equal(pthread_create(&sender, NULL, send_stop, &main_thread),
                     0);
    sig = service_wait_for_stop();
    stop_returned = 1;
    pthread_join(sender, NULL);
    assert_int_equal(sig, SIGTERM);
}

int main(void)
{
    /* The environment overrides a configuration; these tests read only their
     * own. */
    static const char *const keys[] = {
        "HITO_HOST",      "OTP_PORT",       "PG_PORT",
        "PG_PASSWORD_OTP", "PG_PASSWORD_IABOT", "REDIS_PORT",
        "REDIS_PASSWORD", "AMQP_PORT",      "AMQP_USER",
        "AMQP_PASSWORD",  "AMQP_VHOST",     "ZITADEL_PROJECT_ID",
        "MISSING_PORT",   "LLM_MODEL",      "OTP_URL",
        "HITO_ROOT",
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_profile_reads_zitadel_env),
        cmocka_unit_test(load_profile_without_zitadel_env),
        cmocka_unit_test(load_profile_missing_is_not_found),
        cmocka_unit_test(listen_address_uses_host_and_port),
        cmocka_unit_test(listen_address_rejects_bad_port),
        cmocka_unit_test(listen_address_rejects_small_buffer),
        cmocka_unit_test(pg_conninfo_names_database_and_role),
        cmocka_unit_test(pg_conninfo_needs_password),
        cmocka_unit_test(pg_conninfo_rejects_long_password),
        cmocka_unit_test(redis_options_read_settings),
        cmocka_unit_test(mq_options_need_credentials),
        cmocka_unit_test(mq_options_read_settings),
        cmocka_unit_test(setting_copy_uses_fallback),
        cmocka_unit_test(setting_copy_null_fallback_requires),
        cmocka_unit_test(peer_url_prefers_url_setting),
        cmocka_unit_test(migrations_dir_under_root),
        cmocka_unit_test(wait_for_stop_returns_signal),
    };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        unsetenv(keys[i]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

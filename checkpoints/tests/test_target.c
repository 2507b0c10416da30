#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "runner/redact.h"
#include "runner/target.h"

struct fixture {
    char root[64];
};

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char dir[256];

    snprintf(fx->root, sizeof(fx->root), "/tmp/hito-target-test-XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    snprintf(dir, sizeof(dir), "%s/stack", fx->root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof(dir), "%s/stack/settings", fx->root);
    mkdir(dir, 0755);
    write_text(dir, "unit.env",
               "# unit profile\nHITO_HOST=127.0.0.1\nUNIT_PG_PORT=1\n"
               "UNIT_SHARED=from-settings\n");
    snprintf(dir, sizeof(dir), "%s/run", fx->root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof(dir), "%s/run/unit", fx->root);
    mkdir(dir, 0755);
    write_text(dir, "secrets.env",
               "UNIT_PASSWORD=pw-0123456789\nUNIT_AMQP_USER=userish\n");
    write_text(dir, "zitadel.env",
               "UNIT_CLIENT_ID=client-id-1\nUNIT_CLIENT_SECRET=cs-abcdefgh\n"
               "UNIT_SHARED=from-output\n");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char command[128];

    snprintf(command, sizeof(command), "rm -rf '%s'", fx->root);
    free(fx);
    return system(command) == 0 ? 0 : -1;
}

static void target_local_loads_every_file(void **state)
{
    struct fixture *fx = *state;
    struct hito_error err = { 0 };
    struct target *t = NULL;

    assert_int_equal(target_load("local", fx->root, "unit", &t, &err), 0);
    assert_string_equal(t->name, "local-unit");
    assert_int_equal(t->kind, TARGET_LOCAL);
    assert_int_equal(t->file_count, 3);
    assert_string_equal(target_get(t, "UNIT_PG_PORT"), "1");
    assert_string_equal(target_get(t, "UNIT_PASSWORD"), "pw-0123456789");
    assert_string_equal(target_get(t, "UNIT_CLIENT_ID"), "client-id-1");
    assert_string_equal(target_get(t, "UNIT_SHARED"), "from-output");
    assert_int_equal(t->key_count, 7);
    target_free(t);
}

static void target_secrets_are_redacted(void **state)
{
    struct fixture *fx = *state;
    struct hito_error err = { 0 };
    struct target *t = NULL;
    char *out;

    assert_int_equal(target_load("local", fx->root, "unit", &t, &err), 0);
    /* The password, the client secret; not the user name or the client id. */
    assert_int_equal(redactor_secret_count(t->redactor), 2);
    out = redactor_apply(t->redactor,
                         "pw-0123456789 cs-abcdefgh userish client-id-1");
    assert_string_equal(out, "[REDACTED] [REDACTED] userish client-id-1");
    free(out);
    target_free(t);
}

static void target_local_needs_secrets(void **state)
{
    struct fixture *fx = *state;
    struct hito_error err = { 0 };
    struct target *t = NULL;
    char path[256];

    snprintf(path, sizeof(path), "%s/stack/settings", fx->root);
    write_text(path, "bare.env", "HITO_HOST=127.0.0.1\n");
    assert_int_equal(target_load("local", fx->root, "bare", &t, &err),
                     HITO_ERR_NOT_FOUND);
    assert_null(t);
    assert_non_null(strstr(err.message, "run/bare/secrets.env"));
    assert_non_null(strstr(err.message, "make up"));
}

static void target_rejects_bad_env(void **state)
{
    struct fixture *fx = *state;
    struct hito_error err = { 0 };
    struct target *t = NULL;

    assert_int_equal(target_load("local", fx->root, "../etc", &t, &err),
                     HITO_ERR_INVALID);
    assert_null(t);
    assert_non_null(strstr(err.message, "HITO_ENV"));
}

static void target_file_with_secrets_file(void **state)
{
    struct fixture *fx = *state;
    struct hito_error err = { 0 };
    struct target *t = NULL;
    char path[256];

    write_text(fx->root, "staging.env",
               "HITO_HOST=staging.example\nSECRETS_FILE=staging.secrets\n");
    write_text(fx->root, "staging.secrets", "REDIS_PASSWORD=redis-pw-123456\n");
    snprintf(path, sizeof(path), "%s/staging.env", fx->root);
    assert_int_equal(target_load(path, fx->root, "unit", &t, &err), 0);
    assert_int_equal(t->kind, TARGET_FILE);
    assert_string_equal(t->name, "staging");
    assert_string_equal(target_get(t, "REDIS_PASSWORD"), "redis-pw-123456");
    assert_int_equal(redactor_secret_count(t->redactor), 1);
    target_free(t);
}

static void target_missing_file(void **state)
{
    struct fixture *fx = *state;
    struct hito_error err = { 0 };
    struct target *t = NULL;

    (void)fx;
    assert_int_equal(target_load("/nonexistent/x.env", "/", "unit", &t, &err),
                     HITO_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "/nonexistent/x.env"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(target_local_loads_every_file),
        cmocka_unit_test(target_secrets_are_redacted),
        cmocka_unit_test(target_local_needs_secrets),
        cmocka_unit_test(target_rejects_bad_env),
        cmocka_unit_test(target_file_with_secrets_file),
        cmocka_unit_test(target_missing_file),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

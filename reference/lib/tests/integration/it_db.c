/* Integration tests of db.c and db_migrate.c against the stack's PostgreSQL. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hito/db.h"
#include "hito/log.h"
#include "it_settings.h"

#define PATH_LEN 256
#define POOL_TIMEOUT_MS 300

static char conninfo[DB_CONNINFO_MAX];
static char migrations_dir[PATH_LEN];

static void write_file(const char *name, const char *text)
{
    char path[PATH_LEN * 2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", migrations_dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void exec_ok(struct db_pool *pool, const char *sql)
{
    struct hito_error err = {0, ""};
    PGconn *conn = NULL;

    assert_int_equal(db_acquire(pool, 0, &conn, &err), HITO_OK);
    if (db_exec(conn, sql, 0, NULL, NULL, &err) != HITO_OK)
        fail_msg("%s: %s", sql, err.message);
    db_release(pool, conn);
}

static long count_rows(struct db_pool *pool, const char *sql)
{
    struct hito_error err = {0, ""};
    PGconn *conn = NULL;
    PGresult *res = NULL;
    long n;

    assert_int_equal(db_acquire(pool, 0, &conn, &err), HITO_OK);
    assert_int_equal(db_exec(conn, sql, 0, NULL, &res, &err), HITO_OK);
    n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    db_release(pool, conn);
    return n;
}

static int setup(void **state)
{
    struct config *cfg = it_settings_load();
    struct hito_error err = {0, ""};
    struct db_pool *pool;

    log_init("it-db", LOG_LEVEL_WARN, NULL);
    db_conninfo(conninfo, sizeof(conninfo), it_setting(cfg, "HITO_HOST"), it_setting_int(cfg,
                "PG_PORT", 1, 65535), "hito_it", "hito_it",
                it_setting(cfg, "PG_PASSWORD_HITO_IT"));
    config_free(cfg);
    snprintf(migrations_dir, sizeof(migrations_dir), "/tmp/hito-it-db-%d", (int)getpid());
    mkdir(migrations_dir, 0700);
    pool = db_pool_new(conninfo, 2, &err);
    if (pool == NULL) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    exec_ok(pool, "DROP TABLE IF EXISTS schema_migrations, it_items, it_notes");
    *state = pool;
    return 0;
}

static int teardown(void **state)
{
    char command[PATH_LEN * 2];

    db_pool_free(*state);
    snprintf(command, sizeof(command), "rm -rf '%s'", migrations_dir);
    return system(command) == 0 ? 0 : -1;
}

static void migrate_applies_once(void **state)
{
    struct db_pool *pool = *state;
    struct hito_error err = {0, ""};

    write_file("0001_create_items.sql",
               "CREATE TABLE it_items (id serial PRIMARY KEY, name text UNIQUE NOT NULL);\n"
               "INSERT INTO it_items (name) VALUES ('first');\n");
    write_file("0002_create_notes.sql", "CREATE TABLE it_notes (body text);\n");
    write_file("README.txt", "not a migration\n");
    if (db_migrate(pool, migrations_dir, &err) != HITO_OK)
        fail_msg("%s", err.message);
    assert_int_equal(count_rows(pool, "SELECT count(*) FROM schema_migrations"), 2);
    assert_int_equal(count_rows(pool, "SELECT count(*) FROM it_items"), 1);
    assert_int_equal(db_migrate(pool, migrations_dir, &err), HITO_OK);
    assert_int_equal(count_rows(pool, "SELECT count(*) FROM it_items"), 1);
    assert_int_equal(count_rows(pool, "SELECT count(*) FROM schema_migrations"
                                      " WHERE name = '0002_create_notes.sql'"
                                      " AND length(checksum) = 64"), 1);
}

static void migrate_rejects_changed_checksum(void **state)
{
    struct db_pool *pool = *state;
    struct hito_error err = {0, ""};

    write_file("0002_create_notes.sql", "CREATE TABLE it_notes (body text, extra int);\n");
    assert_int_equal(db_migrate(pool, migrations_dir, &err), HITO_ERR_CONFLICT);
    assert_non_null(strstr(err.message, "0002_create_notes.sql"));
    assert_non_null(strstr(err.message, "checksum changed"));
    write_file("0002_create_notes.sql", "CREATE TABLE it_notes (body text);\n");
    assert_int_equal(db_migrate(pool, migrations_dir, &err), HITO_OK);
}

static void migrate_failure_rolls_back(void **state)
{
    struct db_pool *pool = *state;
    struct hito_error err = {0, ""};

    write_file("0003_broken.sql", "INSERT INTO it_items (name) VALUES ('half');\n"
                                  "SELECT * FROM no_such_table;\n");
    assert_int_equal(db_migrate(pool, migrations_dir, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "0003_broken.sql"));
    assert_non_null(strstr(err.message, "no_such_table"));
    assert_int_equal(count_rows(pool, "SELECT count(*) FROM it_items WHERE name = 'half'"), 0);
    assert_int_equal(count_rows(pool, "SELECT count(*) FROM schema_migrations"), 2);
    write_file("0003_broken.sql", "SELECT 1;\n");
    assert_int_equal(db_migrate(pool, migrations_dir, &err), HITO_OK);
}

static void migrate_rejects_misnamed_file(void **state)
{
    struct db_pool *pool = *state;
    struct hito_error err = {0, ""};
    char path[PATH_LEN * 2];

    write_file("4_short.sql", "SELECT 1;\n");
    assert_int_equal(db_migrate(pool, migrations_dir, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "4_short.sql"));
    snprintf(path, sizeof(path), "%s/4_short.sql", migrations_dir);
    unlink(path);
}

static void *migrate_thread(void *arg)
{
    struct hito_error err = {0, ""};
    struct db_pool *pool = db_pool_new(conninfo, 1, &err);
    int *rc = arg;

    *rc = pool ? db_migrate(pool, migrations_dir, &err) : err.code;
    if (*rc != HITO_OK)
        fprintf(stderr, "concurrent migrate: %s\n", err.message);
    db_pool_free(pool);
    return NULL;
}

static void migrate_concurrent_instances(void **state)
{
    struct db_pool *pool = *state;
    pthread_t threads[3];
    int results[3];
    int i;

    write_file("0004_concurrent.sql", "INSERT INTO it_items (name) VALUES ('once');\n");
    for (i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, migrate_thread, &results[i]);
    for (i = 0; i < 3; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(results[i], HITO_OK);
    }
    assert_int_equal(count_rows(pool, "SELECT count(*) FROM it_items WHERE name = 'once'"), 1);
}

static void exec_params_and_conflict(void **state)
{
    struct db_pool *pool = *state;
    struct hito_error err = {0, ""};
    const char *params[1] = {"it's \"quoted\""};
    PGconn *conn = NULL;
    PGresult *res = NULL;

    assert_int_equal(db_acquire(pool, 0, &conn, &err), HITO_OK);
    assert_int_equal(db_exec(conn, "INSERT INTO it_items (name) VALUES ($1)", 1, params, NULL,
                             &err), HITO_OK);
    assert_int_equal(db_exec(conn, "INSERT INTO it_items (name) VALUES ($1)", 1, params, NULL,
                             &err), HITO_ERR_CONFLICT);
    assert_non_null(strstr(err.message, "23505"));
    assert_int_equal(db_exec(conn, "SELECT name FROM it_items WHERE name = $1", 1, params, &res,
                             &err), HITO_OK);
    assert_int_equal(PQntuples(res), 1);
    assert_string_equal(PQgetvalue(res, 0, 0), params[0]);
    PQclear(res);
    db_release(pool, conn);
}

static void pool_exec_releases_connection(void **state)
{
    struct db_pool *pool = *state;
    struct hito_error err = {0, ""};
    const char *params[1] = {"41"};
    PGconn *first = NULL;
    PGconn *second = NULL;
    PGresult *res = NULL;

    /* More statements than the pool has connections: each must return its own. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(db_pool_exec(pool, 0, "SELECT $1::int + 1", 1, params, &res, &err),
                         HITO_OK);
        assert_string_equal(PQgetvalue(res, 0, 0), "42");
        PQclear(res);
    }
    assert_int_equal(db_pool_exec(pool, 0, "SELECT no_such_column", 0, NULL, NULL, &err),
                     HITO_ERR_INVALID);
    assert_int_equal(db_acquire(pool, 0, &first, &err), HITO_OK);
    assert_int_equal(db_acquire(pool, 0, &second, &err), HITO_OK);
    assert_int_equal(db_pool_exec(pool, POOL_TIMEOUT_MS, "SELECT 1", 0, NULL, NULL, &err),
                     HITO_ERR_TIMEOUT);
    db_release(pool, second);
    db_release(pool, first);
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1000.0
           + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void pool_exhaustion_times_out(void **state)
{
    struct db_pool *pool = *state;
    struct hito_error err = {0, ""};
    PGconn *first = NULL;
    PGconn *second = NULL;
    PGconn *third = NULL;
    struct timespec start;

    assert_int_equal(db_acquire(pool, 0, &first, &err), HITO_OK);
    assert_int_equal(db_acquire(pool, 0, &second, &err), HITO_OK);
    assert_ptr_not_equal(first, second);
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(db_acquire(pool, POOL_TIMEOUT_MS, &third, &err), HITO_ERR_TIMEOUT);
    assert_true(elapsed_ms(&start) >= POOL_TIMEOUT_MS - 1);
    assert_non_null(strstr(err.message, "no free database connection"));
    db_release(pool, second);
    assert_int_equal(db_acquire(pool, POOL_TIMEOUT_MS, &third, &err), HITO_OK);
    assert_ptr_equal(third, second);
    db_release(pool, third);
    db_release(pool, first);
}

static void broken_connection_replaced(void **state)
{
    struct hito_error err = {0, ""};
    struct db_pool *single = db_pool_new(conninfo, 1, &err);
    struct db_pool *pool = *state;
    PGconn *conn = NULL;
    PGresult *res = NULL;
    const char *params[1];
    char pid[16];

    (void)pool;
    assert_non_null(single);
    assert_int_equal(db_acquire(single, 0, &conn, &err), HITO_OK);
    snprintf(pid, sizeof(pid), "%d", PQbackendPID(conn));
    db_release(single, conn);
    params[0] = pid;
    exec_ok(pool, "SELECT 1");
    assert_int_equal(db_acquire(pool, 0, &conn, &err), HITO_OK);
    assert_int_equal(db_exec(conn, "SELECT pg_terminate_backend($1::int)", 1, params, NULL, &err),
                     HITO_OK);
    db_release(pool, conn);
    usleep(100000);
    assert_int_equal(db_acquire(single, 0, &conn, &err), HITO_OK);
    assert_int_equal(db_exec(conn, "SELECT 1", 0, NULL, &res, &err), HITO_OK);
    assert_int_not_equal(PQbackendPID(conn), atoi(pid));
    PQclear(res);
    db_release(single, conn);
    db_pool_free(single);
}

#define CONTENDERS 6
#define ROUNDS 30

static void *contend(void *arg)
{
    struct db_pool *pool = arg;
    struct hito_error err = {0, ""};
    PGconn *conn = NULL;
    long failures = 0;
    int i;

    for (i = 0; i < ROUNDS; i++) {
        if (db_acquire(pool, 5000, &conn, &err) != HITO_OK) {
            failures++;
            continue;
        }
        if (db_exec(conn, "SELECT pg_sleep(0.001)", 0, NULL, NULL, &err) != HITO_OK)
            failures++;
        db_release(pool, conn);
    }
    return (void *)failures;
}

static void pool_shared_by_threads(void **state)
{
    struct db_pool *pool = *state;
    pthread_t threads[CONTENDERS];
    void *failures;
    int i;

    for (i = 0; i < CONTENDERS; i++)
        pthread_create(&threads[i], NULL, contend, pool);
    for (i = 0; i < CONTENDERS; i++) {
        pthread_join(threads[i], &failures);
        assert_int_equal((long)failures, 0);
    }
}

static void wrong_password_is_auth_error(void **state)
{
    struct hito_error err = {0, ""};
    struct config *cfg = it_settings_load();
    char bad[DB_CONNINFO_MAX];
    struct db_pool *pool;

    (void)state;
    db_conninfo(bad, sizeof(bad), it_setting(cfg, "HITO_HOST"),
                it_setting_int(cfg, "PG_PORT", 1, 65535), "hito_it", "hito_it", "wrong");
    config_free(cfg);
    pool = db_pool_new(bad, 1, &err);
    assert_null(pool);
    assert_int_equal(err.code, HITO_ERR_AUTH);
    assert_null(strstr(err.message, "wrong"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrate_applies_once),
        cmocka_unit_test(migrate_rejects_changed_checksum),
        cmocka_unit_test(migrate_failure_rolls_back),
        cmocka_unit_test(migrate_rejects_misnamed_file),
        cmocka_unit_test(migrate_concurrent_instances),
        cmocka_unit_test(exec_params_and_conflict),
        cmocka_unit_test(pool_exec_releases_connection),
        cmocka_unit_test(pool_exhaustion_times_out),
        cmocka_unit_test(broken_connection_replaced),
        cmocka_unit_test(pool_shared_by_threads),
        cmocka_unit_test(wrong_password_is_auth_error),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

/* db_migrate.c - ordered, checksummed schema migrations under an advisory lock. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/db.h"
#include "hito/log.h"

#define CHECKSUM_HEX_LEN 64
#define VERSION_DIGITS 4

struct migration {
    int version;
    char *name;                      /* file name, e.g. 0001_create_users.sql */
    char checksum[CHECKSUM_HEX_LEN + 1];
    char *sql;
};

struct migration_list {
    struct migration *items;
    size_t count;
};

static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static void list_free(struct migration_list *list)
{
    size_t i;

    for (i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].sql);
    }
    free(list->items);
}

/* Returns 1 for NNNN_description.sql with a description of [A-Za-z0-9_-]. */
static int is_migration_name(const char *name)
{
    size_t len = strlen(name);
    size_t i;

    if (len <= VERSION_DIGITS + 1 + 4 || strcmp(name + len - 4, ".sql") != 0)
        return 0;
    for (i = 0; i < VERSION_DIGITS; i++) {
        if (!isdigit((unsigned char)name[i]))
            return 0;
    }
    if (name[VERSION_DIGITS] != '_')
        return 0;
    for (i = VERSION_DIGITS + 1; i < len - 4; i++) {
        if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
            return 0;
    }
    return 1;
}

static void sha256_hex(const char *data, size_t len, char *out)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    unsigned int i;

    EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL);
    for (i = 0; i < digest_len; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* Reads dir/name into m, with its checksum. */
static int read_migration(const char *dir, const char *name, struct migration *m,
                          struct hito_error *err)
{
    char path[1024];
    FILE *f;
    size_t len;
    int rc = HITO_OK;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return hito_error_set(err, HITO_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    m->sql = malloc(DB_MIGRATION_MAX_BYTES + 1);
    m->name = strdup(name);
    if (m->sql == NULL || m->name == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "%s: out of memory", path);
        goto out;
    }
    len = fread(m->sql, 1, DB_MIGRATION_MAX_BYTES + 1, f);
    if (ferror(f)) {
        rc = hito_error_set(err, HITO_ERR_IO, "%s: read failed", path);
        goto out;
    }
    if (len > DB_MIGRATION_MAX_BYTES) {
        rc = hito_error_set(err, HITO_ERR_LIMIT, "%s: larger than %d bytes", path,
                            DB_MIGRATION_MAX_BYTES);
        goto out;
    }
    m->sql[len] = '\0';
    if (strlen(m->sql) != len) {
        rc = hito_error_set(err, HITO_ERR_INVALID, "%s: contains a NUL byte", path);
        goto out;
    }
    m->version = atoi(name);
    sha256_hex(m->sql, len, m->checksum);
out:
    fclose(f);
    return rc;
}

static int compare_versions(const void *a, const void *b)
{
    const struct migration *ma = a;
    const struct migration *mb = b;

    return (ma->version > mb->version) - (ma->version < mb->version);
}

/* Loads the migrations of dir sorted by version; other *.sql names are errors. */
static int load_migrations(const char *dir, struct migration_list *list, struct hito_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *entry;
    size_t i;
    int rc = HITO_OK;

    if (d == NULL)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "%s: cannot open folder: %s", dir,
                              strerror(errno));
    list->items = calloc(DB_MIGRATION_MAX_FILES, sizeof(*list->items));
    if (list->items == NULL) {
        closedir(d);
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory for migrations");
    }
    while (rc == HITO_OK && (entry = readdir(d)) != NULL) {
        size_t len = strlen(entry->d_name);

        if (len < 4 || strcmp(entry->d_name + len - 4, ".sql") != 0)
            continue;
        if (!is_migration_name(entry->d_name))
            rc = hito_error_set(err, HITO_ERR_INVALID,
                                "%s/%s: migration names must be NNNN_description.sql", dir,
                                entry->d_name);
        else if (list->count == DB_MIGRATION_MAX_FILES)
            rc = hito_error_set(err, HITO_ERR_LIMIT, "%s: more than %d migrations", dir,
                                DB_MIGRATION_MAX_FILES);
        else
            rc = read_migration(dir, entry->d_name, &list->items[list->count++], err);
    }
    closedir(d);
    if (rc != HITO_OK)
        return rc;
    qsort(list->items, list->count, sizeof(*list->items), compare_versions);
    for (i = 1; i < list->count; i++) {
        if (list->items[i].version == list->items[i - 1].version)
            return hito_error_set(err, HITO_ERR_INVALID, "%s: %s and %s share version %d", dir,
                                  list->items[i - 1].name, list->items[i].name,
                                  list->items[i].version);
    }
    return HITO_OK;
}

/* Runs one migration and its bookkeeping row in one transaction. */
static int apply(PGconn *conn, const struct migration *m, struct hito_error *err)
{
    char version[16];
    const char *params[3];
    PGresult *res;
    int rc;

    rc = db_exec(conn, "BEGIN", 0, NULL, NULL, err);
    if (rc != HITO_OK)
        return rc;
    res = PQexec(conn, m->sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *message = PQresultErrorMessage(res);

        rc = hito_error_set(err, HITO_ERR_INVALID, "%s: %.*s", m->name,
                            (int)strcspn(message, "\n"), message);
        PQclear(res);
        PQclear(PQexec(conn, "ROLLBACK"));
        return rc;
    }
    PQclear(res);
    snprintf(version, sizeof(version), "%d", m->version);
    params[0] = version;
    params[1] = m->name;
    params[2] = m->checksum;
    rc = db_exec(conn, "INSERT INTO schema_migrations (version, name, checksum)"
                       " VALUES ($1, $2, $3)", 3, params, NULL, err);
    if (rc == HITO_OK)
        rc = db_exec(conn, "COMMIT", 0, NULL, NULL, err);
    if (rc != HITO_OK) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return rc;
    }
    LOG_INFO("migration applied", "name", m->name, "checksum", m->checksum);
    return HITO_OK;
}

/* Applies every migration of list not yet in schema_migrations, checking the others. */
static int apply_pending(PGconn *conn, const struct migration_list *list,
                         struct hito_error *err)
{
    PGresult *applied = NULL;
    size_t i;
    int rc;

    for (i = 0; i < list->count; i++) {
        const struct migration *m = &list->items[i];
        char version[16];
        const char *params[1] = {version};

        snprintf(version, sizeof(version), "%d", m->version);
        rc = db_exec(conn, "SELECT name, checksum FROM schema_migrations WHERE version = $1", 1,
                     params, &applied, err);
        if (rc != HITO_OK)
            return rc;
        if (PQntuples(applied) == 0) {
            PQclear(applied);
            rc = apply(conn, m, err);
            if (rc != HITO_OK)
                return rc;
            continue;
        }
        if (strcmp(PQgetvalue(applied, 0, 1), m->checksum) != 0) {
            rc = hito_error_set(err, HITO_ERR_CONFLICT,
                                "%s: checksum changed since it was applied as %s (was %.12s, "
                                "now %.12s); add a new migration instead of editing it",
                                m->name, PQgetvalue(applied, 0, 0), PQgetvalue(applied, 0, 1),
                                m->checksum);
            PQclear(applied);
            return rc;
        }
        PQclear(applied);
    }
    return HITO_OK;
}

int db_migrate(struct db_pool *pool, const char *dir, struct hito_error *err)
{
    struct migration_list list = {NULL, 0};
    char lock_key[32];
    const char *params[1] = {lock_key};
    PGconn *conn = NULL;
    int locked = 0;
    int rc;

    snprintf(lock_key, sizeof(lock_key), "%ld", (long)DB_MIGRATION_LOCK_KEY);

    rc = load_migrations(dir, &list, err);
    if (rc != HITO_OK)
        goto out;
    rc = db_acquire(pool, 0, &conn, err);
    if (rc != HITO_OK)
        goto out;
    /* A session lock: it outlives the per-file transactions and ends with the session. */
    rc = db_exec(conn, "SELECT pg_advisory_lock($1::bigint)", 1, params, NULL, err);
    if (rc != HITO_OK)
        goto out;
    locked = 1;
    rc = db_exec(conn, create_table_sql, 0, NULL, NULL, err);
    if (rc == HITO_OK)
        rc = apply_pending(conn, &list, err);
out:
    if (locked)
        db_exec(conn, "SELECT pg_advisory_unlock($1::bigint)", 1, params, NULL, NULL);
    if (conn != NULL)
        db_release(pool, conn);
    list_free(&list);
    return rc;
}

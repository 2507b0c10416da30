/*
 * db.h - PostgreSQL access on libpq: a fixed-size connection pool,
 * parameterised queries and schema migrations.
 *
 * Errors carry libpq's message. A connection found broken when it is
 * acquired (the server closed it, or a query left it in CONNECTION_BAD) is
 * reset before it is handed out.
 */
#ifndef HITO_DB_H
#define HITO_DB_H

#include <stddef.h>
#include <libpq-fe.h>

#include "hito/err.h"

#define DB_POOL_MAX 64
#define DB_DEFAULT_ACQUIRE_TIMEOUT_MS 5000
#define DB_CONNINFO_MAX 1024
/* Bounds of db_migrate: files in the folder and bytes per file. */
#define DB_MIGRATION_MAX_FILES 1000
#define DB_MIGRATION_MAX_BYTES (1024 * 1024)
/* Key of the session advisory lock db_migrate holds ("hito" in ASCII). */
#define DB_MIGRATION_LOCK_KEY 0x6869746fL

struct db_pool;

/*
 * Writes a libpq connection string into out (size bytes), quoting each value.
 * Returns HITO_ERR_LIMIT, with out left empty, when it does not fit in size
 * bytes.
 */
int db_conninfo(char *out, size_t size, const char *host, int port, const char *dbname,
                const char *user, const char *password);

/*
 * Creates a pool of size connections (1..DB_POOL_MAX). The first connection
 * is opened now, so a wrong address or password fails here with
 * HITO_ERR_UNAVAILABLE or HITO_ERR_AUTH; the others open on first use.
 * Returns NULL with err filled on failure.
 */
struct db_pool *db_pool_new(const char *conninfo, int size, struct hito_error *err);

/* Closes every connection; none may still be acquired. */
void db_pool_free(struct db_pool *pool);

/*
 * Takes a free connection, waiting up to timeout_ms (0 means
 * DB_DEFAULT_ACQUIRE_TIMEOUT_MS). Returns HITO_ERR_TIMEOUT when none frees
 * up in time, HITO_ERR_UNAVAILABLE when a connection cannot be (re)opened.
 * The pool keeps ownership: hand the connection back with db_release.
 */
int db_acquire(struct db_pool *pool, long timeout_ms, PGconn **out, struct hito_error *err);

/* Returns conn to the pool, rolling back a transaction left open. */
void db_release(struct db_pool *pool, PGconn *conn);

/*
 * Runs sql with nparams text parameters ($1, $2, ...; NULL is SQL NULL).
 * On success stores the result in *out when out is not NULL (the caller
 * frees it with PQclear), else clears it. A failed statement returns
 * HITO_ERR_CONFLICT for a unique or exclusion violation (SQLSTATE 23505,
 * 23P01), HITO_ERR_UNAVAILABLE when the connection broke, else
 * HITO_ERR_INVALID, with libpq's message in err.
 */
int db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
            PGresult **out, struct hito_error *err);

/*
 * Runs sql as db_exec does, on a connection taken from pool as db_acquire
 * does (waiting up to timeout_ms), and hands the connection back. Errors as
 * db_acquire and db_exec.
 */
int db_pool_exec(struct db_pool *pool, long timeout_ms, const char *sql, int nparams,
                 const char *const *params, PGresult **out, struct hito_error *err);

/*
 * Applies the migrations of dir: files named NNNN_description.sql, in
 * order of NNNN, each in its own transaction, recorded in
 * schema_migrations(version, name, checksum, applied_at). The work runs
 * under the advisory lock DB_MIGRATION_LOCK_KEY, so instances starting
 * together apply each file once. Returns HITO_ERR_CONFLICT naming the file
 * when an applied file's SHA-256 checksum changed, HITO_ERR_INVALID for a
 * misnamed file, a duplicate version or a failing statement (with libpq's
 * message), HITO_ERR_LIMIT past the bounds above. Because each file runs
 * inside a transaction, a file must not contain BEGIN or COMMIT, nor
 * statements that PostgreSQL refuses in a transaction block (for example
 * CREATE INDEX CONCURRENTLY).
 */
int db_migrate(struct db_pool *pool, const char *dir, struct hito_error *err);

#endif

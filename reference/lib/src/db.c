/* db.c - a fixed-size libpq connection pool and query helpers. */
#include "hito/db.h"

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hito/log.h"

struct db_slot {
    PGconn *conn;
    int in_use;
};

struct db_pool {
    char *conninfo;
    int size;
    struct db_slot slots[DB_POOL_MAX];
    pthread_mutex_t lock;
    pthread_cond_t freed;
};

/* Appends key='value' to out with ' and \ escaped, as libpq's syntax requires. */
static int append_pair(char *out, size_t size, size_t *used, const char *key, const char *value)
{
    int n = snprintf(out + *used, size - *used, "%s%s='", *used ? " " : "", key);

    if (n < 0 || (size_t)n >= size - *used)
        return HITO_ERR_LIMIT;
    *used += (size_t)n;
    for (; *value != '\0'; value++) {
        int escaped = *value == '\'' || *value == '\\';

        /* The character, its escape, the closing quote and the NUL must fit. */
        if (*used + (size_t)escaped + 3 > size)
            return HITO_ERR_LIMIT;
        if (escaped)
            out[(*used)++] = '\\';
        out[(*used)++] = *value;
    }
    /* The closing quote and the NUL need two more bytes, even after an empty value. */
    if (*used + 2 > size)
        return HITO_ERR_LIMIT;
    out[(*used)++] = '\'';
    out[*used] = '\0';
    return HITO_OK;
}

int db_conninfo(char *out, size_t size, const char *host, int port, const char *dbname,
                const char *user, const char *password)
{
    char port_text[16];
    size_t used = 0;
    int rc;

    if (size == 0)
        return HITO_ERR_LIMIT;
    out[0] = '\0';
    snprintf(port_text, sizeof(port_text), "%d", port);
    rc = append_pair(out, size, &used, "host", host);
    if (rc == HITO_OK)
        rc = append_pair(out, size, &used, "port", port_text);
    if (rc == HITO_OK)
        rc = append_pair(out, size, &used, "dbname", dbname);
    if (rc == HITO_OK)
        rc = append_pair(out, size, &used, "user", user);
    if (rc == HITO_OK && password != NULL)
        rc = append_pair(out, size, &used, "password", password);
    if (rc == HITO_OK)
        rc = append_pair(out, size, &used, "connect_timeout", "5");
    if (rc != HITO_OK)
        out[0] = '\0';
    return rc;
}

/* Copies libpq's message without its trailing newline. */
static int conn_error(struct hito_error *err, int code, const char *what, const PGconn *conn)
{
    const char *message = conn ? PQerrorMessage(conn) : "out of memory";
    int len = (int)strcspn(message, "\n");

    return hito_error_set(err, code, "%s: %.*s", what, len, message);
}

/*
 * Returns 1 when an idle connection is still usable. PQconsumeInput reads a
 * termination message the server sent while idle, but libpq only marks the
 * connection bad on a later read, so the socket is also checked for EOF.
 */
static int conn_alive(PGconn *conn)
{
    char byte;
    ssize_t n;

    if (PQconsumeInput(conn) != 1 || PQstatus(conn) != CONNECTION_OK)
        return 0;
    n = recv(PQsocket(conn), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n != 0;
}

/* Logs server notices (for example "relation already exists") at debug level. */
static void on_notice(void *user, const char *message)
{
    (void)user;
    LOG_DEBUG("database notice", "detail", message);
}

/* Opens or repairs the connection of slot; called without the pool lock. */
static int slot_connect(struct db_pool *pool, struct db_slot *slot, struct hito_error *err)
{
    if (slot->conn == NULL) {
        slot->conn = PQconnectdb(pool->conninfo);
    } else {
        if (conn_alive(slot->conn))
            return HITO_OK;
        LOG_WARN("database connection broken, reconnecting");
        PQreset(slot->conn);
    }
    if (slot->conn != NULL && PQstatus(slot->conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(slot->conn, on_notice, NULL);
        return HITO_OK;
    }
    if (slot->conn != NULL && (PQconnectionNeedsPassword(slot->conn)
                               || strstr(PQerrorMessage(slot->conn), "authentication failed")))
        return conn_error(err, HITO_ERR_AUTH, "database connection failed", slot->conn);
    return conn_error(err, HITO_ERR_UNAVAILABLE, "database connection failed", slot->conn);
}

struct db_pool *db_pool_new(const char *conninfo, int size, struct hito_error *err)
{
    struct db_pool *pool;

    if (size < 1 || size > DB_POOL_MAX) {
        hito_error_set(err, HITO_ERR_INVALID, "pool size %d is out of range 1..%d", size,
                       DB_POOL_MAX);
        return NULL;
    }
    pool = calloc(1, sizeof(*pool));
    if (pool == NULL || (pool->conninfo = strdup(conninfo)) == NULL) {
        free(pool);
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory for the database pool");
        return NULL;
    }
    pool->size = size;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->freed, NULL);
    if (slot_connect(pool, &pool->slots[0], err) != HITO_OK) {
        db_pool_free(pool);
        return NULL;
    }
    return pool;
}

void db_pool_free(struct db_pool *pool)
{
    int i;

    if (pool == NULL)
        return;
    for (i = 0; i < pool->size; i++) {
        if (pool->slots[i].conn != NULL)
            PQfinish(pool->slots[i].conn);
    }
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->lock);
    free(pool->conninfo);
    free(pool);
}

static struct db_slot *take_free_slot(struct db_pool *pool)
{
    int i;

    for (i = 0; i < pool->size; i++) {
        if (!pool->slots[i].in_use) {
            pool->slots[i].in_use = 1;
            return &pool->slots[i];
        }
    }
    return NULL;
}

static void release_slot(struct db_pool *pool, struct db_slot *slot)
{
    pthread_mutex_lock(&pool->lock);
    slot->in_use = 0;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

int db_acquire(struct db_pool *pool, long timeout_ms, PGconn **out, struct hito_error *err)
{
    struct timespec deadline;
    struct db_slot *slot;
    int rc;

    if (timeout_ms <= 0)
        timeout_ms = DB_DEFAULT_ACQUIRE_TIMEOUT_MS;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&pool->lock);
    while ((slot = take_free_slot(pool)) == NULL) {
        if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT) {
            slot = take_free_slot(pool);
            break;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    if (slot == NULL)
        return hito_error_set(err, HITO_ERR_TIMEOUT,
                              "no free database connection within %ld ms (pool of %d)",
                              timeout_ms, pool->size);
    rc = slot_connect(pool, slot, err);
    if (rc != HITO_OK) {
        release_slot(pool, slot);
        return rc;
    }
    *out = slot->conn;
    return HITO_OK;
}

void db_release(struct db_pool *pool, PGconn *conn)
{
    int i;

    if (conn != NULL && PQstatus(conn) == CONNECTION_OK
        && PQtransactionStatus(conn) != PQTRANS_IDLE) {
        LOG_WARN("database connection released inside a transaction, rolling back");
        PQclear(PQexec(conn, "ROLLBACK"));
    }
    for (i = 0; i < pool->size; i++) {
        if (pool->slots[i].conn == conn) {
            release_slot(pool, &pool->slots[i]);
            return;
        }
    }
    LOG_ERROR("released connection does not belong to the pool");
}

int db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
            PGresult **out, struct hito_error *err)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(res);
    const char *state;
    const char *message;
    int code;

    if (out != NULL)
        *out = NULL;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        if (out != NULL)
            *out = res;
        else
            PQclear(res);
        return HITO_OK;
    }
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    message = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    if (PQstatus(conn) != CONNECTION_OK)
        code = HITO_ERR_UNAVAILABLE;
    else if (state != NULL && (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0))
        code = HITO_ERR_CONFLICT;
    else
        code = HITO_ERR_INVALID;
    hito_error_set(err, code, "query failed%s%s: %.*s", state ? " with SQLSTATE " : "",
                   state ? state : "", (int)strcspn(message, "\n"), message);
    PQclear(res);
    return code;
}

int db_pool_exec(struct db_pool *pool, long timeout_ms, const char *sql, int nparams,
                 const char *const *params, PGresult **out, struct hito_error *err)
{
    PGconn *conn = NULL;
    int rc;

    rc = db_acquire(pool, timeout_ms, &conn, err);
    if (rc != HITO_OK)
        return rc;
    rc = db_exec(conn, sql, nparams, params, out, err);
    db_release(pool, conn);
    return rc;
}

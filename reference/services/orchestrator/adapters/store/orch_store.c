#include "store/orch_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/log.h"
#include "json/orch_json.h"

#define KEY_SIZE (ORCH_PHONE_SIZE + 32)
#define NUMBER_SIZE 32

struct orch_pg_store {
    struct db_pool *db;
    struct redisc *redis;
};

/*
 * Inserts a new conversation at version 1, or updates one still at the
 * version it was loaded with ($9) and raises that version. A conversation
 * saved meanwhile matches neither, so no row is written.
 */
static const char UPSERT_SQL[] =
    "INSERT INTO conversations (customer, state, pending, order_id,"
    " operator_id, handover_reason, turns, updated_at, version)"
    " VALUES ($1, $2, $3::smallint, $4, $5, $6, $7::bigint,"
    " to_timestamp($8::bigint / 1000.0), $9::bigint + 1)"
    " ON CONFLICT (customer) DO UPDATE SET state = EXCLUDED.state,"
    " pending = EXCLUDED.pending, order_id = EXCLUDED.order_id,"
    " operator_id = EXCLUDED.operator_id,"
    " handover_reason = EXCLUDED.handover_reason, turns = EXCLUDED.turns,"
    " updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
    " WHERE conversations.version = $9::bigint";

static const char SELECT_COLUMNS[] =
    "SELECT customer, state, pending, order_id, operator_id,"
    " handover_reason, turns,"
    " (extract(epoch FROM updated_at) * 1000)::bigint, version"
    " FROM conversations";

struct orch_pg_store *orch_store_new(struct db_pool *db, struct redisc *redis,
                                     struct hito_error *err)
{
    struct orch_pg_store *store = calloc(1, sizeof(*store));

    if (store == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    store->db = db;
    store->redis = redis;
    return store;
}

void orch_store_free(struct orch_pg_store *store)
{
    free(store);
}

static void cache_key(const char *customer, char *key)
{
    snprintf(key, KEY_SIZE, "orch:conv:%s", customer);
}

/* Caches conv; on failure drops the cached copy so no stale one stays. */
static void cache_put(struct orch_pg_store *store,
                      const struct orch_conversation *conv)
{
    char key[KEY_SIZE];
    json_t *json = orch_json_conversation(conv);
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    struct hito_error err = { 0 };

    cache_key(conv->customer, key);
    if (text == NULL ||
        redisc_command(store->redis, NULL, &err, "SET %s %s EX %d", key, text,
                       ORCH_STORE_CACHE_SECONDS) != HITO_OK) {
        LOG_WARN("caching a conversation failed", "error", err.message);
        redisc_command(store->redis, NULL, NULL, "DEL %s", key);
    }
    free(text);
    json_decref(json);
}

static int cache_get(struct orch_pg_store *store, const char *customer,
                     struct orch_conversation *out)
{
    char key[KEY_SIZE];
    redisReply *reply = NULL;
    json_t *json = NULL;
    int rc = HITO_ERR_NOT_FOUND;

    cache_key(customer, key);
    if (redisc_command(store->redis, &reply, NULL, "GET %s", key) != HITO_OK)
        return rc;
    if (reply->type == REDIS_REPLY_STRING)
        json = json_loadb(reply->str, reply->len, 0, NULL);
    if (json != NULL && orch_json_parse_conversation(json, out) == HITO_OK)
        rc = HITO_OK;
    json_decref(json);
    freeReplyObject(reply);
    return rc;
}

static void read_row(PGresult *res, int row, struct orch_conversation *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->customer, sizeof(out->customer), "%s",
             PQgetvalue(res, row, 0));
    if (orch_state_parse(PQgetvalue(res, row, 1), &out->state) != HITO_OK)
        out->state = ORCH_STATE_GREETING;
    out->pending = (enum orch_pending)atoi(PQgetvalue(res, row, 2));
    snprintf(out->order_id, sizeof(out->order_id), "%s",
             PQgetvalue(res, row, 3));
    snprintf(out->operator_id, sizeof(out->operator_id), "%s",
             PQgetvalue(res, row, 4));
    snprintf(out->handover_reason, sizeof(out->handover_reason), "%s",
             PQgetvalue(res, row, 5));
    out->turns = atol(PQgetvalue(res, row, 6));
    out->updated_ms = atoll(PQgetvalue(res, row, 7));
    out->version = atoll(PQgetvalue(res, row, 8));
}

/* Runs sql on a pooled connection; *out as db_exec. */
static int run(struct orch_pg_store *store, const char *sql, int nparams,
               const char *const *params, PGresult **out,
               struct hito_error *err)
{
    return db_pool_exec(store->db, ORCH_STORE_ACQUIRE_MS, sql, nparams, params,
                        out, err);
}

static int load(void *self, const char *customer, struct orch_conversation *out,
                struct hito_error *err)
{
    struct orch_pg_store *store = self;
    char sql[sizeof(SELECT_COLUMNS) + 32];
    const char *params[1] = { customer };
    PGresult *res = NULL;
    int rc;

    if (cache_get(store, customer, out) == HITO_OK)
        return HITO_OK;
    snprintf(sql, sizeof(sql), "%s WHERE customer = $1", SELECT_COLUMNS);
    rc = run(store, sql, 1, params, &res, err);
    if (rc != HITO_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = hito_error_set(err, HITO_ERR_NOT_FOUND, "no conversation");
    else
        read_row(res, 0, out);
    PQclear(res);
    if (rc == HITO_OK)
        cache_put(store, out);
    return rc;
}

/* Writes conv if it is still at conv->version; HITO_ERR_CONFLICT if not. */
static int upsert(PGconn *conn, const struct orch_conversation *conv,
                  struct hito_error *err)
{
    char pending[NUMBER_SIZE], turns[NUMBER_SIZE], updated[NUMBER_SIZE];
    char version[NUMBER_SIZE];
    const char *params[9] = {
        conv->customer,
        orch_state_name(conv->state),
        pending,
        conv->order_id,
        conv->operator_id,
        conv->handover_reason,
        turns,
        updated,
        version,
    };
    PGresult *res = NULL;
    int rc;

    snprintf(pending, sizeof(pending), "%d", (int)conv->pending);
    snprintf(turns, sizeof(turns), "%ld", conv->turns);
    snprintf(updated, sizeof(updated), "%lld", conv->updated_ms);
    snprintf(version, sizeof(version), "%lld", conv->version);
    rc = db_exec(conn, UPSERT_SQL, 9, params, &res, err);
    if (rc == HITO_OK && strcmp(PQcmdTuples(res), "1") != 0)
        rc = hito_error_set(err, HITO_ERR_CONFLICT,
                            "the conversation of %s changed since it was "
                            "loaded",
                            conv->customer);
    PQclear(res);
    return rc;
}

/*
 * Caches conv at the version its save gave it when the save returned
 * HITO_OK, and otherwise drops the cached copy, which may be stale.
 */
static void cache_after_save(struct orch_pg_store *store,
                             const struct orch_conversation *conv, int rc)
{
    struct orch_conversation saved = *conv;

    if (rc != HITO_OK) {
        redisc_command(store->redis, NULL, NULL, "DEL orch:conv:%s",
                       conv->customer);
        return;
    }
    saved.version++;
    cache_put(store, &saved);
}

static int save(void *self, const struct orch_conversation *conv,
                struct hito_error *err)
{
    struct orch_pg_store *store = self;
    PGconn *conn = NULL;
    int rc = db_acquire(store->db, ORCH_STORE_ACQUIRE_MS, &conn, err);

    if (rc != HITO_OK)
        return rc;
    rc = upsert(conn, conv, err);
    db_release(store->db, conn);
    cache_after_save(store, conv, rc);
    return rc;
}

static int insert_turn(PGconn *conn, const char *wamid, const char *customer,
                       const struct orch_message *reply, struct hito_error *err)
{
    json_t *json = reply ? orch_json_message(reply) : NULL;
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    const char *params[3] = { wamid, customer, text };
    int rc;

    if (reply != NULL && text == NULL)
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    else
        rc = db_exec(conn,
                     "INSERT INTO turns (wamid, customer, reply)"
                     " VALUES ($1, $2, $3::jsonb)",
                     3, params, NULL, err);
    free(text);
    json_decref(json);
    return rc;
}

static int save_turn(void *self, const struct orch_conversation *conv,
                     const char *wamid, const struct orch_message *reply,
                     struct hito_error *err)
{
    struct orch_pg_store *store = self;
    PGconn *conn = NULL;
    int rc = db_acquire(store->db, ORCH_STORE_ACQUIRE_MS, &conn, err);

    if (rc != HITO_OK)
        return rc;
    rc = db_exec(conn, "BEGIN", 0, NULL, NULL, err);
    if (rc == HITO_OK)
        rc = upsert(conn, conv, err);
    if (rc == HITO_OK)
        rc = insert_turn(conn, wamid, conv->customer, reply, err);
    if (rc == HITO_OK)
        rc = db_exec(conn, "COMMIT", 0, NULL, NULL, err);
    else if (rc != HITO_ERR_UNAVAILABLE)
        db_exec(conn, "ROLLBACK", 0, NULL, NULL, NULL);
    db_release(store->db, conn);
    cache_after_save(store, conv, rc);
    return rc;
}

static int find_turn(void *self, const char *wamid, int *done, int *has_reply,
                     struct orch_message *reply, struct hito_error *err)
{
    const char *params[1] = { wamid };
    PGresult *res = NULL;
    json_t *json = NULL;
    int rc;

    rc = run(self, "SELECT done, reply::text FROM turns WHERE wamid = $1", 1,
             params, &res, err);
    if (rc != HITO_OK)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "no turn");
    }
    *done = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    *has_reply = !PQgetisnull(res, 0, 1);
    if (*has_reply) {
        json = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
        if (json == NULL || orch_json_parse_message(json, reply) != HITO_OK)
            rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                                "the stored reply of %s is invalid", wamid);
    }
    json_decref(json);
    PQclear(res);
    return rc;
}

static int finish_turn(void *self, const char *wamid, struct hito_error *err)
{
    const char *params[1] = { wamid };

    return run(self, "UPDATE turns SET done = true WHERE wamid = $1", 1, params,
               NULL, err);
}

static int list(void *self, enum orch_state state,
                struct orch_conversation *out, size_t max, size_t *count,
                struct hito_error *err)
{
    char sql[sizeof(SELECT_COLUMNS) + 96];
    char limit[NUMBER_SIZE];
    const char *params[2] = { orch_state_name(state), limit };
    PGresult *res = NULL;
    int rc;

    snprintf(limit, sizeof(limit), "%zu", max);
    snprintf(sql, sizeof(sql),
             "%s WHERE state = $1 ORDER BY updated_at DESC LIMIT $2::int",
             SELECT_COLUMNS);
    rc = run(self, sql, 2, params, &res, err);
    if (rc != HITO_OK)
        return rc;
    *count = 0;
    for (int row = 0; row < PQntuples(res) && *count < max; row++)
        read_row(res, row, &out[(*count)++]);
    PQclear(res);
    return HITO_OK;
}

static const struct orch_store_ops store_ops = {
    load, save_turn, save, find_turn, finish_turn, list,
};

struct orch_store orch_store_port(struct orch_pg_store *store)
{
    return (struct orch_store){ &store_ops, store };
}

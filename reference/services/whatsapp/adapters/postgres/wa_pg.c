#include "postgres/wa_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hito/log.h"
#include "wa_event.h"
#include "wa_status.h"

#define NUMBER_SIZE 24

struct wa_pg {
    struct db_pool *pool;
};

struct wa_pg *wa_pg_new(struct db_pool *pool, struct hito_error *err)
{
    struct wa_pg *pg = calloc(1, sizeof(*pg));

    if (pg == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pg->pool = pool;
    return pg;
}

void wa_pg_free(struct wa_pg *pg)
{
    free(pg);
}

/* Returns the pool of the struct wa_pg behind a port's self pointer. */
static struct db_pool *pool_of(void *self)
{
    return ((struct wa_pg *)self)->pool;
}

/* Runs a query that returns one number, stored in *out. */
static int exec_number(struct wa_pg *pg, const char *sql, int nparams,
                       const char *const *params, long long *out,
                       struct hito_error *err)
{
    PGresult *res = NULL;
    int rc;

    rc = db_pool_exec(pg->pool, 0, sql, nparams, params, &res, err);
    if (rc == HITO_OK)
        *out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

static int idempotency_begin(void *self, const char *client_id, const char *key,
                             const char *digest,
                             struct wa_idempotency_record *existing,
                             struct hito_error *err)
{
    static const char insert[] =
        "INSERT INTO wa_idempotency (client_id, key, request_digest) "
        "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1";
    static const char select[] =
        "SELECT request_digest, coalesce(response_status, 0), response_body "
        "FROM wa_idempotency WHERE client_id = $1 AND key = $2";
    const char *params[] = { client_id, key, digest };
    PGresult *res = NULL;
    int rc;

    rc = db_pool_exec(pool_of(self), 0, insert, 3, params, &res, err);
    if (rc == HITO_OK && PQntuples(res) == 1) {
        PQclear(res);
        return HITO_OK;
    }
    PQclear(res);
    res = NULL;
    if (rc == HITO_OK)
        rc = db_pool_exec(pool_of(self), 0, select, 2, params, &res, err);
    if (rc == HITO_OK && PQntuples(res) == 1) {
        snprintf(existing->digest, sizeof(existing->digest), "%s",
                 PQgetvalue(res, 0, 0));
        existing->response_status = atoi(PQgetvalue(res, 0, 1));
        if (!PQgetisnull(res, 0, 2))
            existing->response_body = strdup(PQgetvalue(res, 0, 2));
        rc = HITO_ERR_CONFLICT;
    } else if (rc == HITO_OK) {
        /* Aborted between the two statements, so the caller may retry. */
        rc = hito_error_set(err, HITO_ERR_UNAVAILABLE,
                            "the idempotency key changed meanwhile");
    }
    PQclear(res);
    return rc;
}

static int idempotency_finish(void *self, const char *client_id,
                              const char *key, int status, const char *body,
                              struct hito_error *err)
{
    static const char sql[] =
        "UPDATE wa_idempotency SET response_status = $3, response_body = $4 "
        "WHERE client_id = $1 AND key = $2";
    char code[NUMBER_SIZE];
    const char *params[] = { client_id, key, code, body };

    snprintf(code, sizeof(code), "%d", status);
    return db_pool_exec(pool_of(self), 0, sql, 4, params, NULL, err);
}

static int idempotency_abort(void *self, const char *client_id, const char *key,
                             struct hito_error *err)
{
    static const char sql[] = "DELETE FROM wa_idempotency WHERE client_id = "
                              "$1 AND key = $2 AND response_status IS NULL";
    const char *params[] = { client_id, key };

    return db_pool_exec(pool_of(self), 0, sql, 2, params, NULL, err);
}

static int last_inbound(void *self, const char *customer, long long *at,
                        struct hito_error *err)
{
    static const char sql[] =
        "SELECT coalesce(extract(epoch FROM max(message_at))::bigint, 0) "
        "FROM wa_message WHERE customer = $1 AND direction = 'inbound'";
    const char *params[] = { customer };

    return exec_number(self, sql, 1, params, at, err);
}

/*
 * Moves the message wamid to status when wa_status_advances allows it.
 * Runs inside the caller's transaction and sets *applied to 1 or 0.
 */
static int apply_status(PGconn *conn, const char *wamid, enum wa_status next,
                        long error_code, int *applied, struct hito_error *err)
{
    static const char select[] =
        "SELECT status FROM wa_message WHERE wamid = $1 FOR UPDATE";
    static const char update[] =
        "UPDATE wa_message SET status = $2, updated_at = now(), "
        "error_code = coalesce($3::integer, error_code) WHERE wamid = $1";
    char code[NUMBER_SIZE];
    const char *params[] = { wamid, wa_status_name(next),
                             error_code ? code : NULL };
    PGresult *res = NULL;
    int rc;

    *applied = 0;
    snprintf(code, sizeof(code), "%ld", error_code);
    rc = db_exec(conn, select, 1, params, &res, err);
    if (rc == HITO_OK && PQntuples(res) == 1 &&
        wa_status_advances(wa_status_parse(PQgetvalue(res, 0, 0)), next)) {
        rc = db_exec(conn, update, 3, params, NULL, err);
        *applied = rc == HITO_OK;
    }
    PQclear(res);
    return rc;
}

/* Applies the status events that arrived before the send was recorded. */
static int catch_up_statuses(PGconn *conn, const char *wamid,
                             struct hito_error *err)
{
    static const char sql[] = "SELECT status, coalesce(error_code, 0) FROM "
                              "wa_status_event WHERE wamid = $1";
    const char *params[] = { wamid };
    PGresult *res = NULL;
    int applied = 0;
    int rc;

    rc = db_exec(conn, sql, 1, params, &res, err);
    for (int i = 0; rc == HITO_OK && i < PQntuples(res); i++)
        rc = apply_status(conn, wamid, wa_status_parse(PQgetvalue(res, i, 0)),
                          strtol(PQgetvalue(res, i, 1), NULL, 10), &applied,
                          err);
    PQclear(res);
    return rc;
}

static int insert_outbound(PGconn *conn, const struct wa_outbound_record *rec,
                           struct hito_error *err)
{
    static const char sql[] =
        "INSERT INTO wa_message (wamid, direction, customer, type, body, "
        "status, error_code, error_message, client_id, attempts, message_at) "
        "VALUES ($1, 'outbound', $2, $3, $4::jsonb, $5, $6::integer, $7, $8, "
        "$9::integer, now()) ON CONFLICT (wamid) DO NOTHING";
    char code[NUMBER_SIZE], attempts[NUMBER_SIZE];
    char *body = json_dumps(rec->request->cloud_body, JSON_COMPACT);
    const char *params[] = { rec->wamid,
                             rec->request->to,
                             rec->request->type,
                             body,
                             rec->wamid ? "accepted" : "failed",
                             rec->error_code ? code : NULL,
                             rec->error_message,
                             rec->client_id,
                             attempts };
    int rc;

    if (body == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    snprintf(code, sizeof(code), "%ld", rec->error_code);
    snprintf(attempts, sizeof(attempts), "%d", rec->attempts);
    rc = db_exec(conn, sql, 9, params, NULL, err);
    free(body);
    return rc;
}

static int record_outbound(void *self, const struct wa_outbound_record *rec,
                           struct hito_error *err)
{
    struct wa_pg *pg = self;
    PGconn *conn = NULL;
    int rc;

    rc = db_acquire(pg->pool, 0, &conn, err);
    if (rc != HITO_OK)
        return rc;
    rc = db_exec(conn, "BEGIN", 0, NULL, NULL, err);
    if (rc == HITO_OK)
        rc = insert_outbound(conn, rec, err);
    if (rc == HITO_OK && rec->wamid != NULL)
        rc = catch_up_statuses(conn, rec->wamid, err);
    if (rc == HITO_OK)
        rc = db_exec(conn, "COMMIT", 0, NULL, NULL, err);
    db_release(pg->pool, conn);
    return rc;
}

/* Inserts an inbound message and, when it is new, its outbox event. */
static int insert_inbound(PGconn *conn, const struct wa_inbound *m,
                          const char *correlation_id, size_t *stored,
                          struct hito_error *err)
{
    static const char message_sql[] =
        "INSERT INTO wa_message (wamid, direction, customer, type, body, "
        "status, message_at) VALUES ($1, 'inbound', $2, $3, $4::jsonb, "
        "'received', to_timestamp($5::bigint)) ON CONFLICT (wamid) DO NOTHING "
        "RETURNING id";
    static const char outbox_sql[] =
        "INSERT INTO wa_outbox (wamid, routing_key, body, correlation_id) "
        "VALUES ($1, $2, $3, $4)";
    char when[NUMBER_SIZE], routing_key[WA_TYPE_SIZE + 16];
    const char *message_params[] = { m->wamid, m->from, m->type, m->raw, when };
    const char *outbox_params[] = { m->wamid, routing_key, NULL,
                                    correlation_id };
    PGresult *res = NULL;
    struct timespec now;
    char *event;
    int rc;

    snprintf(when, sizeof(when), "%lld", m->timestamp);
    rc = db_exec(conn, message_sql, 5, message_params, &res, err);
    if (rc != HITO_OK || PQntuples(res) == 0) {
        PQclear(res);
        return rc;
    }
    PQclear(res);
    (*stored)++;
    snprintf(routing_key, sizeof(routing_key), WA_EVENT_ROUTING_PREFIX "%s",
             m->type);
    clock_gettime(CLOCK_REALTIME, &now);
    event =
        wa_event_json(m, (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    if (event == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    outbox_params[2] = event;
    rc = db_exec(conn, outbox_sql, 4, outbox_params, NULL, err);
    free(event);
    return rc;
}

/* Records a status event once per (wamid, status) and applies it. */
static int insert_status(PGconn *conn, const struct wa_status_update *s,
                         size_t *applied, struct hito_error *err)
{
    static const char insert[] =
        "INSERT INTO wa_status_event (wamid, status, event_at, recipient_id, "
        "error_code, error_title, applied) VALUES ($1, $2, "
        "to_timestamp($3::bigint), $4, $5::integer, $6, false) "
        "ON CONFLICT DO NOTHING RETURNING 1";
    static const char mark[] = "UPDATE wa_status_event SET applied = true "
                               "WHERE wamid = $1 AND status = $2";
    char when[NUMBER_SIZE], code[NUMBER_SIZE];
    const char *params[] = { s->wamid,
                             wa_status_name(s->status),
                             when,
                             s->recipient_id,
                             s->error_code ? code : NULL,
                             s->error_title[0] ? s->error_title : NULL };
    PGresult *res = NULL;
    int moved = 0;
    int rc;

    snprintf(when, sizeof(when), "%lld", s->timestamp);
    snprintf(code, sizeof(code), "%ld", s->error_code);
    rc = db_exec(conn, insert, 6, params, &res, err);
    if (rc == HITO_OK && PQntuples(res) == 1)
        rc =
            apply_status(conn, s->wamid, s->status, s->error_code, &moved, err);
    PQclear(res);
    if (rc == HITO_OK && moved) {
        (*applied)++;
        rc = db_exec(conn, mark, 2, params, NULL, err);
    }
    return rc;
}

static int store_notification(void *self, const struct wa_notification *n,
                              const char *correlation_id, size_t *stored,
                              size_t *applied, struct hito_error *err)
{
    struct wa_pg *pg = self;
    PGconn *conn = NULL;
    int rc;

    *stored = 0;
    *applied = 0;
    rc = db_acquire(pg->pool, 0, &conn, err);
    if (rc != HITO_OK)
        return rc;
    rc = db_exec(conn, "BEGIN", 0, NULL, NULL, err);
    for (size_t i = 0; rc == HITO_OK && i < n->message_count; i++)
        rc = insert_inbound(conn, &n->messages[i], correlation_id, stored, err);
    for (size_t i = 0; rc == HITO_OK && i < n->status_count; i++)
        rc = insert_status(conn, &n->statuses[i], applied, err);
    if (rc == HITO_OK)
        rc = db_exec(conn, "COMMIT", 0, NULL, NULL, err);
    db_release(pg->pool, conn);
    if (rc != HITO_OK) {
        *stored = 0;
        *applied = 0;
    }
    return rc;
}

/* Parses column 0 of each row (JSON text) into an array. */
static json_t *rows_to_array(PGresult *res)
{
    json_t *rows = json_array();

    for (int i = 0; rows != NULL && i < PQntuples(res); i++)
        json_array_append_new(rows, json_loads(PQgetvalue(res, i, 0), 0, NULL));
    return rows;
}

#define MESSAGE_JSON                                                           \
    "json_build_object('id', m.id, 'wamid', m.wamid, 'direction', "            \
    "m.direction, 'customer', m.customer, 'type', m.type, 'status', "          \
    "m.status, 'error_code', m.error_code, 'error_message', "                  \
    "m.error_message, 'message_at', m.message_at, 'body', m.body"

static int history(void *self, const struct wa_history_query *q, json_t **out,
                   struct hito_error *err)
{
    static const char sql[] =
        "SELECT " MESSAGE_JSON ")::text, m.id FROM wa_message m "
        "WHERE m.customer = $1 AND ($2::bigint = 0 OR m.id < $2::bigint) "
        "ORDER BY m.id DESC LIMIT $3::integer";
    char before[NUMBER_SIZE], limit[NUMBER_SIZE];
    const char *params[] = { q->customer, before, limit };
    PGresult *res = NULL;
    json_t *next;
    int rc;

    snprintf(before, sizeof(before), "%lld", q->before_id);
    snprintf(limit, sizeof(limit), "%d", q->limit);
    rc = db_pool_exec(pool_of(self), 0, sql, 3, params, &res, err);
    if (rc != HITO_OK)
        return rc;
    next =
        PQntuples(res) == q->limit
            ? json_integer(strtoll(PQgetvalue(res, q->limit - 1, 1), NULL, 10))
            : json_null();
    *out = json_pack("{s:s, s:o, s:o}", "customer", q->customer, "messages",
                     rows_to_array(res), "next_before", next);
    PQclear(res);
    return *out ? HITO_OK
                : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

static int message(void *self, const char *wamid, json_t **out,
                   struct hito_error *err)
{
    static const char sql[] =
        "SELECT " MESSAGE_JSON ", 'statuses', (SELECT coalesce(json_agg("
        "json_build_object('status', e.status, 'event_at', e.event_at, "
        "'applied', e.applied, 'error_code', e.error_code) ORDER BY "
        "e.received_at), '[]') FROM wa_status_event e WHERE e.wamid = "
        "m.wamid))::text FROM wa_message m WHERE m.wamid = $1";
    const char *params[] = { wamid };
    PGresult *res = NULL;
    int rc;

    rc = db_pool_exec(pool_of(self), 0, sql, 1, params, &res, err);
    if (rc == HITO_OK && PQntuples(res) == 0)
        rc =
            hito_error_set(err, HITO_ERR_NOT_FOUND, "no message %.100s", wamid);
    if (rc == HITO_OK) {
        *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        if (*out == NULL)
            rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    PQclear(res);
    return rc;
}

static const struct wa_store_ops store_ops = {
    idempotency_begin, idempotency_finish, idempotency_abort, last_inbound,
    record_outbound,   store_notification, history,           message,
};

struct wa_store wa_pg_store(struct wa_pg *pg)
{
    return (struct wa_store){ &store_ops, pg };
}

/* NOTE: rows are not locked, so two service instances would both publish
 * an event. Consumers deduplicate by message id, as for any redelivery. */
static int outbox_fetch(void *self, size_t max, struct wa_outbox_event *out,
                        size_t *count, struct hito_error *err)
{
    static const char sql[] =
        "SELECT id, wamid, routing_key, body, coalesce(correlation_id, '') "
        "FROM wa_outbox WHERE published_at IS NULL ORDER BY id "
        "LIMIT $1::integer";
    char limit[NUMBER_SIZE];
    const char *params[] = { limit };
    PGresult *res = NULL;
    int rc;

    *count = 0;
    snprintf(limit, sizeof(limit), "%zu", max);
    rc = db_pool_exec(pool_of(self), 0, sql, 1, params, &res, err);
    for (int i = 0; rc == HITO_OK && i < PQntuples(res); i++) {
        struct wa_outbox_event *e = &out[(*count)++];

        e->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        snprintf(e->wamid, sizeof(e->wamid), "%s", PQgetvalue(res, i, 1));
        snprintf(e->routing_key, sizeof(e->routing_key), "%s",
                 PQgetvalue(res, i, 2));
        e->body = strdup(PQgetvalue(res, i, 3));
        snprintf(e->correlation_id, sizeof(e->correlation_id), "%s",
                 PQgetvalue(res, i, 4));
        if (e->body == NULL)
            rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    PQclear(res);
    return rc;
}

/* TODO: published rows are kept for good. A retention job should delete
 * those older than a few days. */
static int outbox_mark_published(void *self, long long id,
                                 struct hito_error *err)
{
    static const char sql[] =
        "UPDATE wa_outbox SET published_at = now() WHERE id = $1::bigint";
    char text[NUMBER_SIZE];
    const char *params[] = { text };

    snprintf(text, sizeof(text), "%lld", id);
    return db_pool_exec(pool_of(self), 0, sql, 1, params, NULL, err);
}

static int outbox_depth(void *self, long long *count, struct hito_error *err)
{
    static const char sql[] =
        "SELECT count(*) FROM wa_outbox WHERE published_at IS NULL";

    return exec_number(self, sql, 0, NULL, count, err);
}

static const struct wa_outbox_ops outbox_ops = { outbox_fetch,
                                                 outbox_mark_published,
                                                 outbox_depth };

struct wa_outbox wa_pg_outbox(struct wa_pg *pg)
{
    return (struct wa_outbox){ &outbox_ops, pg };
}

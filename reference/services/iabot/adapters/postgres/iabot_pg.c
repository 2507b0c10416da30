#include "iabot_pg.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUMBER_SIZE 32

static int save_message(void *self, const struct iabot_message_record *m,
                        struct hito_error *err)
{
    static const char sql[] =
        "INSERT INTO iabot_messages (id, conversation_id, customer_id,"
        " text, intent, confidence, source, model_version)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    char confidence[NUMBER_SIZE];
    const char *params[8];

    snprintf(confidence, sizeof(confidence), "%.6f", m->confidence);
    params[0] = m->id;
    params[1] = m->conversation_id;
    params[2] = m->customer_id;
    params[3] = m->text;
    params[4] = m->intent;
    params[5] = confidence;
    params[6] = m->source;
    params[7] = m->model_version;
    return db_pool_exec(self, 0, sql, 8, params, NULL, err);
}

static int save_feedback(void *self, const char *message_id, const char *intent,
                         const char *source, long long *feedback_id,
                         struct hito_error *err)
{
    static const char sql[] =
        "INSERT INTO iabot_feedback (message_id, intent, source)"
        " SELECT id, $2, $3 FROM iabot_messages WHERE id = $1::uuid"
        " RETURNING id";
    const char *params[] = {message_id, intent, source};
    PGresult *res = NULL;
    int rc = db_pool_exec(self, 0, sql, 3, params, &res, err);

    if (rc != HITO_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = hito_error_set(err, HITO_ERR_NOT_FOUND, "message %s not found",
                            message_id);
    else
        *feedback_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

static int load_corrections(void *self, struct dataset *ds, size_t limit,
                            size_t *count, struct hito_error *err)
{
    static const char sql[] =
        "SELECT m.text, f.intent FROM iabot_messages m"
        " JOIN LATERAL (SELECT intent, id FROM iabot_feedback"
        "  WHERE message_id = m.id ORDER BY id DESC LIMIT 1) f ON true"
        " ORDER BY f.id DESC LIMIT $1";
    char limit_text[NUMBER_SIZE];
    const char *params[] = {limit_text};
    PGresult *res = NULL;
    int rc, i;

    snprintf(limit_text, sizeof(limit_text), "%zu", limit);
    rc = db_pool_exec(self, 0, sql, 1, params, &res, err);
    *count = 0;
    for (i = 0; rc == HITO_OK && i < PQntuples(res); i++) {
        int intent = intent_parse(PQgetvalue(res, i, 1));

        if (intent < 0 || intent >= INTENT_CLASSES)
            continue;
        rc = dataset_add(ds, (enum intent)intent, PQgetvalue(res, i, 0), err);
        *count += rc == HITO_OK;
    }
    PQclear(res);
    return rc;
}

/* Encodes blob as lower-case hex for decode($n, 'hex'); the caller frees it. */
static char *to_hex(const unsigned char *blob, size_t len)
{
    char *hex = malloc(2 * len + 1);

    if (hex == NULL || OPENSSL_buf2hexstr_ex(hex, 2 * len + 1, NULL, blob,
                                             (long)len, '\0') != 1) {
        free(hex);
        return NULL;
    }
    return hex;
}

/* Decodes the hex text of encode(blob, 'hex') into a malloc'd buffer. */
static int from_hex(const char *hex, unsigned char **blob, size_t *len)
{
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n + 1);

    if (out == NULL || OPENSSL_hexstr2buf_ex(out, n + 1, len, hex, '\0') != 1) {
        free(out);
        return -1;
    }
    *blob = out;
    return 0;
}

static int save_model(void *self, const struct model *m,
                      const unsigned char *blob, size_t len,
                      const char *heldout_hash, struct hito_error *err)
{
    static const char sql[] =
        "INSERT INTO iabot_models (version, blob, data_hash, heldout_hash,"
        " heldout_accuracy, heldout_macro_f1, train_examples, status)"
        " VALUES ($1, decode($2, 'hex'), $3, $4, $5, $6, $7, 'candidate')"
        " ON CONFLICT (version) DO NOTHING";
    char accuracy[NUMBER_SIZE], f1[NUMBER_SIZE], examples[NUMBER_SIZE];
    char *hex = to_hex(blob, len);
    const char *params[7];
    int rc;

    if (hex == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "out of memory encoding the model");
    snprintf(accuracy, sizeof(accuracy), "%.6f", (double)m->heldout_accuracy);
    snprintf(f1, sizeof(f1), "%.6f", (double)m->heldout_macro_f1);
    snprintf(examples, sizeof(examples), "%u", m->train_examples);
    params[0] = m->version;
    params[1] = hex;
    params[2] = m->data_hash;
    params[3] = heldout_hash;
    params[4] = accuracy;
    params[5] = f1;
    params[6] = examples;
    rc = db_pool_exec(self, 0, sql, 7, params, NULL, err);
    free(hex);
    return rc;
}

static int load_model(void *self, const char *version,
                      struct iabot_model_record *out, struct hito_error *err)
{
    static const char by_version[] =
        "SELECT version, encode(blob, 'hex'), heldout_hash,"
        " heldout_accuracy, heldout_macro_f1"
        " FROM iabot_models WHERE version = $1";
    static const char active[] =
        "SELECT version, encode(blob, 'hex'), heldout_hash,"
        " heldout_accuracy, heldout_macro_f1"
        " FROM iabot_models WHERE status = 'active'";
    const char *params[] = {version};
    PGresult *res = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = version != NULL ? db_pool_exec(self, 0, by_version, 1, params, &res, err)
                         : db_pool_exec(self, 0, active, 0, NULL, &res, err);
    if (rc != HITO_OK)
        return rc;
    if (PQntuples(res) == 0) {
        rc = hito_error_set(err, HITO_ERR_NOT_FOUND, "model %s not found",
                            version != NULL ? version : "(active)");
    } else if (from_hex(PQgetvalue(res, 0, 1), &out->blob, &out->len) != 0) {
        rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                            "stored model is not valid hex");
    } else {
        snprintf(out->version, sizeof(out->version), "%s",
                 PQgetvalue(res, 0, 0));
        snprintf(out->heldout_hash, sizeof(out->heldout_hash), "%s",
                 PQgetvalue(res, 0, 2));
        out->heldout_accuracy = strtod(PQgetvalue(res, 0, 3), NULL);
        out->heldout_macro_f1 = strtod(PQgetvalue(res, 0, 4), NULL);
    }
    PQclear(res);
    return rc;
}

/* Runs statements in one transaction, each with the same params. */
static int in_transaction(struct db_pool *pool, const char *const *statements,
                          int count, const char *const *params, int nparams,
                          struct hito_error *err)
{
    PGconn *conn = NULL;
    int rc = db_acquire(pool, 0, &conn, err);
    int i;

    if (rc != HITO_OK)
        return rc;
    rc = db_exec(conn, "BEGIN", 0, NULL, NULL, err);
    for (i = 0; rc == HITO_OK && i < count; i++)
        rc = db_exec(conn, statements[i], nparams, params, NULL, err);
    if (rc == HITO_OK)
        rc = db_exec(conn, "COMMIT", 0, NULL, NULL, err);
    db_release(pool, conn); /* rolls back an open transaction */
    return rc;
}

static int activate(void *self, const char *version, struct hito_error *err)
{
    static const char *const statements[] = {
        "UPDATE iabot_models SET status = 'retired'"
        " WHERE status = 'active' AND version <> $1",
        "UPDATE iabot_models SET status = 'active', promoted_at = now()"
        " WHERE version = $1",
    };
    const char *params[] = {version};

    return in_transaction(self, statements, 2, params, 1, err);
}

static int rollback(void *self, char restored[MODEL_VERSION_SIZE],
                    struct hito_error *err)
{
    static const char previous[] =
        "SELECT r.version FROM iabot_models r, iabot_models a"
        " WHERE a.status = 'active' AND r.status = 'retired'"
        " AND r.promoted_at IS NOT NULL AND r.promoted_at < a.promoted_at"
        " ORDER BY r.promoted_at DESC LIMIT 1";
    static const char *const statements[] = {
        "UPDATE iabot_models SET status = 'candidate', promoted_at = NULL"
        " WHERE status = 'active' AND version <> $1",
        "UPDATE iabot_models SET status = 'active' WHERE version = $1",
    };
    const char *params[1];
    PGresult *res = NULL;
    int rc = db_pool_exec(self, 0, previous, 0, NULL, &res, err);

    if (rc != HITO_OK)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return hito_error_set(err, HITO_ERR_NOT_FOUND,
                              "no earlier model to roll back to");
    }
    snprintf(restored, MODEL_VERSION_SIZE, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    params[0] = restored;
    return in_transaction(self, statements, 2, params, 1, err);
}

static int run_create(void *self, const char *id, struct hito_error *err)
{
    const char *params[] = {id};

    return db_pool_exec(
        self, 0,
        "INSERT INTO iabot_training_runs (id, status) VALUES ($1, 'queued')", 1,
        params, NULL, err);
}

static int run_update(void *self, const char *id, const char *status,
                      const char *model_version, const char *metrics_json,
                      const char *error, struct hito_error *err)
{
    static const char sql[] =
        "UPDATE iabot_training_runs SET status = $2,"
        " model_version = coalesce($3, model_version),"
        " metrics = coalesce($4::jsonb, metrics),"
        " error = coalesce($5, error),"
        " finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() END"
        " WHERE id = $1";
    const char *params[] = {id, status, model_version, metrics_json, error};

    return db_pool_exec(self, 0, sql, 5, params, NULL, err);
}

static int run_get(void *self, const char *id, json_t **out,
                   struct hito_error *err)
{
    static const char sql[] =
        "SELECT json_build_object('id', id, 'status', status,"
        " 'model_version', model_version, 'metrics', metrics, 'error', error,"
        " 'created_at', created_at, 'finished_at', finished_at)::text"
        " FROM iabot_training_runs WHERE id = $1::uuid";
    const char *params[] = {id};
    PGresult *res = NULL;
    int rc = db_pool_exec(self, 0, sql, 1, params, &res, err);

    if (rc != HITO_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = hito_error_set(err, HITO_ERR_NOT_FOUND,
                            "training run %s not found", id);
    else if ((*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL)
        rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                            "training run %s is not valid JSON", id);
    PQclear(res);
    return rc;
}

static int list_messages(void *self, const char *conversation_id, size_t limit,
                         json_t **out, struct hito_error *err)
{
    static const char sql[] =
        "SELECT coalesce(json_agg(row_to_json(t) ORDER BY t.created_at),"
        " '[]')::text FROM ("
        " SELECT m.id AS message_id, m.customer_id, m.text, m.intent,"
        " m.confidence, m.source, m.model_version, m.created_at,"
        " (SELECT f.intent FROM iabot_feedback f WHERE f.message_id = m.id"
        "  ORDER BY f.id DESC LIMIT 1) AS corrected_intent"
        " FROM iabot_messages m WHERE m.conversation_id = $1"
        " ORDER BY m.created_at DESC LIMIT $2) t";
    char limit_text[NUMBER_SIZE];
    const char *params[] = {conversation_id, limit_text};
    PGresult *res = NULL;
    int rc;

    snprintf(limit_text, sizeof(limit_text), "%zu", limit);
    rc = db_pool_exec(self, 0, sql, 2, params, &res, err);
    if (rc != HITO_OK)
        return rc;
    *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (*out == NULL)
        rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                            "conversation %s is not valid JSON",
                            conversation_id);
    PQclear(res);
    return rc;
}

static const struct iabot_store_ops pg_ops = {
    save_message, save_feedback, load_corrections, save_model,
    load_model,   activate,      rollback,         run_create,
    run_update,   run_get,       list_messages,
};

void iabot_pg_store(struct db_pool *pool, struct iabot_store *store)
{
    store->ops = &pg_ops;
    store->self = pool;
}

#include "iabot_fakes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fake_message *find_message(struct fake_store *st, const char *id)
{
    size_t i;

    for (i = 0; i < st->message_count; i++) {
        if (strcmp(st->messages[i].id, id) == 0)
            return &st->messages[i];
    }
    return NULL;
}

static struct fake_model *find_model(struct fake_store *st, const char *version)
{
    size_t i;

    for (i = 0; i < st->model_count; i++) {
        if (version == NULL ? strcmp(st->models[i].status, "active") == 0
                            : strcmp(st->models[i].rec.version, version) == 0)
            return &st->models[i];
    }
    return NULL;
}

static int save_message(void *self, const struct iabot_message_record *m,
                        struct hito_error *err)
{
    struct fake_store *st = self;
    struct fake_message *msg;

    pthread_mutex_lock(&st->lock);
    if (st->message_count == FAKE_MAX_MESSAGES) {
        pthread_mutex_unlock(&st->lock);
        return hito_error_set(err, HITO_ERR_LIMIT, "fake store is full");
    }
    msg = &st->messages[st->message_count++];
    memset(msg, 0, sizeof(*msg));
    snprintf(msg->id, sizeof(msg->id), "%s", m->id);
    snprintf(msg->text, sizeof(msg->text), "%s", m->text);
    snprintf(msg->intent, sizeof(msg->intent), "%s", m->intent);
    pthread_mutex_unlock(&st->lock);
    return HITO_OK;
}

static int save_feedback(void *self, const char *message_id, const char *intent,
                         const char *source, long long *feedback_id,
                         struct hito_error *err)
{
    struct fake_store *st = self;
    struct fake_message *msg;

    (void)source;
    pthread_mutex_lock(&st->lock);
    msg = find_message(st, message_id);
    if (msg != NULL)
        snprintf(msg->corrected, sizeof(msg->corrected), "%s", intent);
    pthread_mutex_unlock(&st->lock);
    if (msg == NULL)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "message %s not found",
                              message_id);
    *feedback_id = 1;
    return HITO_OK;
}

static int load_corrections(void *self, struct dataset *ds, size_t limit,
                            size_t *count, struct hito_error *err)
{
    struct fake_store *st = self;
    size_t i;
    int rc = HITO_OK;

    *count = 0;
    pthread_mutex_lock(&st->lock);
    for (i = 0; rc == HITO_OK && i < st->message_count && *count < limit; i++) {
        if (st->messages[i].corrected[0] == '\0')
            continue;
        rc = dataset_add(ds,
                         (enum intent)intent_parse(st->messages[i].corrected),
                         st->messages[i].text, err);
        *count += rc == HITO_OK;
    }
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static int save_model(void *self, const struct model *m,
                      const unsigned char *blob, size_t len,
                      const char *heldout_hash, struct hito_error *err)
{
    struct fake_store *st = self;
    struct fake_model *fm;
    int rc = HITO_OK;

    pthread_mutex_lock(&st->lock);
    if (find_model(st, m->version) != NULL)
        goto out;
    if (st->model_count == FAKE_MAX_MODELS) {
        rc = hito_error_set(err, HITO_ERR_LIMIT, "fake store is full");
        goto out;
    }
    fm = &st->models[st->model_count++];
    memset(fm, 0, sizeof(*fm));
    snprintf(fm->rec.version, sizeof(fm->rec.version), "%s", m->version);
    snprintf(fm->rec.heldout_hash, sizeof(fm->rec.heldout_hash), "%s",
             heldout_hash);
    fm->rec.heldout_accuracy = m->heldout_accuracy;
    fm->rec.heldout_macro_f1 = m->heldout_macro_f1;
    fm->rec.blob = malloc(len);
    memcpy(fm->rec.blob, blob, len);
    fm->rec.len = len;
    snprintf(fm->status, sizeof(fm->status), "candidate");
out:
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static int load_model(void *self, const char *version,
                      struct iabot_model_record *out, struct hito_error *err)
{
    struct fake_store *st = self;
    struct fake_model *fm;

    pthread_mutex_lock(&st->lock);
    fm = find_model(st, version);
    if (fm != NULL) {
        *out = fm->rec;
        out->blob = malloc(fm->rec.len);
        memcpy(out->blob, fm->rec.blob, fm->rec.len);
    }
    pthread_mutex_unlock(&st->lock);
    if (fm == NULL)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "model not found");
    return HITO_OK;
}

static int activate(void *self, const char *version, struct hito_error *err)
{
    struct fake_store *st = self;
    struct fake_model *next, *current;

    pthread_mutex_lock(&st->lock);
    next = find_model(st, version);
    current = find_model(st, NULL);
    if (next != NULL) {
        if (current != NULL && current != next)
            snprintf(current->status, sizeof(current->status), "retired");
        snprintf(next->status, sizeof(next->status), "active");
        next->promoted_order = ++st->promotions;
    }
    pthread_mutex_unlock(&st->lock);
    return next != NULL
               ? HITO_OK
               : hito_error_set(err, HITO_ERR_NOT_FOUND, "no such model");
}

static int rollback(void *self, char restored[MODEL_VERSION_SIZE],
                    struct hito_error *err)
{
    struct fake_store *st = self;
    struct fake_model *current, *previous = NULL;
    size_t i;

    pthread_mutex_lock(&st->lock);
    current = find_model(st, NULL);
    for (i = 0; current != NULL && i < st->model_count; i++) {
        struct fake_model *m = &st->models[i];

        if (strcmp(m->status, "retired") == 0 && m->promoted_order > 0 &&
            m->promoted_order < current->promoted_order &&
            (previous == NULL || m->promoted_order > previous->promoted_order))
            previous = m;
    }
    if (previous != NULL) {
        snprintf(current->status, sizeof(current->status), "candidate");
        current->promoted_order = 0;
        snprintf(previous->status, sizeof(previous->status), "active");
        snprintf(restored, MODEL_VERSION_SIZE, "%s", previous->rec.version);
    }
    pthread_mutex_unlock(&st->lock);
    return previous != NULL ? HITO_OK
                            : hito_error_set(err, HITO_ERR_NOT_FOUND,
                                             "nothing to roll back to");
}

static int run_create(void *self, const char *id, struct hito_error *err)
{
    struct fake_store *st = self;
    int rc = HITO_OK;

    pthread_mutex_lock(&st->lock);
    if (st->run_count == FAKE_MAX_RUNS) {
        rc = hito_error_set(err, HITO_ERR_LIMIT, "fake store is full");
    } else {
        memset(&st->runs[st->run_count], 0, sizeof(st->runs[0]));
        snprintf(st->runs[st->run_count].id, IABOT_ID_SIZE, "%s", id);
        snprintf(st->runs[st->run_count].status, 16, "queued");
        st->run_count++;
    }
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static int run_update(void *self, const char *id, const char *status,
                      const char *model_version, const char *metrics_json,
                      const char *error, struct hito_error *err)
{
    struct fake_store *st = self;
    size_t i;

    (void)metrics_json;
    (void)error;
    (void)err;
    pthread_mutex_lock(&st->lock);
    for (i = 0; i < st->run_count; i++) {
        if (strcmp(st->runs[i].id, id) != 0)
            continue;
        snprintf(st->runs[i].status, 16, "%s", status);
        if (model_version != NULL)
            snprintf(st->runs[i].model_version, MODEL_VERSION_SIZE, "%s",
                     model_version);
    }
    pthread_mutex_unlock(&st->lock);
    return HITO_OK;
}

static int run_get(void *self, const char *id, json_t **out,
                   struct hito_error *err)
{
    char status[16], version[MODEL_VERSION_SIZE];

    fake_store_run_status(self, id, status, version);
    if (status[0] == '\0')
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "no such run");
    *out = json_pack("{s:s, s:s, s:s}", "id", id, "status", status,
                     "model_version", version);
    return HITO_OK;
}

static int list_messages(void *self, const char *conversation_id, size_t limit,
                         json_t **out, struct hito_error *err)
{
    struct fake_store *st = self;
    size_t i, first;

    (void)conversation_id;
    (void)err;
    *out = json_array();
    pthread_mutex_lock(&st->lock);
    first = st->message_count > limit ? st->message_count - limit : 0;
    for (i = first; i < st->message_count; i++)
        json_array_append_new(*out, json_pack("{s:s, s:s, s:s}", "message_id",
                                              st->messages[i].id, "text",
                                              st->messages[i].text, "intent",
                                              st->messages[i].intent));
    pthread_mutex_unlock(&st->lock);
    return HITO_OK;
}

static const struct iabot_store_ops fake_ops = {
    save_message, save_feedback, load_corrections, save_model,
    load_model,   activate,      rollback,         run_create,
    run_update,   run_get,       list_messages,
};

void fake_store_init(struct fake_store *store, struct iabot_store *port)
{
    memset(store, 0, sizeof(*store));
    pthread_mutex_init(&store->lock, NULL);
    port->ops = &fake_ops;
    port->self = store;
}

void fake_store_clear(struct fake_store *store)
{
    size_t i;

    for (i = 0; i < store->model_count; i++)
        free(store->models[i].rec.blob);
    pthread_mutex_destroy(&store->lock);
}

void fake_store_run_status(struct fake_store *store, const char *id,
                           char status[16], char version[MODEL_VERSION_SIZE])
{
    size_t i;

    status[0] = '\0';
    version[0] = '\0';
    pthread_mutex_lock(&store->lock);
    for (i = 0; i < store->run_count; i++) {
        if (strcmp(store->runs[i].id, id) == 0) {
            snprintf(status, 16, "%s", store->runs[i].status);
            snprintf(version, MODEL_VERSION_SIZE, "%s",
                     store->runs[i].model_version);
        }
    }
    pthread_mutex_unlock(&store->lock);
}

void fake_store_set_f1(struct fake_store *store, const char *version, double f1)
{
    struct fake_model *fm;

    pthread_mutex_lock(&store->lock);
    fm = find_model(store, version);
    if (fm != NULL)
        fm->rec.heldout_macro_f1 = f1;
    pthread_mutex_unlock(&store->lock);
}

static int llm_classify(void *self, const char *text, enum intent *out,
                        struct hito_error *err)
{
    struct fake_llm *llm = self;

    llm->calls++;
    snprintf(llm->last_text, sizeof(llm->last_text), "%s", text);
    if (llm->fail)
        return hito_error_set(err, HITO_ERR_TIMEOUT, "fake LLM timed out");
    *out = llm->reply;
    return HITO_OK;
}

static const struct iabot_llm_ops fake_llm_ops = {llm_classify};

void fake_llm_port(struct fake_llm *llm, struct iabot_llm *port)
{
    port->ops = &fake_llm_ops;
    port->self = llm;
}

#define FIXTURES_DEFAULT "reference/services/iabot/fixtures"
#define FIXTURE_MAX_BYTES (4 * 1024 * 1024)

char *fake_read_fixture(const char *name)
{
    const char *dir = getenv("IABOT_FIXTURES");
    char path[512];
    FILE *f;
    char *buf;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : FIXTURES_DEFAULT,
             name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    buf = malloc(FIXTURE_MAX_BYTES + 1);
    n = buf != NULL ? fread(buf, 1, FIXTURE_MAX_BYTES, f) : 0;
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    return buf;
}

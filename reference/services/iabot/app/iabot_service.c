#include "iabot_service.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "evaluation.h"
#include "hito/log.h"
#include "hito/metrics.h"
#include "plan.h"
#include "promotion.h"

#define METRIC_ANALYSE_SECONDS "iabot_analyse_seconds"
#define METRIC_INTENTS "iabot_intents_total"
#define METRIC_LOW_CONFIDENCE "iabot_low_confidence_total"
#define METRIC_LLM_FAILURES "iabot_llm_failures_total"
#define METRIC_MODEL_INFO "iabot_model_info"
#define LABEL_MAX 160

/* A model with the held-out figures it was scored with. */
struct scored_model {
    struct model *model;
    struct model_score score;
};

struct iabot_service {
    struct iabot_service_options opts;
    char heldout_hash[DATASET_HASH_SIZE];

    pthread_rwlock_t lock; /* guards active and candidate */
    struct scored_model active;
    struct scored_model candidate; /* last model loaded by version, cached */

    pthread_mutex_t worker_lock; /* guards the fields below */
    pthread_cond_t worker_wake;
    pthread_t worker;
    int worker_started;
    int stopping;
    char pending_run[IABOT_ID_SIZE]; /* "" when none is queued */
    int running;
};

static pthread_key_t stemmer_key;
static pthread_once_t stemmer_once = PTHREAD_ONCE_INIT;

static void free_stemmer(void *st)
{
    stemmer_free(st);
}

static void create_stemmer_key(void)
{
    pthread_key_create(&stemmer_key, free_stemmer);
}

/* Returns the calling thread's stemmer (libstemmer instances are not
 * thread-safe). */
static struct stemmer *thread_stemmer(void)
{
    struct stemmer *st;

    pthread_once(&stemmer_once, create_stemmer_key);
    st = pthread_getspecific(stemmer_key);
    if (st == NULL) {
        st = stemmer_new();
        if (st != NULL && pthread_setspecific(stemmer_key, st) != 0) {
            stemmer_free(st);
            st = NULL;
        }
    }
    return st;
}

static void new_id(char out[IABOT_ID_SIZE])
{
    uuid_t id;

    uuid_generate_random(id);
    uuid_unparse_lower(id, out);
}

static void publish_model_version(const char *old_version,
                                  const char *new_version)
{
    char labels[LABEL_MAX];

    if (old_version != NULL && old_version[0] != '\0') {
        snprintf(labels, sizeof(labels), "version=\"%s\"", old_version);
        metrics_set(METRIC_MODEL_INFO, labels, 0);
    }
    snprintf(labels, sizeof(labels), "version=\"%s\"", new_version);
    metrics_set(METRIC_MODEL_INFO, labels, 1);
}

static void define_metrics(void)
{
    metrics_define(METRIC_ANALYSE_SECONDS,
                   "Time to analyse one message, model and LLM.",
                   METRICS_HISTOGRAM);
    metrics_define(METRIC_INTENTS, "Messages analysed, by intent returned.",
                   METRICS_COUNTER);
    metrics_define(
        METRIC_LOW_CONFIDENCE,
        "Messages whose model confidence was below the handover threshold.",
        METRICS_COUNTER);
    metrics_define(METRIC_LLM_FAILURES, "LLM calls that failed or timed out.",
                   METRICS_COUNTER);
    metrics_define(METRIC_MODEL_INFO, "Model in use (1) by version.",
                   METRICS_GAUGE);
}

/* Loads a stored model. On success the caller owns out->model. */
static int load_scored(struct iabot_service *s, const char *version,
                       struct scored_model *out, struct hito_error *err)
{
    struct iabot_model_record rec;
    int rc =
        s->opts.store.ops->load_model(s->opts.store.self, version, &rec, err);

    if (rc != HITO_OK)
        return rc;
    rc = model_deserialise(rec.blob, rec.len, &out->model, err);
    free(rec.blob);
    if (rc != HITO_OK)
        return rc;
    out->score.macro_f1 = rec.heldout_macro_f1;
    out->score.accuracy = rec.heldout_accuracy;
    snprintf(out->score.heldout_hash, sizeof(out->score.heldout_hash), "%s",
             rec.heldout_hash);
    return HITO_OK;
}

/* Trains on the seed set and the stored corrections, scores on the held-out set
 * and stores it. */
static int train_and_store(struct iabot_service *s, struct model **out,
                           size_t *corrections, struct hito_error *err)
{
    struct stemmer *st = thread_stemmer();
    struct dataset *ds = dataset_new();
    struct dataset *fixes = dataset_new();
    struct evaluation *ev = malloc(sizeof(*ev));
    struct model *m = NULL;
    unsigned char *blob = NULL;
    size_t len = 0, i;
    int rc = HITO_OK, k;

    *corrections = 0;
    if (st == NULL || ds == NULL || fixes == NULL || ev == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory for training");
        goto out;
    }
    for (i = 0; rc == HITO_OK && i < s->opts.seed->count; i++)
        rc = dataset_add(ds, s->opts.seed->items[i].intent,
                         s->opts.seed->items[i].text, err);
    if (rc == HITO_OK)
        rc = s->opts.store.ops->load_corrections(
            s->opts.store.self, fixes, IABOT_MAX_CORRECTIONS, corrections, err);
    for (i = 0; rc == HITO_OK && i < fixes->count; i++) {
        for (k = 0; rc == HITO_OK && k < IABOT_CORRECTION_WEIGHT; k++)
            rc = dataset_add(ds, fixes->items[i].intent, fixes->items[i].text,
                             err);
    }
    if (rc == HITO_OK)
        rc = model_train(ds, &s->opts.params, st, s->opts.catalogue, &m, err);
    if (rc == HITO_OK)
        rc = evaluation_run(m, s->opts.heldout, st, s->opts.catalogue, ev, err);
    if (rc == HITO_OK) {
        m->heldout_accuracy = (float)ev->accuracy;
        m->heldout_macro_f1 = (float)ev->macro_f1;
        rc = model_serialise(m, &blob, &len, err);
    }
    if (rc == HITO_OK)
        rc = s->opts.store.ops->save_model(s->opts.store.self, m, blob, len,
                                           s->heldout_hash, err);
out:
    free(blob);
    free(ev);
    dataset_free(ds);
    dataset_free(fixes);
    if (rc != HITO_OK) {
        model_free(m);
        return rc;
    }
    *out = m;
    return HITO_OK;
}

/* Loads the active model, or trains, stores and activates the first one. */
static int load_or_bootstrap(struct iabot_service *s, struct hito_error *err)
{
    struct model *m = NULL;
    size_t corrections = 0;
    int rc = load_scored(s, NULL, &s->active, err);

    if (rc != HITO_ERR_NOT_FOUND)
        return rc;
    LOG_INFO("no model in use; training the first one from the seed set");
    rc = train_and_store(s, &m, &corrections, err);
    if (rc == HITO_OK)
        rc = s->opts.store.ops->activate(s->opts.store.self, m->version, err);
    model_free(m);
    if (rc != HITO_OK)
        return rc;
    return load_scored(s, NULL, &s->active, err);
}

static void run_training(struct iabot_service *s, const char *id)
{
    struct hito_error err = {0};
    struct model *m = NULL;
    size_t corrections = 0;
    char *metrics_json = NULL;
    json_t *metrics;
    int rc;

    s->opts.store.ops->run_update(s->opts.store.self, id, "running", NULL, NULL,
                                  NULL, NULL);
    LOG_INFO("training run started", "run_id", id);
    rc = train_and_store(s, &m, &corrections, &err);
    if (rc != HITO_OK) {
        LOG_ERROR("training run failed", "run_id", id, "error", err.message);
        s->opts.store.ops->run_update(s->opts.store.self, id, "failed", NULL,
                                      NULL, err.message, NULL);
        return;
    }
    metrics = json_pack("{s:f, s:f, s:i, s:i, s:s}", "heldout_accuracy",
                        (double)m->heldout_accuracy, "heldout_macro_f1",
                        (double)m->heldout_macro_f1, "train_examples",
                        (int)m->train_examples, "corrections", (int)corrections,
                        "data_hash", m->data_hash);
    metrics_json = metrics != NULL ? json_dumps(metrics, JSON_COMPACT) : NULL;
    if (s->opts.store.ops->run_update(s->opts.store.self, id, "succeeded",
                                      m->version, metrics_json, NULL,
                                      &err) != HITO_OK)
        LOG_ERROR("recording a training run failed", "run_id", id, "error",
                  err.message);
    else
        LOG_INFO("training run succeeded", "run_id", id, "model_version",
                 m->version);
    free(metrics_json);
    json_decref(metrics);
    model_free(m);
}

static void *worker_main(void *arg)
{
    struct iabot_service *s = arg;
    char id[IABOT_ID_SIZE];

    pthread_mutex_lock(&s->worker_lock);
    for (;;) {
        while (!s->stopping && s->pending_run[0] == '\0')
            pthread_cond_wait(&s->worker_wake, &s->worker_lock);
        if (s->stopping)
            break;
        memcpy(id, s->pending_run, sizeof(id));
        s->pending_run[0] = '\0';
        s->running = 1;
        pthread_mutex_unlock(&s->worker_lock);
        run_training(s, id);
        pthread_mutex_lock(&s->worker_lock);
        s->running = 0;
    }
    pthread_mutex_unlock(&s->worker_lock);
    return NULL;
}

struct iabot_service *iabot_service_new(
    const struct iabot_service_options *opts, struct hito_error *err)
{
    struct iabot_service *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->opts = *opts;
    dataset_hash(opts->heldout, s->heldout_hash);
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->worker_lock, NULL);
    pthread_cond_init(&s->worker_wake, NULL);
    define_metrics();
    if (load_or_bootstrap(s, err) != HITO_OK) {
        iabot_service_free(s);
        return NULL;
    }
    publish_model_version(NULL, s->active.model->version);
    if (pthread_create(&s->worker, NULL, worker_main, s) != 0) {
        hito_error_set(err, HITO_ERR_IO, "cannot start the training worker");
        iabot_service_free(s);
        return NULL;
    }
    s->worker_started = 1;
    return s;
}

void iabot_service_free(struct iabot_service *s)
{
    if (s == NULL)
        return;
    if (s->worker_started) {
        pthread_mutex_lock(&s->worker_lock);
        s->stopping = 1;
        pthread_cond_signal(&s->worker_wake);
        pthread_mutex_unlock(&s->worker_lock);
        pthread_join(s->worker, NULL);
    }
    model_free(s->active.model);
    model_free(s->candidate.model);
    pthread_rwlock_destroy(&s->lock);
    pthread_mutex_destroy(&s->worker_lock);
    pthread_cond_destroy(&s->worker_wake);
    free(s);
}

/* Makes sure a model of version is in memory, loading it into the candidate
 * slot. */
static int ensure_loaded(struct iabot_service *s, const char *version,
                         struct hito_error *err)
{
    struct scored_model loaded = {0};
    int hit;
    int rc;

    pthread_rwlock_rdlock(&s->lock);
    hit = strcmp(s->active.model->version, version) == 0 ||
          (s->candidate.model != NULL &&
           strcmp(s->candidate.model->version, version) == 0);
    pthread_rwlock_unlock(&s->lock);
    if (hit)
        return HITO_OK;
    rc = load_scored(s, version, &loaded, err);
    if (rc != HITO_OK)
        return rc;
    pthread_rwlock_wrlock(&s->lock);
    model_free(s->candidate.model);
    s->candidate = loaded;
    pthread_rwlock_unlock(&s->lock);
    return HITO_OK;
}

/*
 * Returns the model of version, or the active one when version is NULL.
 * The caller holds s->lock.
 */
static const struct model *pick_model(struct iabot_service *s,
                                      const char *version)
{
    if (version == NULL || strcmp(s->active.model->version, version) == 0)
        return s->active.model;
    if (s->candidate.model != NULL &&
        strcmp(s->candidate.model->version, version) == 0)
        return s->candidate.model;
    return NULL;
}

struct analysis_result {
    struct prediction pred;
    char version[MODEL_VERSION_SIZE];
    json_t *entities;
    json_t *plan;
};

/* Classifies text with the requested model and builds entities and plan. */
static int classify(struct iabot_service *s,
                    const struct iabot_analyse_request *req, struct analysis *a,
                    struct analysis_result *r, struct hito_error *err)
{
    struct feature_vector *fv = malloc(sizeof(*fv));
    struct stemmer *st = thread_stemmer();
    const struct model *m;
    int rc;

    if (fv == NULL || st == NULL) {
        free(fv);
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    pthread_rwlock_rdlock(&s->lock);
    m = pick_model(s, req->model_version);
    if (m == NULL) {
        rc =
            hito_error_set(err, HITO_ERR_NOT_FOUND,
                           "model %s is not loaded; retry", req->model_version);
    } else {
        rc = model_classify(m, st, s->opts.catalogue, req->text, a, fv,
                            &r->pred, err);
        snprintf(r->version, sizeof(r->version), "%s", m->version);
    }
    pthread_rwlock_unlock(&s->lock);
    free(fv);
    if (rc == HITO_OK) {
        r->entities = plan_entities_json(a);
        if (r->entities == NULL)
            rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    return rc;
}

/*
 * Asks the language model when the embedded one is not confident, and keeps
 * handover when that call fails. Returns the source of the intent.
 */
static const char *ask_llm(struct iabot_service *s, const char *text,
                           struct prediction *pred)
{
    struct hito_error err = {0};
    enum intent intent;

    if (s->opts.llm == NULL || pred->intent != INTENT_HANDOVER)
        return "model";
    if (s->opts.llm->ops->classify(s->opts.llm->self, text, &intent, &err) !=
        HITO_OK) {
        metrics_add(METRIC_LLM_FAILURES, "", 1);
        LOG_WARN("LLM classification failed; keeping handover", "error",
                 err.message);
        return "model";
    }
    pred->intent = intent;
    return "llm";
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) +
           (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void count_result(const struct prediction *pred, int low_confidence,
                         double seconds)
{
    char labels[LABEL_MAX];

    snprintf(labels, sizeof(labels), "intent=\"%s\"",
             intent_name(pred->intent));
    metrics_add(METRIC_INTENTS, labels, 1);
    if (low_confidence)
        metrics_add(METRIC_LOW_CONFIDENCE, "", 1);
    metrics_observe(METRIC_ANALYSE_SECONDS, "", seconds);
}

static int check_request(const struct iabot_analyse_request *req,
                         struct hito_error *err)
{
    size_t len = strlen(req->text);

    if (len == 0 || len > IABOT_MAX_TEXT_BYTES)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "text must be 1 to %d bytes, got %zu",
                              IABOT_MAX_TEXT_BYTES, len);
    if (req->conversation_id[0] == '\0' ||
        strlen(req->conversation_id) >= IABOT_NAME_MAX ||
        req->customer_id[0] == '\0' ||
        strlen(req->customer_id) >= IABOT_NAME_MAX)
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "conversation_id and customer_id must be 1 to %d bytes",
            IABOT_NAME_MAX - 1);
    return HITO_OK;
}

int iabot_service_analyse(struct iabot_service *s,
                          const struct iabot_analyse_request *req, json_t **out,
                          struct hito_error *err)
{
    struct analysis_result r = {0};
    struct analysis *a = malloc(sizeof(*a));
    struct iabot_message_record rec = {0};
    struct timespec start;
    int rc = check_request(req, err);
    int low_confidence;

    clock_gettime(CLOCK_MONOTONIC, &start);
    if (a == NULL && rc == HITO_OK)
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    if (a != NULL)
        a->folded = NULL;
    if (rc == HITO_OK && req->model_version != NULL)
        rc = ensure_loaded(s, req->model_version, err);
    if (rc == HITO_OK)
        rc = classify(s, req, a, &r, err);
    if (rc != HITO_OK)
        goto out;
    low_confidence = r.pred.intent == INTENT_HANDOVER;
    rec.source = ask_llm(s, req->text, &r.pred);
    r.plan = plan_build(r.pred.intent, a);
    new_id(rec.id);
    rec.conversation_id = req->conversation_id;
    rec.customer_id = req->customer_id;
    rec.text = req->text;
    rec.intent = intent_name(r.pred.intent);
    rec.confidence = r.pred.confidence;
    rec.model_version = r.version;
    rc = s->opts.store.ops->save_message(s->opts.store.self, &rec, err);
    if (rc != HITO_OK)
        goto out;
    *out =
        json_pack("{s:s, s:s, s:f, s:s, s:O, s:O, s:s}", "message_id", rec.id,
                  "intent", rec.intent, "confidence", (double)r.pred.confidence,
                  "source", rec.source, "entities", r.entities, "reply_plan",
                  r.plan, "model_version", r.version);
    if (*out == NULL)
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    else
        count_result(&r.pred, low_confidence, seconds_since(&start));
out:
    json_decref(r.entities);
    json_decref(r.plan);
    if (a != NULL)
        analysis_clear(a);
    free(a);
    return rc;
}

int iabot_service_feedback(struct iabot_service *s, const char *message_id,
                           const char *intent, const char *source, json_t **out,
                           struct hito_error *err)
{
    long long id = 0;
    int parsed = intent_parse(intent);
    int rc;

    if (parsed < 0 || parsed >= INTENT_CLASSES)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "intent \"%s\" is not a trained intent", intent);
    if (strcmp(source, "operator") != 0 && strcmp(source, "outcome") != 0)
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "source must be \"operator\" or \"outcome\", got \"%s\"", source);
    rc = s->opts.store.ops->save_feedback(s->opts.store.self, message_id,
                                          intent, source, &id, err);
    if (rc != HITO_OK)
        return rc;
    *out =
        json_pack("{s:I, s:s, s:s, s:s}", "feedback_id", (json_int_t)id,
                  "message_id", message_id, "intent", intent, "source", source);
    return *out != NULL ? HITO_OK
                        : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

int iabot_service_start_training(struct iabot_service *s, json_t **out,
                                 struct hito_error *err)
{
    char id[IABOT_ID_SIZE];
    int busy;
    int rc;

    pthread_mutex_lock(&s->worker_lock);
    busy = s->running || s->pending_run[0] != '\0';
    pthread_mutex_unlock(&s->worker_lock);
    if (busy)
        return hito_error_set(err, HITO_ERR_CONFLICT,
                              "a training run is already in progress");
    new_id(id);
    rc = s->opts.store.ops->run_create(s->opts.store.self, id, err);
    if (rc != HITO_OK)
        return rc;
    pthread_mutex_lock(&s->worker_lock);
    busy = s->running || s->pending_run[0] != '\0';
    if (!busy) {
        memcpy(s->pending_run, id, sizeof(id));
        pthread_cond_signal(&s->worker_wake);
    }
    pthread_mutex_unlock(&s->worker_lock);
    if (busy) {
        s->opts.store.ops->run_update(
            s->opts.store.self, id, "failed", NULL, NULL,
            "another training run started first", NULL);
        return hito_error_set(err, HITO_ERR_CONFLICT,
                              "a training run is already in progress");
    }
    *out = json_pack("{s:s, s:s}", "id", id, "status", "queued");
    return *out != NULL ? HITO_OK
                        : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

int iabot_service_training_run(struct iabot_service *s, const char *id,
                               json_t **out, struct hito_error *err)
{
    return s->opts.store.ops->run_get(s->opts.store.self, id, out, err);
}

static json_t *score_json(const char *version, const struct model_score *score)
{
    return json_pack("{s:s, s:f, s:f}", "version", version, "heldout_macro_f1",
                     score->macro_f1, "heldout_accuracy", score->accuracy);
}

/* Replaces the active model with next (taking ownership) and publishes the
 * version. */
static void swap_active(struct iabot_service *s, struct scored_model *next)
{
    char old_version[MODEL_VERSION_SIZE], new_version[MODEL_VERSION_SIZE];
    struct scored_model old;

    pthread_rwlock_wrlock(&s->lock);
    old = s->active;
    s->active = *next;
    if (s->candidate.model != NULL &&
        strcmp(s->candidate.model->version, s->active.model->version) == 0) {
        model_free(s->candidate.model);
        memset(&s->candidate, 0, sizeof(s->candidate));
    }
    memcpy(old_version, old.model->version, sizeof(old_version));
    memcpy(new_version, s->active.model->version, sizeof(new_version));
    pthread_rwlock_unlock(&s->lock);
    publish_model_version(old_version, new_version);
    model_free(old.model);
}

int iabot_service_promote(struct iabot_service *s, const char *version,
                          json_t **out, struct hito_error *err)
{
    struct scored_model next = {0};
    struct model_score current;
    char current_version[MODEL_VERSION_SIZE];
    enum promotion_verdict verdict;
    int rc = load_scored(s, version, &next, err);

    if (rc != HITO_OK)
        return rc;
    pthread_rwlock_rdlock(&s->lock);
    current = s->active.score;
    snprintf(current_version, sizeof(current_version), "%s",
             s->active.model->version);
    pthread_rwlock_unlock(&s->lock);
    verdict = strcmp(current_version, version) == 0
                  ? PROMOTION_NOT_BETTER
                  : promotion_decide(&current, &next.score);
    *out =
        json_pack("{s:s, s:o, s:o}", "verdict", promotion_verdict_name(verdict),
                  "current", score_json(current_version, &current), "candidate",
                  score_json(version, &next.score));
    if (verdict != PROMOTION_ACCEPT) {
        model_free(next.model);
        return hito_error_set(
            err, HITO_ERR_CONFLICT,
            "model %s does not beat %s on the held-out set (macro-F1 %.4f vs "
            "%.4f): %s",
            version, current_version, next.score.macro_f1, current.macro_f1,
            promotion_verdict_name(verdict));
    }
    rc = s->opts.store.ops->activate(s->opts.store.self, version, err);
    if (rc != HITO_OK) {
        model_free(next.model);
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    swap_active(s, &next);
    LOG_INFO("model promoted", "model_version", version, "previous",
             current_version);
    return HITO_OK;
}

int iabot_service_rollback(struct iabot_service *s, json_t **out,
                           struct hito_error *err)
{
    struct scored_model previous = {0};
    char restored[MODEL_VERSION_SIZE];
    int rc = s->opts.store.ops->rollback(s->opts.store.self, restored, err);

    if (rc == HITO_OK)
        rc = load_scored(s, restored, &previous, err);
    if (rc != HITO_OK)
        return rc;
    swap_active(s, &previous);
    LOG_INFO("model rolled back", "model_version", restored);
    *out = json_pack("{s:s}", "model_version", restored);
    return *out != NULL ? HITO_OK
                        : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

void iabot_service_model_version(struct iabot_service *s,
                                 char out[MODEL_VERSION_SIZE])
{
    pthread_rwlock_rdlock(&s->lock);
    snprintf(out, MODEL_VERSION_SIZE, "%s", s->active.model->version);
    pthread_rwlock_unlock(&s->lock);
}

int iabot_service_conversation(struct iabot_service *s,
                               const char *conversation_id, long limit,
                               json_t **out, struct hito_error *err)
{
    json_t *messages = NULL;
    int rc;

    if (conversation_id[0] == '\0' || strlen(conversation_id) >= IABOT_NAME_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "conversation_id must be 1 to %d bytes",
                              IABOT_NAME_MAX - 1);
    if (limit < 1 || limit > IABOT_MAX_HISTORY)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "limit must be 1 to %d, got %ld",
                              IABOT_MAX_HISTORY, limit);
    rc = s->opts.store.ops->list_messages(s->opts.store.self, conversation_id,
                                          (size_t)limit, &messages, err);
    if (rc != HITO_OK)
        return rc;
    *out = json_pack("{s:s, s:o}", "conversation_id", conversation_id,
                     "messages", messages);
    return *out != NULL ? HITO_OK
                        : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

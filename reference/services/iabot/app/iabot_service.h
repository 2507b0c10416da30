/*
 * iabot_service.h - the IA bot's use cases: analyse a message, store
 * feedback, train, promote and roll back models. It owns the model in use
 * and a training worker thread. The HTTP adapter calls it, and it reaches
 * the outside only through the ports (ports/iabot_ports.h).
 */
#ifndef IABOT_SERVICE_H
#define IABOT_SERVICE_H

#include <jansson.h>

#include "catalogue.h"
#include "dataset.h"
#include "hito/err.h"
#include "iabot_ports.h"
#include "model.h"

/* Messages longer than this are rejected (bytes of UTF-8). */
#define IABOT_MAX_TEXT_BYTES 4096
/* Corrections from feedback read into one training run, newest first. */
#define IABOT_MAX_CORRECTIONS 5000
/* Each correction is added this many times, so one example can outweigh
 * the seed utterances it contradicts. */
#define IABOT_CORRECTION_WEIGHT 3

struct iabot_service_options {
    struct iabot_store store;
    const struct iabot_llm *llm; /* NULL: no language model */
    const struct catalogue *catalogue;
    const struct dataset *seed; /* training utterances (fixtures/train.tsv) */
    const struct dataset
        *heldout; /* held-out set for promotion (fixtures/test.tsv) */
    struct model_params params;
};

struct iabot_analyse_request {
    const char *conversation_id;
    const char *customer_id;
    const char *text;
    const char *model_version; /* NULL: the model in use */
};

struct iabot_service;

/*
 * Starts the service: loads the active model from the store, or trains one
 * on the seed set and makes it active when the store has none, and starts
 * the training worker. NULL with err filled on failure. The options'
 * pointers must outlive the service.
 */
struct iabot_service *iabot_service_new(
    const struct iabot_service_options *opts, struct hito_error *err);

/* Stops the training worker (waiting for a running training) and frees s. */
void iabot_service_free(struct iabot_service *s);

/*
 * Analyses one message, stores it, and returns {message_id, intent,
 * confidence, source, entities, reply_plan, model_version} in *out.
 * Errors: HITO_ERR_INVALID (text), HITO_ERR_NOT_FOUND (model_version),
 * store errors.
 */
int iabot_service_analyse(struct iabot_service *s,
                          const struct iabot_analyse_request *req, json_t **out,
                          struct hito_error *err);

/*
 * Stores a correction and returns {feedback_id, message_id, intent,
 * source}.
 */
int iabot_service_feedback(struct iabot_service *s, const char *message_id,
                           const char *intent, const char *source, json_t **out,
                           struct hito_error *err);

/*
 * Queues a training run on the worker thread and returns {id, status}.
 * HITO_ERR_CONFLICT when a run is already queued or running.
 */
int iabot_service_start_training(struct iabot_service *s, json_t **out,
                                 struct hito_error *err);

/* Returns a training run's status and metrics. */
int iabot_service_training_run(struct iabot_service *s, const char *id,
                               json_t **out, struct hito_error *err);

/*
 * Makes version the model in use when it beats the current one on the
 * held-out set (domain/promotion.h). On HITO_ERR_CONFLICT *out contains both
 * models' figures and the verdict.
 */
int iabot_service_promote(struct iabot_service *s, const char *version,
                          json_t **out, struct hito_error *err);

/* Goes back to the model in use before the current one; returns its version. */
int iabot_service_rollback(struct iabot_service *s, json_t **out,
                           struct hito_error *err);

/* Maximum number of messages one history request returns. */
#define IABOT_MAX_HISTORY 200

/*
 * Returns the latest limit (1..IABOT_MAX_HISTORY) messages of a
 * conversation, oldest first, with the corrected intent of each, for the
 * person who takes over a conversation. Errors: HITO_ERR_INVALID (id or
 * limit), store errors.
 */
int iabot_service_conversation(struct iabot_service *s,
                               const char *conversation_id, long limit,
                               json_t **out, struct hito_error *err);

/* Copies the version of the model in use into out. */
void iabot_service_model_version(struct iabot_service *s,
                                 char out[MODEL_VERSION_SIZE]);

#endif

/*
 * iabot_ports.h - what the IA bot needs from the outside, as structs of
 * function pointers: a store (conversation history, feedback, models,
 * training runs) and an optional language model. adapters/ implements them;
 * app/ uses them only through these structs.
 */
#ifndef IABOT_PORTS_H
#define IABOT_PORTS_H

#include <jansson.h>
#include <stddef.h>

#include "dataset.h"
#include "hito/err.h"
#include "intent.h"
#include "model.h"

#define IABOT_ID_SIZE 37   /* UUID text and NUL */
#define IABOT_NAME_MAX 128 /* conversation and customer ids, NUL included */

struct iabot_message_record {
    char id[IABOT_ID_SIZE];
    const char *conversation_id;
    const char *customer_id;
    const char *text;
    const char *intent;
    double confidence;
    const char *source; /* "model" or "llm" */
    const char *model_version;
};

/* A stored model: its blob and the held-out figures it was scored with. */
struct iabot_model_record {
    char version[MODEL_VERSION_SIZE];
    unsigned char *blob; /* owned by the caller after load_model */
    size_t len;
    char heldout_hash[DATASET_HASH_SIZE];
    double heldout_accuracy;
    double heldout_macro_f1;
};

struct iabot_store_ops {
    /* Stores one analysed message. */
    int (*save_message)(void *self, const struct iabot_message_record *m,
                        struct hito_error *err);
    /*
     * Stores a correction of message_id's intent. Returns HITO_ERR_NOT_FOUND
     * when the message does not exist. *feedback_id receives the new row's id.
     */
    int (*save_feedback)(void *self, const char *message_id, const char *intent,
                         const char *source, long long *feedback_id,
                         struct hito_error *err);
    /*
     * Appends to ds the text of each corrected message with its latest
     * correction, at most limit messages, newest first.
     */
    int (*load_corrections)(void *self, struct dataset *ds, size_t limit,
                            size_t *count, struct hito_error *err);
    /* Stores a trained model as a candidate. */
    int (*save_model)(void *self, const struct model *m,
                      const unsigned char *blob, size_t len,
                      const char *heldout_hash, struct hito_error *err);
    /*
     * Loads a model: the active one when version is NULL. HITO_ERR_NOT_FOUND
     * when there is none. The caller frees out->blob.
     */
    int (*load_model)(void *self, const char *version,
                      struct iabot_model_record *out, struct hito_error *err);
    /* Makes version the active model and retires the one before. */
    int (*activate)(void *self, const char *version, struct hito_error *err);
    /*
     * Retires the active model and makes the previously promoted one active
     * again, and copies its version into restored. HITO_ERR_NOT_FOUND when no
     * model was active before the current one.
     */
    int (*rollback)(void *self, char restored[MODEL_VERSION_SIZE],
                    struct hito_error *err);
    /* Creates a training run in status "queued"; id receives its UUID. */
    int (*run_create)(void *self, const char *id, struct hito_error *err);
    /* Sets a run's status, and model version, metrics (JSON text) or error when
     * not NULL. */
    int (*run_update)(void *self, const char *id, const char *status,
                      const char *model_version, const char *metrics_json,
                      const char *error, struct hito_error *err);
    /*
     * Returns a run as a new JSON object, or HITO_ERR_NOT_FOUND for an
     * unknown id.
     */
    int (*run_get)(void *self, const char *id, json_t **out,
                   struct hito_error *err);
    /*
     * Returns the latest limit messages of a conversation, oldest first, as
     * a new JSON array of {message_id, customer_id, text, intent,
     * confidence, source, model_version, created_at, corrected_intent}.
     */
    int (*list_messages)(void *self, const char *conversation_id, size_t limit,
                         json_t **out, struct hito_error *err);
};

struct iabot_store {
    const struct iabot_store_ops *ops;
    void *self;
};

struct iabot_llm_ops {
    /*
     * Classifies one customer message into *out. Only the message text is
     * sent. Errors: HITO_ERR_TIMEOUT, HITO_ERR_UNAVAILABLE, HITO_ERR_PROTOCOL
     * (a response that is not one of the intents).
     */
    int (*classify)(void *self, const char *text, enum intent *out,
                    struct hito_error *err);
};

struct iabot_llm {
    const struct iabot_llm_ops *ops;
    void *self;
};

#endif

/*
 * model.h - the intent classifier: multinomial logistic regression with L2
 * regularisation over hashed features (intent_features.h), trained by SGD in a
 * seeded, deterministic order, with a softmax temperature fitted on
 * out-of-fold predictions so its confidence reads as a probability.
 *
 * Serialised form (little-endian), MODEL_FORMAT_VERSION 1:
 *   "HITOIAB\0", u32 format version, u32 dim_bits, u32 classes,
 *   u64 seed, u32 epochs, f32 learning rate, f32 l2, f32 threshold,
 *   f32 temperature, u32 training examples, f32 default idf,
 *   64 bytes training data SHA-256 hex, f32 held-out accuracy,
 *   f32 held-out macro-F1, f32 bias[classes], u32 rows,
 *   then per row: u32 feature index, f32 idf, f32 weight[classes].
 * Rows are the features seen in training, in index order. Every other
 * feature has the default IDF and zero weights.
 */
#ifndef IABOT_MODEL_H
#define IABOT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "dataset.h"
#include "intent_features.h"
#include "hito/err.h"
#include "intent.h"

#define MODEL_FORMAT_VERSION 1
/* "m-" and 12 hex digits of the SHA-256 of the model's weights, NUL included.
 */
#define MODEL_VERSION_SIZE 15
/* Largest serialised model accepted, in bytes. */
#define MODEL_MAX_BLOB_BYTES (64u * 1024 * 1024)
#define MODEL_MAX_EPOCHS 1000

struct model_params {
    unsigned dim_bits;    /* 2^dim_bits hashed features */
    unsigned epochs;      /* passes over the training set */
    double learning_rate; /* initial SGD step */
    double l2;            /* L2 penalty per example */
    uint64_t seed;        /* order of the examples (same seed, same model) */
    double threshold;     /* confidence below which the intent is handover */
};

struct model {
    struct model_params params;
    uint32_t train_examples;
    float default_idf; /* IDF of a feature never seen in training */
    float *idf;        /* [2^dim_bits] */
    float *weights;    /* [2^dim_bits][INTENT_CLASSES] */
    float bias[INTENT_CLASSES];
    float temperature;
    char data_hash[DATASET_HASH_SIZE];
    float heldout_accuracy; /* set by the caller that evaluates the model; 0
                               unknown */
    float heldout_macro_f1;
    char version[MODEL_VERSION_SIZE];
};

struct prediction {
    enum intent intent; /* best, or INTENT_HANDOVER below the threshold */
    enum intent best;   /* the most probable trained intent */
    float confidence;   /* probability of best */
    float probs[INTENT_CLASSES];
};

/* Fills p with the defaults (dim_bits 18, 40 epochs, seed 1, threshold 0.4). */
void model_params_default(struct model_params *p);

/*
 * Trains a model on ds. st and cat give the same analysis the model will see
 * at classification time (cat may be NULL). The caller frees *out with
 * model_free(). Errors: HITO_ERR_INVALID (bad params, an empty dataset, an
 * intent without examples is allowed), HITO_ERR_NOMEM.
 */
int model_train(const struct dataset *ds, const struct model_params *p,
                struct stemmer *st, const struct catalogue *cat,
                struct model **out, struct hito_error *err);

void model_free(struct model *m);

/* Predicts from the raw features of one message (features_extract()). */
void model_predict(const struct model *m, const struct feature_vector *raw,
                   struct prediction *out);

/*
 * Analyses text into a (caller-allocated, cleared by the caller with
 * analysis_clear() on success) and predicts its intent. fv is scratch space.
 * Errors as analysis_run().
 */
int model_classify(const struct model *m, struct stemmer *st,
                   const struct catalogue *cat, const char *text,
                   struct analysis *a, struct feature_vector *fv,
                   struct prediction *out, struct hito_error *err);

/*
 * Serialises m into a malloc'd blob the caller frees. Errors: HITO_ERR_NOMEM.
 */
int model_serialise(const struct model *m, unsigned char **blob, size_t *len,
                    struct hito_error *err);

/*
 * Reads a blob written by model_serialise(). Errors: HITO_ERR_INVALID (wrong
 * magic, format version, class count, truncated or oversized blob),
 * HITO_ERR_NOMEM.
 */
int model_deserialise(const unsigned char *blob, size_t len, struct model **out,
                      struct hito_error *err);

/* Computes m->version from its weights, parameters and training data hash. */
int model_update_version(struct model *m, struct hito_error *err);

/*
 * Allocates an empty model of p->dim_bits with all IDFs at default_idf;
 * NULL when out of memory. For model_train() and model_deserialise().
 */
struct model *model_alloc(const struct model_params *p, float default_idf);

/*
 * Turns raw counts into the model's input: (1 + ln count) * IDF, then scaled
 * to unit L2 norm. values receives raw->count entries.
 */
void model_weigh(const struct model *m, const struct feature_vector *raw,
                 float *values);

#endif

#include "model.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = {'H', 'I', 'T', 'O', 'I', 'A', 'B', '\0'};

void model_params_default(struct model_params *p)
{
    p->dim_bits = 18;
    p->epochs = 40;
    p->learning_rate = 0.5;
    p->l2 = 1e-4;
    p->seed = 1;
    p->threshold = 0.4;
}

struct model *model_alloc(const struct model_params *p, float default_idf)
{
    size_t dim = (size_t)1 << p->dim_bits;
    struct model *m = calloc(1, sizeof(*m));
    size_t i;

    if (m == NULL)
        return NULL;
    m->params = *p;
    m->default_idf = default_idf;
    m->temperature = 1.0f;
    m->idf = malloc(dim * sizeof(*m->idf));
    m->weights = calloc(dim * INTENT_CLASSES, sizeof(*m->weights));
    if (m->idf == NULL || m->weights == NULL) {
        model_free(m);
        return NULL;
    }
    for (i = 0; i < dim; i++)
        m->idf[i] = default_idf;
    return m;
}

void model_free(struct model *m)
{
    if (m == NULL)
        return;
    free(m->idf);
    free(m->weights);
    free(m);
}

void model_weigh(const struct model *m, const struct feature_vector *raw,
                 float *values)
{
    double norm = 0;
    size_t i;

    for (i = 0; i < raw->count; i++) {
        values[i] =
            (1.0f + logf(raw->items[i].value)) * m->idf[raw->items[i].index];
        norm += (double)values[i] * values[i];
    }
    norm = sqrt(norm);
    for (i = 0; i < raw->count && norm > 0; i++)
        values[i] = (float)(values[i] / norm);
}

void model_predict(const struct model *m, const struct feature_vector *raw,
                   struct prediction *out)
{
    float values[FEATURES_MAX];
    double logits[INTENT_CLASSES];
    double max, sum = 0;
    size_t i;
    int k, best = 0;

    model_weigh(m, raw, values);
    for (k = 0; k < INTENT_CLASSES; k++)
        logits[k] = m->bias[k];
    for (i = 0; i < raw->count; i++) {
        const float *w =
            m->weights + (size_t)raw->items[i].index * INTENT_CLASSES;

        for (k = 0; k < INTENT_CLASSES; k++)
            logits[k] += (double)w[k] * values[i];
    }
    for (k = 1; k < INTENT_CLASSES; k++) {
        if (logits[k] > logits[best])
            best = k;
    }
    max = logits[best];
    for (k = 0; k < INTENT_CLASSES; k++) {
        logits[k] = exp((logits[k] - max) / m->temperature);
        sum += logits[k];
    }
    for (k = 0; k < INTENT_CLASSES; k++)
        out->probs[k] = (float)(logits[k] / sum);
    out->best = (enum intent)best;
    out->confidence = out->probs[best];
    out->intent =
        out->confidence < m->params.threshold ? INTENT_HANDOVER : out->best;
}

int model_classify(const struct model *m, struct stemmer *st,
                   const struct catalogue *cat, const char *text,
                   struct analysis *a, struct feature_vector *fv,
                   struct prediction *out, struct hito_error *err)
{
    int rc = analysis_run(a, st, cat, text, err);

    if (rc != HITO_OK)
        return rc;
    features_extract(a, m->params.dim_bits, fv);
    model_predict(m, fv, out);
    return HITO_OK;
}

/* A growable byte buffer for serialisation. */
struct writer {
    unsigned char *data;
    size_t len;
    size_t capacity;
    int failed;
};

static void put(struct writer *w, const void *bytes, size_t len)
{
    if (w->failed)
        return;
    if (w->len + len > w->capacity) {
        size_t capacity = w->capacity == 0 ? 4096 : w->capacity;
        unsigned char *data;

        while (capacity < w->len + len)
            capacity *= 2;
        data = realloc(w->data, capacity);
        if (data == NULL) {
            w->failed = 1;
            return;
        }
        w->data = data;
        w->capacity = capacity;
    }
    memcpy(w->data + w->len, bytes, len);
    w->len += len;
}

static void put_u32(struct writer *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};

    put(w, b, sizeof(b));
}

static void put_u64(struct writer *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

static void put_f32(struct writer *w, float f)
{
    uint32_t v;

    memcpy(&v, &f, sizeof(v));
    put_u32(w, v);
}

static int row_is_used(const struct model *m, size_t j)
{
    const float *row = m->weights + j * INTENT_CLASSES;
    int k;

    for (k = 0; k < INTENT_CLASSES; k++) {
        if (row[k] != 0.0f)
            return 1;
    }
    return m->idf[j] != m->default_idf;
}

/* Writes the model; with_metrics 0 writes zero held-out figures (for the
 * version). */
static void write_model(struct writer *w, const struct model *m,
                        int with_metrics)
{
    size_t dim = (size_t)1 << m->params.dim_bits;
    uint32_t rows = 0;
    size_t j;
    int k;

    put(w, magic, sizeof(magic));
    put_u32(w, MODEL_FORMAT_VERSION);
    put_u32(w, m->params.dim_bits);
    put_u32(w, INTENT_CLASSES);
    put_u64(w, m->params.seed);
    put_u32(w, m->params.epochs);
    put_f32(w, (float)m->params.learning_rate);
    put_f32(w, (float)m->params.l2);
    put_f32(w, (float)m->params.threshold);
    put_f32(w, m->temperature);
    put_u32(w, m->train_examples);
    put_f32(w, m->default_idf);
    put(w, m->data_hash, DATASET_HASH_SIZE - 1);
    put_f32(w, with_metrics ? m->heldout_accuracy : 0.0f);
    put_f32(w, with_metrics ? m->heldout_macro_f1 : 0.0f);
    for (k = 0; k < INTENT_CLASSES; k++)
        put_f32(w, m->bias[k]);
    for (j = 0; j < dim; j++)
        rows += (uint32_t)row_is_used(m, j);
    put_u32(w, rows);
    for (j = 0; j < dim; j++) {
        if (!row_is_used(m, j))
            continue;
        put_u32(w, (uint32_t)j);
        put_f32(w, m->idf[j]);
        for (k = 0; k < INTENT_CLASSES; k++)
            put_f32(w, m->weights[j * INTENT_CLASSES + k]);
    }
}

int model_update_version(struct model *m, struct hito_error *err)
{
    struct writer w = {0};
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int i;

    write_model(&w, m, 0);
    if (w.failed) {
        free(w.data);
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "out of memory serialising the model");
    }
    if (EVP_Digest(w.data, w.len, digest, &digest_len, EVP_sha256(), NULL) !=
        1) {
        free(w.data);
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "SHA-256 of the model failed");
    }
    free(w.data);
    memcpy(m->version, "m-", 2);
    for (i = 0; i < 6; i++)
        snprintf(m->version + 2 + 2 * i, 3, "%02x", digest[i]);
    return HITO_OK;
}

int model_serialise(const struct model *m, unsigned char **blob, size_t *len,
                    struct hito_error *err)
{
    struct writer w = {0};

    write_model(&w, m, 1);
    if (w.failed) {
        free(w.data);
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "out of memory serialising the model");
    }
    *blob = w.data;
    *len = w.len;
    return HITO_OK;
}

struct reader {
    const unsigned char *data;
    size_t len;
    size_t pos;
    int failed;
};

static void get(struct reader *r, void *out, size_t len)
{
    if (r->failed || r->len - r->pos < len) {
        r->failed = 1;
        memset(out, 0, len);
        return;
    }
    memcpy(out, r->data + r->pos, len);
    r->pos += len;
}

static uint32_t get_u32(struct reader *r)
{
    unsigned char b[4];

    get(r, b, sizeof(b));
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static uint64_t get_u64(struct reader *r)
{
    uint64_t low = get_u32(r);

    return low | (uint64_t)get_u32(r) << 32;
}

static float get_f32(struct reader *r)
{
    uint32_t v = get_u32(r);
    float f;

    memcpy(&f, &v, sizeof(f));
    return f;
}

static int read_header(struct reader *r, struct model_params *p,
                       struct hito_error *err)
{
    char head[sizeof(magic)];
    uint32_t format, classes;

    get(r, head, sizeof(head));
    if (r->failed || memcmp(head, magic, sizeof(magic)) != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "not a model blob (wrong magic)");
    format = get_u32(r);
    if (format != MODEL_FORMAT_VERSION)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "model format %u is not supported (want %d)",
                              format, MODEL_FORMAT_VERSION);
    p->dim_bits = get_u32(r);
    classes = get_u32(r);
    if (p->dim_bits < FEATURES_MIN_BITS || p->dim_bits > FEATURES_MAX_BITS)
        return hito_error_set(
            err, HITO_ERR_INVALID, "model has %u feature bits, outside %d..%d",
            p->dim_bits, FEATURES_MIN_BITS, FEATURES_MAX_BITS);
    if (classes != INTENT_CLASSES)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "model has %u classes, expected %d", classes,
                              INTENT_CLASSES);
    p->seed = get_u64(r);
    p->epochs = get_u32(r);
    p->learning_rate = get_f32(r);
    p->l2 = get_f32(r);
    p->threshold = get_f32(r);
    return r->failed ? hito_error_set(err, HITO_ERR_INVALID,
                                      "model blob is truncated")
                     : HITO_OK;
}

static int read_rows(struct reader *r, struct model *m, struct hito_error *err)
{
    size_t dim = (size_t)1 << m->params.dim_bits;
    uint32_t rows = get_u32(r);
    uint32_t i;
    int k;

    if (rows > dim)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "model has %u rows for %zu features", rows, dim);
    for (i = 0; i < rows && !r->failed; i++) {
        uint32_t j = get_u32(r);

        if (j >= dim)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "model row index %u is out of range", j);
        m->idf[j] = get_f32(r);
        for (k = 0; k < INTENT_CLASSES; k++)
            m->weights[(size_t)j * INTENT_CLASSES + k] = get_f32(r);
    }
    if (r->failed)
        return hito_error_set(err, HITO_ERR_INVALID, "model blob is truncated");
    if (r->pos != r->len)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "model blob has %zu bytes after the end",
                              r->len - r->pos);
    return HITO_OK;
}

int model_deserialise(const unsigned char *blob, size_t len, struct model **out,
                      struct hito_error *err)
{
    struct reader r = {blob, len, 0, 0};
    struct model_params p;
    struct model *m = NULL;
    float temperature, default_idf;
    uint32_t examples;
    int rc, k;

    if (len > MODEL_MAX_BLOB_BYTES)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "model blob of %zu bytes is over %u", len,
                              MODEL_MAX_BLOB_BYTES);
    rc = read_header(&r, &p, err);
    if (rc != HITO_OK)
        return rc;
    temperature = get_f32(&r);
    examples = get_u32(&r);
    default_idf = get_f32(&r);
    m = model_alloc(&p, default_idf);
    if (m == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "out of memory loading the model");
    m->temperature = temperature;
    m->train_examples = examples;
    get(&r, m->data_hash, DATASET_HASH_SIZE - 1);
    m->data_hash[DATASET_HASH_SIZE - 1] = '\0';
    m->heldout_accuracy = get_f32(&r);
    m->heldout_macro_f1 = get_f32(&r);
    for (k = 0; k < INTENT_CLASSES; k++)
        m->bias[k] = get_f32(&r);
    rc = read_rows(&r, m, err);
    if (rc == HITO_OK && !(temperature > 0.0f))
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "model temperature must be positive");
    if (rc == HITO_OK)
        rc = model_update_version(m, err);
    if (rc != HITO_OK) {
        model_free(m);
        return rc;
    }
    *out = m;
    return HITO_OK;
}

/*
 * train.c - model_train(): SGD for multinomial logistic regression, then a
 * softmax temperature fitted on out-of-fold predictions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Folds of the out-of-fold predictions the temperature is fitted on. */
#define CALIBRATION_FOLDS 5
#define TEMPERATURE_MIN 0.05
#define TEMPERATURE_MAX 20.0
#define TEMPERATURE_STEPS 60
/* The weight scale is folded back into the weights below this value. */
#define SCALE_MIN 1e-6

/* One training example as weighed, unit-norm features. */
struct row {
    enum intent intent;
    size_t count;
    uint32_t *index;
    float *value;
};

struct trainer {
    const struct model_params *p;
    struct row *rows;
    size_t count;
    double *weights; /* [dim][INTENT_CLASSES], times scale */
    double scale;
    double bias[INTENT_CLASSES];
};

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64*: small, seedable and the same on every platform. */
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ull;
}

static void free_rows(struct row *rows, size_t count)
{
    size_t i;

    for (i = 0; rows != NULL && i < count; i++) {
        free(rows[i].index);
        free(rows[i].value);
    }
    free(rows);
}

/* Analyses every example into raw feature vectors kept in rows (values raw). */
static int extract_rows(const struct dataset *ds, unsigned dim_bits,
                        struct stemmer *st, const struct catalogue *cat,
                        struct row *rows, struct hito_error *err)
{
    struct analysis *a = malloc(sizeof(*a));
    struct feature_vector *fv = malloc(sizeof(*fv));
    int rc = HITO_OK;
    size_t i, k;

    if (a == NULL || fv == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory for training");
        goto out;
    }
    for (i = 0; i < ds->count; i++) {
        rc = analysis_run(a, st, cat, ds->items[i].text, err);
        if (rc != HITO_OK)
            goto out;
        features_extract(a, dim_bits, fv);
        analysis_clear(a);
        rows[i].intent = ds->items[i].intent;
        rows[i].count = fv->count;
        rows[i].index = malloc(fv->count * sizeof(uint32_t) + 1);
        rows[i].value = malloc(fv->count * sizeof(float) + 1);
        if (rows[i].index == NULL || rows[i].value == NULL) {
            rc = hito_error_set(err, HITO_ERR_NOMEM,
                                "out of memory for training");
            goto out;
        }
        for (k = 0; k < fv->count; k++) {
            rows[i].index[k] = fv->items[k].index;
            rows[i].value[k] = fv->items[k].value;
        }
    }
out:
    free(a);
    free(fv);
    return rc;
}

/* Sets smoothed IDFs, ln((1 + n) / (1 + df)) + 1, and weighs every row. */
static int weigh_rows(struct model *m, struct row *rows, size_t count)
{
    size_t dim = (size_t)1 << m->params.dim_bits;
    uint32_t *df = calloc(dim, sizeof(*df));
    struct feature_vector *fv = malloc(sizeof(*fv));
    float values[FEATURES_MAX];
    size_t i, k;
    int rc = HITO_ERR_NOMEM;

    if (df == NULL || fv == NULL)
        goto out;
    for (i = 0; i < count; i++) {
        for (k = 0; k < rows[i].count; k++)
            df[rows[i].index[k]]++;
    }
    for (k = 0; k < dim; k++) {
        if (df[k] > 0)
            m->idf[k] = (float)(log((1.0 + count) / (1.0 + df[k])) + 1.0);
    }
    for (i = 0; i < count; i++) {
        fv->count = rows[i].count;
        for (k = 0; k < rows[i].count; k++) {
            fv->items[k].index = rows[i].index[k];
            fv->items[k].value = rows[i].value[k];
        }
        model_weigh(m, fv, values);
        memcpy(rows[i].value, values, rows[i].count * sizeof(float));
    }
    rc = HITO_OK;
out:
    free(df);
    free(fv);
    return rc;
}

static void logits_of(const struct trainer *t, const struct row *r, double *z)
{
    size_t k;
    int c;

    for (c = 0; c < INTENT_CLASSES; c++)
        z[c] = 0;
    for (k = 0; k < r->count; k++) {
        const double *w = t->weights + (size_t)r->index[k] * INTENT_CLASSES;

        for (c = 0; c < INTENT_CLASSES; c++)
            z[c] += w[c] * r->value[k];
    }
    for (c = 0; c < INTENT_CLASSES; c++)
        z[c] = z[c] * t->scale + t->bias[c];
}

static void softmax(double *z, double temperature)
{
    double max = z[0], sum = 0;
    int c;

    for (c = 1; c < INTENT_CLASSES; c++)
        max = z[c] > max ? z[c] : max;
    for (c = 0; c < INTENT_CLASSES; c++) {
        z[c] = exp((z[c] - max) / temperature);
        sum += z[c];
    }
    for (c = 0; c < INTENT_CLASSES; c++)
        z[c] /= sum;
}

static void fold_scale(struct trainer *t, size_t dim)
{
    size_t j;

    for (j = 0; j < dim * INTENT_CLASSES; j++)
        t->weights[j] *= t->scale;
    t->scale = 1.0;
}

/* One SGD step on row r; L2 shrinks every weight through t->scale. */
static void step(struct trainer *t, const struct row *r, double eta, size_t dim)
{
    double z[INTENT_CLASSES];
    size_t k;
    int c;

    logits_of(t, r, z);
    softmax(z, 1.0);
    z[r->intent] -= 1.0; /* gradient of the cross-entropy by the logits */
    t->scale *= 1.0 - eta * t->p->l2;
    if (t->scale < SCALE_MIN)
        fold_scale(t, dim);
    for (k = 0; k < r->count; k++) {
        double *w = t->weights + (size_t)r->index[k] * INTENT_CLASSES;
        double x = eta * r->value[k] / t->scale;

        for (c = 0; c < INTENT_CLASSES; c++)
            w[c] -= z[c] * x;
    }
    for (c = 0; c < INTENT_CLASSES; c++)
        t->bias[c] -= eta * z[c];
}

/*
 * Runs SGD over the rows whose fold differs from skip_fold (-1: all rows).
 * The step size decays as eta0 / (1 + eta0 * l2 * t).
 */
static int run_sgd(struct trainer *t, const int *fold, int skip_fold,
                   size_t dim)
{
    size_t *order = malloc(t->count * sizeof(*order) + 1);
    uint64_t state = t->p->seed * 0x9E3779B97F4A7C15ull + 1;
    size_t n = 0, i, e, steps = 0;

    if (order == NULL)
        return HITO_ERR_NOMEM;
    for (i = 0; i < t->count; i++) {
        if (fold[i] != skip_fold)
            order[n++] = i;
    }
    memset(t->weights, 0, dim * INTENT_CLASSES * sizeof(*t->weights));
    memset(t->bias, 0, sizeof(t->bias));
    t->scale = 1.0;
    for (e = 0; e < t->p->epochs; e++) {
        for (i = n; i > 1; i--) {
            size_t j = (size_t)(next_random(&state) % i);
            size_t tmp = order[i - 1];

            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (i = 0; i < n; i++) {
            double eta = t->p->learning_rate /
                         (1.0 + t->p->learning_rate * t->p->l2 * steps++);

            step(t, &t->rows[order[i]], eta, dim);
        }
    }
    fold_scale(t, dim);
    free(order);
    return HITO_OK;
}

static double nll_at(const double *logits, const struct row *rows, size_t count,
                     double temp)
{
    double z[INTENT_CLASSES];
    double nll = 0;
    size_t i;

    for (i = 0; i < count; i++) {
        memcpy(z, logits + i * INTENT_CLASSES, sizeof(z));
        softmax(z, temp);
        nll -= log(z[rows[i].intent] + 1e-12);
    }
    return nll;
}

/*
 * Fits the temperature that minimises the log-loss of out-of-fold logits,
 * by golden-section search on ln(temperature).
 */
static double fit_temperature(const double *logits, const struct row *rows,
                              size_t count)
{
    const double ratio = 0.6180339887498949;
    double lo = log(TEMPERATURE_MIN), hi = log(TEMPERATURE_MAX);
    int i;

    for (i = 0; i < TEMPERATURE_STEPS; i++) {
        double a = hi - ratio * (hi - lo);
        double b = lo + ratio * (hi - lo);

        if (nll_at(logits, rows, count, exp(a)) <
            nll_at(logits, rows, count, exp(b)))
            hi = b;
        else
            lo = a;
    }
    return exp((lo + hi) / 2);
}

static int calibrate(struct trainer *t, int *fold, size_t dim,
                     double *temperature)
{
    double *logits = malloc(t->count * INTENT_CLASSES * sizeof(*logits) + 1);
    size_t i;
    int f, rc = HITO_OK;

    if (logits == NULL)
        return HITO_ERR_NOMEM;
    for (f = 0; f < CALIBRATION_FOLDS && rc == HITO_OK; f++) {
        rc = run_sgd(t, fold, f, dim);
        for (i = 0; i < t->count && rc == HITO_OK; i++) {
            if (fold[i] == f)
                logits_of(t, &t->rows[i], logits + i * INTENT_CLASSES);
        }
    }
    if (rc == HITO_OK)
        *temperature = fit_temperature(logits, t->rows, t->count);
    free(logits);
    return rc;
}

static int check_params(const struct dataset *ds, const struct model_params *p,
                        struct hito_error *err)
{
    if (p->dim_bits < FEATURES_MIN_BITS || p->dim_bits > FEATURES_MAX_BITS)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "dim_bits %u is outside %d..%d", p->dim_bits,
                              FEATURES_MIN_BITS, FEATURES_MAX_BITS);
    if (p->epochs == 0 || p->epochs > MODEL_MAX_EPOCHS)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "epochs %u is outside 1..%d", p->epochs,
                              MODEL_MAX_EPOCHS);
    if (!(p->learning_rate > 0) || !(p->l2 >= 0) ||
        !(p->threshold >= 0 && p->threshold <= 1))
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "learning rate must be > 0, l2 >= 0 and threshold within 0..1");
    if (ds->count < CALIBRATION_FOLDS)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "need at least %d examples, got %zu",
                              CALIBRATION_FOLDS, ds->count);
    return HITO_OK;
}

/* Copies the trained weights into the model's float arrays. */
static void store_weights(struct model *m, const struct trainer *t, size_t dim)
{
    size_t j;
    int c;

    for (j = 0; j < dim * INTENT_CLASSES; j++)
        m->weights[j] = (float)t->weights[j];
    for (c = 0; c < INTENT_CLASSES; c++)
        m->bias[c] = (float)t->bias[c];
}

int model_train(const struct dataset *ds, const struct model_params *p,
                struct stemmer *st, const struct catalogue *cat,
                struct model **out, struct hito_error *err)
{
    struct trainer t = {p, NULL, ds->count, NULL, 1.0, {0}};
    size_t dim = (size_t)1 << p->dim_bits;
    struct model *m = NULL;
    int *fold = NULL;
    double temperature = 1.0;
    int rc = check_params(ds, p, err);
    size_t i;

    if (rc != HITO_OK)
        return rc;
    m = model_alloc(p, (float)(log(1.0 + ds->count) + 1.0));
    t.rows = calloc(ds->count, sizeof(*t.rows));
    t.weights = malloc(dim * INTENT_CLASSES * sizeof(*t.weights));
    fold = malloc(ds->count * sizeof(*fold));
    if (m == NULL || t.rows == NULL || t.weights == NULL || fold == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory for training");
        goto out;
    }
    rc = extract_rows(ds, p->dim_bits, st, cat, t.rows, err);
    if (rc != HITO_OK)
        goto out;
    for (i = 0; i < ds->count; i++)
        fold[i] = (int)(i % CALIBRATION_FOLDS);
    rc = weigh_rows(m, t.rows, t.count);
    if (rc == HITO_OK)
        rc = calibrate(&t, fold, dim, &temperature);
    if (rc == HITO_OK)
        rc = run_sgd(&t, fold, -1, dim);
    if (rc != HITO_OK) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory for training");
        goto out;
    }
    store_weights(m, &t, dim);
    m->temperature = (float)temperature;
    m->train_examples = (uint32_t)ds->count;
    dataset_hash(ds, m->data_hash);
    rc = model_update_version(m, err);
out:
    free_rows(t.rows, t.count);
    free(t.weights);
    free(fold);
    if (rc != HITO_OK) {
        model_free(m);
        return rc;
    }
    *out = m;
    return HITO_OK;
}

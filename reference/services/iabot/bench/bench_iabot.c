/*
 * bench_iabot.c - trains the intent model on a labelled file, evaluates it
 * on another and times classification, then writes the figures as JSON.
 *
 *   iabot-bench TRAIN.tsv TEST.tsv CATALOGUE.tsv OUT.json [ROUNDS]
 *
 * Latency is per message: folding, tokenising, stemming, entity extraction,
 * features and prediction, timed with CLOCK_MONOTONIC around each call over
 * ROUNDS passes of the test set (default 50).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../domain/evaluation.h"
#include "../domain/model.h"

#define BENCH_MAX_FILE_BYTES (16 * 1024 * 1024)
#define BENCH_DEFAULT_ROUNDS 50
#define BENCH_MAX_ROUNDS 10000

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;

    if (f == NULL) {
        fprintf(stderr, "iabot-bench: cannot open %s\n", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        size > BENCH_MAX_FILE_BYTES || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[size] = '\0';
out:
    if (buf == NULL)
        fprintf(stderr, "iabot-bench: cannot read %s (limit %d bytes)\n", path,
                BENCH_MAX_FILE_BYTES);
    fclose(f);
    return buf;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double percentile(const double *sorted, size_t n, double q)
{
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);

    return sorted[i < n ? i : n - 1];
}

static json_t *time_classification(const struct model *m,
                                   const struct dataset *test,
                                   struct stemmer *st,
                                   const struct catalogue *cat, int rounds)
{
    size_t n = test->count * (size_t)rounds, k = 0, i;
    double *samples = malloc(n * sizeof(*samples) + 1);
    struct analysis *a = malloc(sizeof(*a));
    struct feature_vector *fv = malloc(sizeof(*fv));
    json_t *out = NULL;
    double sum = 0;
    int r;

    if (samples == NULL || a == NULL || fv == NULL)
        goto done;
    for (r = 0; r < rounds; r++) {
        for (i = 0; i < test->count; i++) {
            struct prediction pred;
            double start = now_seconds();

            if (model_classify(m, st, cat, test->items[i].text, a, fv, &pred,
                               NULL) != HITO_OK)
                goto done;
            analysis_clear(a);
            samples[k] = (now_seconds() - start) * 1e6;
            sum += samples[k++];
        }
    }
    qsort(samples, n, sizeof(*samples), by_value);
    out = json_pack("{s:I, s:f, s:f, s:f, s:f}", "samples", (json_int_t)n,
                    "p50_us", percentile(samples, n, 0.50), "p99_us",
                    percentile(samples, n, 0.99), "max_us", samples[n - 1],
                    "mean_us", sum / (double)n);
done:
    free(samples);
    free(a);
    free(fv);
    return out;
}

static json_t *evaluation_json(const struct evaluation *ev)
{
    json_t *matrix = json_array(), *f1 = json_object(), *labels = json_array();
    int t, p;

    for (t = 0; t < INTENT_CLASSES; t++) {
        json_t *row = json_array();

        for (p = 0; p < INTENT_CLASSES; p++)
            json_array_append_new(
                row, json_integer((json_int_t)ev->confusion[t][p]));
        json_array_append_new(matrix, row);
        json_array_append_new(labels, json_string(intent_name((enum intent)t)));
        json_object_set_new(f1, intent_name((enum intent)t),
                            json_real(ev->f1[t]));
    }
    return json_pack(
        "{s:I, s:f, s:f, s:o, s:o, s:o, s:f, s:f, s:f}", "examples",
        (json_int_t)ev->examples, "accuracy", ev->accuracy, "macro_f1",
        ev->macro_f1, "labels", labels, "confusion", matrix, "f1", f1,
        "handover_rate", ev->handover_rate, "accuracy_with_handover",
        ev->handover_accuracy, "calibration_error", ev->calibration_error);
}

static int load(const char *path, struct dataset *ds)
{
    struct hito_error err = {0};
    char *buf = read_file(path);
    int rc;

    if (buf == NULL)
        return -1;
    rc = dataset_parse(ds, buf, &err);
    free(buf);
    if (rc != HITO_OK)
        fprintf(stderr, "iabot-bench: %s: %s\n", path, err.message);
    return rc;
}

/* Trains twice with the same seed and reports whether the blobs are equal. */
static int same_bytes_twice(const struct dataset *train,
                            const struct model_params *p, struct stemmer *st,
                            const struct catalogue *cat,
                            const unsigned char *blob, size_t len)
{
    struct model *again = NULL;
    unsigned char *blob2 = NULL;
    size_t len2 = 0;
    int same;

    if (model_train(train, p, st, cat, &again, NULL) != HITO_OK ||
        model_serialise(again, &blob2, &len2, NULL) != HITO_OK) {
        model_free(again);
        return 0;
    }
    same = len2 == len && memcmp(blob, blob2, len) == 0;
    free(blob2);
    model_free(again);
    return same;
}

static int run(const char **paths, int rounds, struct stemmer *st,
               struct catalogue *cat, struct dataset *train,
               struct dataset *test)
{
    struct hito_error err = {0};
    struct model_params params;
    struct model *m = NULL;
    struct evaluation ev;
    unsigned char *blob = NULL;
    size_t len = 0;
    double start, train_seconds;
    json_t *report = NULL;
    int rc = -1;

    model_params_default(&params);
    start = now_seconds();
    if (model_train(train, &params, st, cat, &m, &err) != HITO_OK) {
        fprintf(stderr, "iabot-bench: training failed: %s\n", err.message);
        goto out;
    }
    train_seconds = now_seconds() - start;
    if (evaluation_run(m, test, st, cat, &ev, &err) != HITO_OK ||
        model_serialise(m, &blob, &len, &err) != HITO_OK) {
        fprintf(stderr, "iabot-bench: evaluation failed: %s\n", err.message);
        goto out;
    }
    report = json_pack(
        "{s:s, s:s, s:I, s:I, s:f, s:o, s:o, s:{s:I, s:I, s:I, s:f}, s:b,"
        " s:{s:I, s:I, s:f, s:f, s:f, s:I}}",
        "implementation",
        "hito C (hashed word 1-2 grams + char 2-5 grams + entities, SGD LR)",
        "model_version", m->version, "train_examples", (json_int_t)train->count,
        "test_examples", (json_int_t)test->count, "train_seconds",
        train_seconds, "evaluation", evaluation_json(&ev), "latency",
        time_classification(m, test, st, cat, rounds), "model",
        "serialised_bytes", (json_int_t)len, "memory_bytes",
        (json_int_t)(((size_t)1 << params.dim_bits) * (INTENT_CLASSES + 1) *
                     sizeof(float)),
        "dim_bits", (json_int_t)params.dim_bits, "temperature",
        (double)m->temperature, "deterministic",
        same_bytes_twice(train, &params, st, cat, blob, len), "params",
        "epochs", (json_int_t)params.epochs, "seed", (json_int_t)params.seed,
        "learning_rate", params.learning_rate, "l2", params.l2, "threshold",
        params.threshold, "rounds", (json_int_t)rounds);
    if (report == NULL ||
        json_dump_file(report, paths[3], JSON_INDENT(2)) != 0) {
        fprintf(stderr, "iabot-bench: cannot write %s\n", paths[3]);
        goto out;
    }
    rc = 0;
out:
    json_decref(report);
    free(blob);
    model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    struct stemmer *st = stemmer_new();
    struct catalogue *cat = catalogue_new();
    struct dataset *train = dataset_new(), *test = dataset_new();
    struct hito_error err = {0};
    int rounds = argc > 5 ? atoi(argv[5]) : BENCH_DEFAULT_ROUNDS;
    char *cat_text = NULL;
    int rc = 1;

    if (argc < 5 || rounds < 1 || rounds > BENCH_MAX_ROUNDS) {
        fprintf(stderr,
                "usage: iabot-bench TRAIN.tsv TEST.tsv CATALOGUE.tsv OUT.json "
                "[ROUNDS, 1..%d]\n",
                BENCH_MAX_ROUNDS);
        goto out;
    }
    if (st == NULL || cat == NULL || train == NULL || test == NULL)
        goto out;
    cat_text = read_file(argv[3]);
    if (cat_text == NULL ||
        catalogue_parse(cat, st, cat_text, &err) != HITO_OK) {
        fprintf(stderr, "iabot-bench: %s: %s\n", argv[3], err.message);
        goto out;
    }
    if (load(argv[1], train) != 0 || load(argv[2], test) != 0)
        goto out;
    rc =
        run((const char **)argv + 1, rounds, st, cat, train, test) == 0 ? 0 : 1;
out:
    free(cat_text);
    dataset_free(train);
    dataset_free(test);
    catalogue_free(cat);
    stemmer_free(st);
    return rc;
}

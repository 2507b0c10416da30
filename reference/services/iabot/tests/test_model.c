/*
 * Unit tests of domain/model.c and train.c: determinism, serialisation,
 * the handover threshold and a quality floor on the committed split.
 * The fixtures are read with fake_read_fixture() (tests/iabot_fakes.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../domain/evaluation.h"
#include "../domain/model.h"
#include "iabot_fakes.h"

/* Small feature space so each training in these tests stays fast. */
#define TEST_DIM_BITS 14
/* Bounds well past the benchmark's figures: they catch a broken trainer or
 * a broken temperature fit (benchmark: accuracy 0.80, calibration 0.04). */
#define MIN_TEST_ACCURACY 0.70
#define MAX_CALIBRATION_ERROR 0.12

struct fixture {
    struct stemmer *st;
    struct catalogue *cat;
    struct dataset *train;
    struct dataset *test;
    struct model_params params;
};

static int load(struct dataset *ds, const char *name)
{
    char *text = fake_read_fixture(name);
    int rc = text != NULL ? dataset_parse(ds, text, NULL) : -1;

    free(text);
    return rc;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char *cat_text = fake_read_fixture("catalogue.tsv");
    int rc;

    if (f == NULL || cat_text == NULL)
        return -1;
    f->st = stemmer_new();
    f->cat = catalogue_new();
    f->train = dataset_new();
    f->test = dataset_new();
    rc = catalogue_parse(f->cat, f->st, cat_text, NULL);
    free(cat_text);
    if (rc != HITO_OK || load(f->train, "train.tsv") != 0 ||
        load(f->test, "test.tsv") != 0)
        return -1;
    model_params_default(&f->params);
    f->params.dim_bits = TEST_DIM_BITS;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    dataset_free(f->train);
    dataset_free(f->test);
    catalogue_free(f->cat);
    stemmer_free(f->st);
    free(f);
    return 0;
}

static void train_blob(struct fixture *f, const struct model_params *p,
                       unsigned char **blob, size_t *len)
{
    struct model *m = NULL;

    assert_int_equal(model_train(f->train, p, f->st, f->cat, &m, NULL),
                     HITO_OK);
    assert_int_equal(model_serialise(m, blob, len, NULL), HITO_OK);
    model_free(m);
}

static void train_same_seed_same_bytes(void **state)
{
    struct fixture *f = *state;
    unsigned char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;

    train_blob(f, &f->params, &a, &alen);
    train_blob(f, &f->params, &b, &blen);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    free(a);
    free(b);
}

static void train_other_seed_other_bytes(void **state)
{
    struct fixture *f = *state;
    struct model_params other = f->params;
    unsigned char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;

    other.seed = f->params.seed + 1;
    train_blob(f, &f->params, &a, &alen);
    train_blob(f, &other, &b, &blen);
    assert_true(alen != blen || memcmp(a, b, alen) != 0);
    free(a);
    free(b);
}

static void train_records_data_hash(void **state)
{
    struct fixture *f = *state;
    char hash[DATASET_HASH_SIZE];
    struct model *m = NULL;

    dataset_hash(f->train, hash);
    assert_int_equal(strlen(hash), DATASET_HASH_SIZE - 1);
    assert_int_equal(model_train(f->train, &f->params, f->st, f->cat, &m, NULL),
                     HITO_OK);
    assert_string_equal(m->data_hash, hash);
    assert_int_equal(m->train_examples, f->train->count);
    assert_true(m->temperature > 0.0f);
    assert_int_equal(strncmp(m->version, "m-", 2), 0);
    model_free(m);
}

static void serialise_round_trip(void **state)
{
    struct fixture *f = *state;
    struct model *m = NULL, *loaded = NULL;
    struct analysis *a = malloc(sizeof(*a));
    struct feature_vector *fv = malloc(sizeof(*fv));
    unsigned char *blob = NULL;
    size_t len = 0, i;

    assert_non_null(a);
    assert_non_null(fv);
    assert_int_equal(model_train(f->train, &f->params, f->st, f->cat, &m, NULL),
                     HITO_OK);
    m->heldout_macro_f1 = 0.5f;
    assert_int_equal(model_serialise(m, &blob, &len, NULL), HITO_OK);
    assert_int_equal(model_deserialise(blob, len, &loaded, NULL), HITO_OK);
    assert_string_equal(loaded->version, m->version);
    assert_string_equal(loaded->data_hash, m->data_hash);
    assert_float_equal(loaded->heldout_macro_f1, 0.5, 1e-6);
    for (i = 0; i < f->test->count; i++) {
        struct prediction p1, p2;

        assert_int_equal(model_classify(m, f->st, f->cat,
                                        f->test->items[i].text, a, fv, &p1,
                                        NULL),
                         HITO_OK);
        analysis_clear(a);
        assert_int_equal(model_classify(loaded, f->st, f->cat,
                                        f->test->items[i].text, a, fv, &p2,
                                        NULL),
                         HITO_OK);
        analysis_clear(a);
        assert_int_equal(p1.intent, p2.intent);
        assert_float_equal(p1.confidence, p2.confidence, 1e-6);
    }
    free(blob);
    free(a);
    free(fv);
    model_free(m);
    model_free(loaded);
}

static void deserialise_rejects_damage(void **state)
{
    struct fixture *f = *state;
    struct hito_error err = {0};
    struct model *loaded = NULL;
    unsigned char *blob = NULL;
    size_t len = 0;

    train_blob(f, &f->params, &blob, &len);
    assert_int_equal(model_deserialise(blob, len - 1, &loaded, &err),
                     HITO_ERR_INVALID);
    assert_int_equal(model_deserialise(blob, 20, &loaded, &err),
                     HITO_ERR_INVALID);
    blob[0] = 'X';
    assert_int_equal(model_deserialise(blob, len, &loaded, &err),
                     HITO_ERR_INVALID);
    blob[0] = 'H';
    blob[8] = 99; /* format version */
    assert_int_equal(model_deserialise(blob, len, &loaded, &err),
                     HITO_ERR_INVALID);
    assert_null(loaded);
    free(blob);
}

static void train_rejects_bad_params(void **state)
{
    struct fixture *f = *state;
    struct model_params p = f->params;
    struct model *m = NULL;

    p.dim_bits = FEATURES_MAX_BITS + 1;
    assert_int_equal(model_train(f->train, &p, f->st, f->cat, &m, NULL),
                     HITO_ERR_INVALID);
    p = f->params;
    p.epochs = 0;
    assert_int_equal(model_train(f->train, &p, f->st, f->cat, &m, NULL),
                     HITO_ERR_INVALID);
    p = f->params;
    p.threshold = 1.5;
    assert_int_equal(model_train(f->train, &p, f->st, f->cat, &m, NULL),
                     HITO_ERR_INVALID);
    assert_null(m);
}

static void threshold_gives_handover(void **state)
{
    struct fixture *f = *state;
    struct model *m = NULL;
    struct analysis *a = malloc(sizeof(*a));
    struct feature_vector *fv = malloc(sizeof(*fv));
    struct prediction pred;

    assert_non_null(a);
    assert_non_null(fv);
    assert_int_equal(model_train(f->train, &f->params, f->st, f->cat, &m, NULL),
                     HITO_OK);
    m->params.threshold = 1.0;
    assert_int_equal(
        model_classify(m, f->st, f->cat, "hola", a, fv, &pred, NULL), HITO_OK);
    analysis_clear(a);
    assert_int_equal(pred.intent, INTENT_HANDOVER);
    assert_int_equal(pred.best, INTENT_GREETING);
    m->params.threshold = 0.0;
    assert_int_equal(
        model_classify(m, f->st, f->cat, "hola", a, fv, &pred, NULL), HITO_OK);
    analysis_clear(a);
    assert_int_equal(pred.intent, INTENT_GREETING);
    free(a);
    free(fv);
    model_free(m);
}

static void test_set_accuracy_floor(void **state)
{
    struct fixture *f = *state;
    struct model *m = NULL;
    struct evaluation ev;

    assert_int_equal(model_train(f->train, &f->params, f->st, f->cat, &m, NULL),
                     HITO_OK);
    assert_int_equal(evaluation_run(m, f->test, f->st, f->cat, &ev, NULL),
                     HITO_OK);
    assert_int_equal(ev.examples, f->test->count);
    assert_true(ev.accuracy >= MIN_TEST_ACCURACY);
    assert_true(ev.calibration_error >= 0.0);
    assert_true(ev.calibration_error <= MAX_CALIBRATION_ERROR);
    model_free(m);
}

static void dataset_rejects_bad_lines(void **state)
{
    struct dataset *ds = dataset_new();
    struct hito_error err = {0};

    (void)state;
    assert_non_null(ds);
    assert_int_equal(dataset_parse(ds, "greeting\thola\n# comment\n\n", &err),
                     HITO_OK);
    assert_int_equal(ds->count, 1);
    assert_int_equal(dataset_parse(ds, "greeting hola\n", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(dataset_parse(ds, "nonsense\thola\n", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(dataset_parse(ds, "handover\thola\n", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(dataset_parse(ds, "greeting\t\n", &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "line 1"));
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(train_same_seed_same_bytes),
        cmocka_unit_test(train_other_seed_other_bytes),
        cmocka_unit_test(train_records_data_hash),
        cmocka_unit_test(serialise_round_trip),
        cmocka_unit_test(deserialise_rejects_damage),
        cmocka_unit_test(train_rejects_bad_params),
        cmocka_unit_test(threshold_gives_handover),
        cmocka_unit_test(test_set_accuracy_floor),
        cmocka_unit_test(dataset_rejects_bad_lines),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

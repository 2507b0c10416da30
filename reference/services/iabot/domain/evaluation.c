#include "evaluation.h"

#include <stdlib.h>
#include <string.h>

static void compute_scores(struct evaluation *ev, size_t handovers)
{
    size_t correct = 0, used = 0;
    double f1_sum = 0;
    int c, k;

    for (c = 0; c < INTENT_CLASSES; c++) {
        size_t tp = ev->confusion[c][c], actual = 0, predicted = 0;

        for (k = 0; k < INTENT_CLASSES; k++) {
            actual += ev->confusion[c][k];
            predicted += ev->confusion[k][c];
        }
        correct += tp;
        ev->f1[c] = actual + predicted > 0
                        ? 2.0 * tp / (double)(actual + predicted)
                        : 0;
        if (actual + predicted > 0) {
            f1_sum += ev->f1[c];
            used++;
        }
    }
    ev->accuracy = ev->examples > 0 ? (double)correct / ev->examples : 0;
    ev->macro_f1 = used > 0 ? f1_sum / used : 0;
    ev->handover_rate = ev->examples > 0 ? (double)handovers / ev->examples : 0;
}

/* Collects confidence and correctness of each prediction, by bin. */
struct calibration {
    size_t count[EVALUATION_CALIBRATION_BINS];
    double confidence[EVALUATION_CALIBRATION_BINS];
    double correct[EVALUATION_CALIBRATION_BINS];
};

static void calibration_add(struct calibration *c, double confidence,
                            int correct)
{
    int bin = (int)(confidence * EVALUATION_CALIBRATION_BINS);

    if (bin >= EVALUATION_CALIBRATION_BINS)
        bin = EVALUATION_CALIBRATION_BINS - 1;
    if (bin < 0)
        bin = 0;
    c->count[bin]++;
    c->confidence[bin] += confidence;
    c->correct[bin] += correct;
}

static double calibration_error(const struct calibration *c, size_t total)
{
    double sum = 0;
    int bin;

    for (bin = 0; bin < EVALUATION_CALIBRATION_BINS && total > 0; bin++) {
        double gap = c->confidence[bin] - c->correct[bin];

        sum += gap < 0 ? -gap : gap;
    }
    return total > 0 ? sum / (double)total : 0;
}

int evaluation_run(const struct model *m, const struct dataset *ds,
                   struct stemmer *st, const struct catalogue *cat,
                   struct evaluation *ev, struct hito_error *err)
{
    struct analysis *a = malloc(sizeof(*a));
    struct feature_vector *fv = malloc(sizeof(*fv));
    size_t i, handovers = 0, correct_after_handover = 0;
    struct calibration calibration = {{0}, {0}, {0}};
    int rc = HITO_OK;

    memset(ev, 0, sizeof(*ev));
    if (a == NULL || fv == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM,
                            "out of memory for the evaluation");
        goto out;
    }
    for (i = 0; i < ds->count; i++) {
        struct prediction pred;

        rc = model_classify(m, st, cat, ds->items[i].text, a, fv, &pred, err);
        if (rc != HITO_OK)
            goto out;
        analysis_clear(a);
        ev->confusion[ds->items[i].intent][pred.best]++;
        handovers += pred.intent == INTENT_HANDOVER;
        correct_after_handover += pred.intent == ds->items[i].intent;
        calibration_add(&calibration, pred.confidence,
                        pred.best == ds->items[i].intent);
    }
    ev->examples = ds->count;
    compute_scores(ev, handovers);
    ev->handover_accuracy =
        ds->count > 0 ? (double)correct_after_handover / ds->count : 0;
    ev->calibration_error = calibration_error(&calibration, ds->count);
out:
    free(a);
    free(fv);
    return rc;
}

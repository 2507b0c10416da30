/*
 * evaluation.h - accuracy, macro-F1 and the confusion matrix of a model on
 * a labelled set. Figures are on the model's best intent, before the
 * handover threshold. handover_rate is the share of examples whose confidence
 * fell below the threshold.
 */
#ifndef IABOT_EVALUATION_H
#define IABOT_EVALUATION_H

#include <stddef.h>

#include "catalogue.h"
#include "dataset.h"
#include "model.h"

#define EVALUATION_CALIBRATION_BINS 10

struct evaluation {
    size_t examples;
    size_t confusion[INTENT_CLASSES][INTENT_CLASSES]; /* [true][predicted] */
    double accuracy;
    double macro_f1; /* mean F1 over intents with examples or predictions */
    double f1[INTENT_CLASSES];
    double handover_rate;     /* share below the model's threshold */
    double handover_accuracy; /* accuracy when handover counts as wrong */
    /* Expected calibration error: the mean gap between confidence and
     * accuracy over EVALUATION_CALIBRATION_BINS equal-width confidence
     * bins, weighted by the examples in each bin. */
    double calibration_error;
};

/*
 * Classifies every example of ds with m and fills ev. Errors as
 * model_classify() (an example that cannot be analysed) and HITO_ERR_NOMEM.
 */
int evaluation_run(const struct model *m, const struct dataset *ds,
                   struct stemmer *st, const struct catalogue *cat,
                   struct evaluation *ev, struct hito_error *err);

#endif

/*
 * promotion.h - when a newly trained model may replace the one in use.
 *
 * A candidate is promoted only when both models were scored on the same
 * held-out set (same SHA-256) and the candidate's macro-F1 is higher than
 * the current one's by more than PROMOTION_MIN_GAIN. A candidate within
 * that margin is rejected, so a retrain that changes nothing
 * keeps the model in use. With no current model, or one without a score,
 * any scored candidate wins.
 */
#ifndef IABOT_PROMOTION_H
#define IABOT_PROMOTION_H

#include "dataset.h"

/* Smallest macro-F1 improvement that counts as better (absolute). */
#define PROMOTION_MIN_GAIN 0.0

struct model_score {
    double macro_f1;
    double accuracy;
    char heldout_hash[DATASET_HASH_SIZE]; /* "" when the model was not scored */
};

enum promotion_verdict {
    PROMOTION_ACCEPT,
    PROMOTION_NOT_BETTER,    /* candidate's macro-F1 is not higher */
    PROMOTION_DIFFERENT_SET, /* scored on another held-out set */
    PROMOTION_NOT_SCORED     /* candidate has no held-out score */
};

/* Decides whether candidate may replace current (NULL: no model in use). */
enum promotion_verdict promotion_decide(const struct model_score *current,
                                        const struct model_score *candidate);

/* Returns a short name of a verdict ("accept", "not_better", ...). */
const char *promotion_verdict_name(enum promotion_verdict verdict);

#endif

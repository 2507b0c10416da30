#include "promotion.h"

#include <string.h>

enum promotion_verdict promotion_decide(const struct model_score *current,
                                        const struct model_score *candidate)
{
    if (candidate->heldout_hash[0] == '\0')
        return PROMOTION_NOT_SCORED;
    if (current == NULL || current->heldout_hash[0] == '\0')
        return PROMOTION_ACCEPT;
    if (strcmp(current->heldout_hash, candidate->heldout_hash) != 0)
        return PROMOTION_DIFFERENT_SET;
    if (candidate->macro_f1 > current->macro_f1 + PROMOTION_MIN_GAIN)
        return PROMOTION_ACCEPT;
    return PROMOTION_NOT_BETTER;
}

const char *promotion_verdict_name(enum promotion_verdict verdict)
{
    switch (verdict) {
    case PROMOTION_ACCEPT:
        return "accept";
    case PROMOTION_NOT_BETTER:
        return "not_better";
    case PROMOTION_DIFFERENT_SET:
        return "different_set";
    case PROMOTION_NOT_SCORED:
        return "not_scored";
    }
    return "";
}

/*
 * intent_features.h - the sparse feature vector the intent model reads.
 *
 * Features, each hashed (FNV-1a, 32 bits) into 2^dim_bits buckets:
 * - "w:" the stem of each word ("<num>" for each number, "<sym>" for '$',
 *   '+', '#', '?' and other symbols kept as themselves);
 * - "b:" each pair of consecutive stems, with "<s>" and "</s>" at the ends;
 * - "c:" character 2- to 5-grams of each folded word padded with spaces;
 * - "e:" the kind of each entity found ("e:order", "e:otp", ...).
 * Values are term counts; model.c weighs them with IDF and normalises.
 */
#ifndef IABOT_FEATURES_H
#define IABOT_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

/* Most distinct features kept from one message. */
#define FEATURES_MAX 2048
#define FEATURES_MIN_BITS 10
#define FEATURES_MAX_BITS 22

struct feature {
    uint32_t index;
    float value;
};

struct feature_vector {
    struct feature items[FEATURES_MAX];
    size_t count;
};

/*
 * Extracts the features of a into out, sorted by index with duplicates
 * summed. dim_bits must be within FEATURES_MIN_BITS..FEATURES_MAX_BITS.
 */
void features_extract(const struct analysis *a, unsigned dim_bits,
                      struct feature_vector *out);

#endif

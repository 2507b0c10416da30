/*
 * dataset.h - labelled utterances for training and evaluation.
 *
 * The text form is one "intent<TAB>text" line per utterance, UTF-8, with
 * '#' comment lines and blank lines ignored (fixtures/train.tsv).
 */
#ifndef IABOT_DATASET_H
#define IABOT_DATASET_H

#include <stddef.h>

#include "hito/err.h"
#include "intent.h"

#define DATASET_MAX_EXAMPLES 100000
#define DATASET_TEXT_MAX 1024 /* bytes of one utterance, NUL included */
/* SHA-256 in lower-case hex, NUL included. */
#define DATASET_HASH_SIZE 65

struct example {
    enum intent intent;
    char *text;
};

struct dataset {
    struct example *items;
    size_t count;
    size_t capacity;
};

/* Creates an empty dataset; NULL when out of memory. */
struct dataset *dataset_new(void);
void dataset_free(struct dataset *ds);

/*
 * Appends one example (text copied). Errors: HITO_ERR_INVALID (intent is
 * INTENT_HANDOVER or out of range, empty text, text of DATASET_TEXT_MAX bytes
 * or more), HITO_ERR_LIMIT (DATASET_MAX_EXAMPLES reached), HITO_ERR_NOMEM.
 */
int dataset_add(struct dataset *ds, enum intent intent, const char *text,
                struct hito_error *err);

/*
 * Parses the text form from a NUL-terminated buffer and appends each line.
 * Errors as dataset_add() plus an unknown intent, with the line number in err.
 */
int dataset_parse(struct dataset *ds, const char *buf, struct hito_error *err);

/*
 * Computes the SHA-256 of the examples in order, each as
 * "intent<TAB>text<LF>", into hex (DATASET_HASH_SIZE bytes).
 */
void dataset_hash(const struct dataset *ds, char hex[DATASET_HASH_SIZE]);

#endif

/*
 * analysis.h - everything the bot reads from one message before it
 * classifies it: the folded text, its tokens, the stem of each word and the
 * entities.
 */
#ifndef IABOT_ANALYSIS_H
#define IABOT_ANALYSIS_H

#include "catalogue.h"
#include "entities.h"
#include "hito/err.h"
#include "stem.h"
#include "text.h"

struct analysis {
    char *folded; /* owned; see text_fold() */
    struct token_list tokens;
    char stems[TEXT_MAX_TOKENS][STEM_MAX]; /* "" for numbers and symbols */
    struct entity_list entities;
};

/*
 * Analyses text (NUL-terminated UTF-8) into a, which the caller allocates
 * (it is about 60 KiB) and later clears with analysis_clear(). cat may be
 * NULL. Errors as text_fold().
 */
int analysis_run(struct analysis *a, struct stemmer *st,
                 const struct catalogue *cat, const char *text,
                 struct hito_error *err);

/* Frees what analysis_run() allocated inside a; a itself stays the caller's. */
void analysis_clear(struct analysis *a);

#endif

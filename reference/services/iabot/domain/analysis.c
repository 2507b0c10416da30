#include "analysis.h"

#include <stdlib.h>

int analysis_run(struct analysis *a, struct stemmer *st,
                 const struct catalogue *cat, const char *text,
                 struct hito_error *err)
{
    size_t i;

    a->folded = text_fold(text, err);
    if (a->folded == NULL)
        return err != NULL ? err->code : HITO_ERR_INVALID;
    text_tokenise(a->folded, &a->tokens);
    for (i = 0; i < a->tokens.count; i++) {
        const struct token *t = &a->tokens.items[i];

        a->stems[i][0] = '\0';
        if (t->kind == TOKEN_WORD)
            stemmer_stem(st, a->folded + t->start, t->len, a->stems[i]);
    }
    entities_extract(a->folded, &a->tokens, a->stems, cat, &a->entities);
    return HITO_OK;
}

void analysis_clear(struct analysis *a)
{
    free(a->folded);
    a->folded = NULL;
}

#include "catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "text.h"

struct catalogue *catalogue_new(void)
{
    return calloc(1, sizeof(struct catalogue));
}

void catalogue_free(struct catalogue *cat)
{
    if (cat == NULL)
        return;
    free(cat->products);
    free(cat);
}

static int grow(struct catalogue *cat, struct hito_error *err)
{
    size_t capacity = cat->capacity == 0 ? 64 : cat->capacity * 2;
    struct catalogue_product *p;

    if (cat->count >= CATALOGUE_MAX_PRODUCTS)
        return hito_error_set(err, HITO_ERR_LIMIT,
                              "catalogue has the maximum of %d products",
                              CATALOGUE_MAX_PRODUCTS);
    if (cat->count < cat->capacity)
        return HITO_OK;
    if (capacity > CATALOGUE_MAX_PRODUCTS)
        capacity = CATALOGUE_MAX_PRODUCTS;
    p = realloc(cat->products, capacity * sizeof(*p));
    if (p == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "out of memory for the catalogue");
    cat->products = p;
    cat->capacity = capacity;
    return HITO_OK;
}

static int stem_name(struct catalogue_product *p, struct stemmer *st,
                     const char *name, struct hito_error *err)
{
    struct token_list *tokens = NULL;
    char *folded = text_fold(name, err);
    int rc = HITO_OK;
    size_t i;

    if (folded == NULL)
        return err != NULL ? err->code : HITO_ERR_INVALID;
    tokens = malloc(sizeof(*tokens));
    if (tokens == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM,
                            "out of memory for the catalogue");
        goto out;
    }
    text_tokenise(folded, tokens);
    p->word_count = 0;
    for (i = 0; i < tokens->count; i++) {
        const struct token *t = &tokens->items[i];

        if (t->kind == TOKEN_SYMBOL)
            continue;
        if (p->word_count == CATALOGUE_MAX_WORDS) {
            rc = hito_error_set(err, HITO_ERR_INVALID,
                                "product name \"%s\" has more than %d words",
                                name, CATALOGUE_MAX_WORDS);
            goto out;
        }
        stemmer_stem(st, folded + t->start, t->len, p->stems[p->word_count++]);
    }
    if (p->word_count == 0)
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "product name \"%s\" has no words", name);
out:
    free(tokens);
    free(folded);
    return rc;
}

int catalogue_add(struct catalogue *cat, struct stemmer *st, const char *id,
                  const char *name, struct hito_error *err)
{
    struct catalogue_product *p;
    int rc;

    if (id[0] == '\0' || strlen(id) >= CATALOGUE_ID_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "product id must be 1 to %d bytes",
                              CATALOGUE_ID_MAX - 1);
    if (name[0] == '\0' || strlen(name) >= CATALOGUE_NAME_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "product name must be 1 to %d bytes",
                              CATALOGUE_NAME_MAX - 1);
    rc = grow(cat, err);
    if (rc != HITO_OK)
        return rc;
    p = &cat->products[cat->count];
    memset(p, 0, sizeof(*p));
    strcpy(p->id, id);
    strcpy(p->name, name);
    rc = stem_name(p, st, name, err);
    if (rc == HITO_OK)
        cat->count++;
    return rc;
}

int catalogue_parse(struct catalogue *cat, struct stemmer *st, const char *buf,
                    struct hito_error *err)
{
    char line[CATALOGUE_ID_MAX + CATALOGUE_NAME_MAX + 2];
    const char *p = buf;
    int number = 0;
    int got;

    while ((got = lines_next(&p, line, sizeof(line))) != 0) {
        char *tab;
        int rc;

        number++;
        if (got < 0)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "catalogue line %d is too long", number);
        if (lines_skip(line))
            continue;
        tab = strchr(line, '\t');
        if (tab == NULL)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "catalogue line %d: expected \"id<TAB>name\"",
                                  number);
        *tab = '\0';
        rc = catalogue_add(cat, st, line, tab + 1, err);
        if (rc != HITO_OK) {
            char detail[HITO_ERROR_MESSAGE_MAX];

            snprintf(detail, sizeof(detail), "%s",
                     err != NULL ? err->message : "");
            return hito_error_set(err, rc, "catalogue line %d: %s", number,
                                  detail);
        }
    }
    return HITO_OK;
}

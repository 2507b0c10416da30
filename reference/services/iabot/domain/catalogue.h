/*
 * catalogue.h - the product terms the bot recognises in messages. Each
 * product has an id and a name. A name matches a run of words of a message
 * with the same Spanish stems, so case, accents and plurals do not matter
 * ("Camisetas" matches "camiseta").
 */
#ifndef IABOT_CATALOGUE_H
#define IABOT_CATALOGUE_H

#include <stddef.h>

#include "hito/err.h"
#include "stem.h"

#define CATALOGUE_MAX_PRODUCTS 10000
#define CATALOGUE_MAX_WORDS 6  /* words of one product name */
#define CATALOGUE_ID_MAX 64    /* bytes of a product id, NUL included */
#define CATALOGUE_NAME_MAX 128 /* bytes of a product name, NUL included */

struct catalogue_product {
    char id[CATALOGUE_ID_MAX];
    char name[CATALOGUE_NAME_MAX]; /* as given, NFC */
    char stems[CATALOGUE_MAX_WORDS][STEM_MAX];
    size_t word_count;
};

struct catalogue {
    struct catalogue_product *products;
    size_t count;
    size_t capacity;
};

/* Creates an empty catalogue, or returns NULL when out of memory. */
struct catalogue *catalogue_new(void);
void catalogue_free(struct catalogue *cat);

/*
 * Adds a product. The name is folded and stemmed with st. Errors:
 * HITO_ERR_INVALID (empty id or name, a name without words, more than
 * CATALOGUE_MAX_WORDS words, an id or name too long), HITO_ERR_LIMIT (more
 * than CATALOGUE_MAX_PRODUCTS), HITO_ERR_NOMEM.
 */
int catalogue_add(struct catalogue *cat, struct stemmer *st, const char *id,
                  const char *name, struct hito_error *err);

/*
 * Parses "id<TAB>name" lines ('#' comments and blank lines skipped) from a
 * NUL-terminated buffer and adds each product. Errors as catalogue_add(),
 * with the line number in err.
 */
int catalogue_parse(struct catalogue *cat, struct stemmer *st, const char *buf,
                    struct hito_error *err);

#endif

#include "dataset.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"

struct dataset *dataset_new(void)
{
    return calloc(1, sizeof(struct dataset));
}

void dataset_free(struct dataset *ds)
{
    size_t i;

    if (ds == NULL)
        return;
    for (i = 0; i < ds->count; i++)
        free(ds->items[i].text);
    free(ds->items);
    free(ds);
}

int dataset_add(struct dataset *ds, enum intent intent, const char *text,
                struct hito_error *err)
{
    size_t len = strlen(text);

    if ((int)intent < 0 || intent >= INTENT_CLASSES)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "intent %d is not a trainable intent",
                              (int)intent);
    if (len == 0 || len >= DATASET_TEXT_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "example text must be 1 to %d bytes",
                              DATASET_TEXT_MAX - 1);
    if (ds->count == DATASET_MAX_EXAMPLES)
        return hito_error_set(err, HITO_ERR_LIMIT,
                              "dataset has the maximum of %d examples",
                              DATASET_MAX_EXAMPLES);
    if (ds->count == ds->capacity) {
        size_t capacity = ds->capacity == 0 ? 256 : ds->capacity * 2;
        struct example *items = realloc(ds->items, capacity * sizeof(*items));

        if (items == NULL)
            return hito_error_set(err, HITO_ERR_NOMEM,
                                  "out of memory for the dataset");
        ds->items = items;
        ds->capacity = capacity;
    }
    ds->items[ds->count].text = strdup(text);
    if (ds->items[ds->count].text == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM,
                              "out of memory for the dataset");
    ds->items[ds->count].intent = intent;
    ds->count++;
    return HITO_OK;
}

static int parse_line(struct dataset *ds, char *line, int number,
                      struct hito_error *err)
{
    char detail[HITO_ERROR_MESSAGE_MAX];
    char *tab = strchr(line, '\t');
    int intent;
    int rc;

    if (tab == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "line %d: expected \"intent<TAB>text\"", number);
    *tab = '\0';
    intent = intent_parse(line);
    if (intent < 0 || intent >= INTENT_CLASSES)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "line %d: unknown intent \"%s\"", number, line);
    rc = dataset_add(ds, (enum intent)intent, tab + 1, err);
    if (rc == HITO_OK)
        return HITO_OK;
    snprintf(detail, sizeof(detail), "%s", err != NULL ? err->message : "");
    return hito_error_set(err, rc, "line %d: %s", number, detail);
}

int dataset_parse(struct dataset *ds, const char *buf, struct hito_error *err)
{
    char line[DATASET_TEXT_MAX + 64];
    const char *p = buf;
    int number = 0;
    int got;

    while ((got = lines_next(&p, line, sizeof(line))) != 0) {
        int rc;

        number++;
        if (got < 0)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "line %d is longer than %zu bytes", number,
                                  sizeof(line) - 1);
        if (lines_skip(line))
            continue;
        rc = parse_line(ds, line, number, err);
        if (rc != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

void dataset_hash(const struct dataset *ds, char hex[DATASET_HASH_SIZE])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t i;

    hex[0] = '\0';
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    for (i = 0; i < ds->count; i++) {
        const char *name = intent_name(ds->items[i].intent);

        EVP_DigestUpdate(ctx, name, strlen(name));
        EVP_DigestUpdate(ctx, "\t", 1);
        EVP_DigestUpdate(ctx, ds->items[i].text, strlen(ds->items[i].text));
        EVP_DigestUpdate(ctx, "\n", 1);
    }
    if (EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1)
        goto out;
    for (i = 0; i < digest_len && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
out:
    EVP_MD_CTX_free(ctx);
}

#include "intent_features.h"

#include <stdlib.h>
#include <string.h>

#define CHAR_NGRAM_MIN 2
#define CHAR_NGRAM_MAX 5
/* Feature strings longer than this are hashed from their first bytes only. */
#define FEATURE_TEXT_MAX 96

struct builder {
    struct feature_vector *out;
    uint32_t mask;
};

static uint32_t fnv1a(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static void emit(struct builder *b, const char *s, size_t len)
{
    if (b->out->count == FEATURES_MAX)
        return;
    b->out->items[b->out->count].index = fnv1a(s, len) & b->mask;
    b->out->items[b->out->count].value = 1.0f;
    b->out->count++;
}

/* Emits prefix + a + (sep + b when b is not NULL). */
static void emit_parts(struct builder *b, const char *prefix, const char *x,
                       size_t xlen, const char *y, size_t ylen)
{
    char buf[FEATURE_TEXT_MAX];
    size_t n = strlen(prefix);

    memcpy(buf, prefix, n);
    if (xlen > sizeof(buf) - n)
        xlen = sizeof(buf) - n;
    memcpy(buf + n, x, xlen);
    n += xlen;
    if (y != NULL && n < sizeof(buf)) {
        buf[n++] = ' ';
        if (ylen > sizeof(buf) - n)
            ylen = sizeof(buf) - n;
        memcpy(buf + n, y, ylen);
        n += ylen;
    }
    emit(b, buf, n);
}

static void emit_char_ngrams(struct builder *b, const char *word, size_t len)
{
    char padded[FEATURE_TEXT_MAX];
    size_t n, size, i;

    if (len > sizeof(padded) - 2)
        len = sizeof(padded) - 2;
    padded[0] = ' ';
    memcpy(padded + 1, word, len);
    padded[len + 1] = ' ';
    n = len + 2;
    for (size = CHAR_NGRAM_MIN; size <= CHAR_NGRAM_MAX && size <= n; size++) {
        for (i = 0; i + size <= n; i++)
            emit_parts(b, "c:", padded + i, size, NULL, 0);
    }
}

/* The unigram text of token i: its stem, "<num>", or the symbol itself. */
static const char *unit_text(const struct analysis *a, size_t i, size_t *len)
{
    const struct token *t = &a->tokens.items[i];

    if (t->kind == TOKEN_NUMBER) {
        *len = 5;
        return "<num>";
    }
    if (t->kind == TOKEN_SYMBOL) {
        *len = t->len;
        return a->folded + t->start;
    }
    *len = strlen(a->stems[i]);
    return a->stems[i];
}

static int by_index(const void *x, const void *y)
{
    const struct feature *a = x;
    const struct feature *b = y;

    return (a->index > b->index) - (a->index < b->index);
}

static void merge_duplicates(struct feature_vector *out)
{
    size_t i, n = 0;

    qsort(out->items, out->count, sizeof(out->items[0]), by_index);
    for (i = 0; i < out->count; i++) {
        if (n > 0 && out->items[n - 1].index == out->items[i].index)
            out->items[n - 1].value += out->items[i].value;
        else
            out->items[n++] = out->items[i];
    }
    out->count = n;
}

void features_extract(const struct analysis *a, unsigned dim_bits,
                      struct feature_vector *out)
{
    struct builder b = {out, (1u << dim_bits) - 1};
    const char *prev = "<s>";
    size_t prev_len = 3;
    size_t i;

    out->count = 0;
    for (i = 0; i < a->tokens.count; i++) {
        const struct token *t = &a->tokens.items[i];
        size_t len;
        const char *u = unit_text(a, i, &len);

        emit_parts(&b, "w:", u, len, NULL, 0);
        emit_parts(&b, "b:", prev, prev_len, u, len);
        prev = u;
        prev_len = len;
        if (t->kind == TOKEN_WORD)
            emit_char_ngrams(&b, a->folded + t->start, t->len);
    }
    emit_parts(&b, "b:", prev, prev_len, "</s>", 4);
    for (i = 0; i < a->entities.count; i++) {
        const char *kind = entity_kind_name(a->entities.items[i].kind);

        emit_parts(&b, "e:", kind, strlen(kind), NULL, 0);
    }
    merge_duplicates(out);
}

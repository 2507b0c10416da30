#include "stem.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

struct stemmer {
    struct sb_stemmer *sb;
};

struct stemmer *stemmer_new(void)
{
    struct stemmer *st = calloc(1, sizeof(*st));

    if (st == NULL)
        return NULL;
    st->sb = sb_stemmer_new("spanish", "UTF_8");
    if (st->sb == NULL) {
        free(st);
        return NULL;
    }
    return st;
}

void stemmer_free(struct stemmer *st)
{
    if (st == NULL)
        return;
    sb_stemmer_delete(st->sb);
    free(st);
}

static size_t copy_cut(const char *src, size_t len, char out[STEM_MAX])
{
    size_t n = len < STEM_MAX - 1 ? len : STEM_MAX - 1;

    memcpy(out, src, n);
    out[n] = '\0';
    return n;
}

size_t stemmer_stem(struct stemmer *st, const char *word, size_t len,
                    char out[STEM_MAX])
{
    const sb_symbol *s =
        sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);

    if (s == NULL)
        return copy_cut(word, len, out);
    return copy_cut((const char *)s, (size_t)sb_stemmer_length(st->sb), out);
}

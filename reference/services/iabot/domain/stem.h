/*
 * stem.h - Snowball stemming of Spanish words (libstemmer). One stemmer
 * must not be used by two threads at once: give each thread its own.
 */
#ifndef IABOT_STEM_H
#define IABOT_STEM_H

#include <stddef.h>

/* Maximum stem length, in bytes including the NUL. Longer stems are cut. */
#define STEM_MAX 32

struct stemmer;

/* Creates a Spanish UTF-8 stemmer, or returns NULL when out of memory. */
struct stemmer *stemmer_new(void);
void stemmer_free(struct stemmer *st);

/*
 * Stems the folded word (len bytes) into out (STEM_MAX bytes, NUL-terminated)
 * and returns the stem's length. On failure copies the word unchanged.
 */
size_t stemmer_stem(struct stemmer *st, const char *word, size_t len,
                    char out[STEM_MAX]);

#endif

/*
 * strbuf.h - a growable string for building reports and records.
 *
 * Appends return nothing. The first allocation failure, or growth past
 * STRBUF_MAX bytes, marks the buffer failed and later appends do nothing,
 * so a writer checks once, with strbuf_take or strbuf_failed, at the end.
 */
#ifndef HITO_CHECKPOINT_STRBUF_H
#define HITO_CHECKPOINT_STRBUF_H

#include <stddef.h>

#define STRBUF_MAX (64 * 1024 * 1024)

struct strbuf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
};

void strbuf_init(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns nonzero when an append failed. */
int strbuf_failed(const struct strbuf *sb);

/*
 * Returns the NUL-terminated string (the caller frees it) and resets sb;
 * returns NULL and frees the data when an append failed.
 */
char *strbuf_take(struct strbuf *sb);

void strbuf_free(struct strbuf *sb);

#endif

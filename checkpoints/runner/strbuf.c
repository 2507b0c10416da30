#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb)
{
    memset(sb, 0, sizeof(*sb));
}

static int grow(struct strbuf *sb, size_t extra)
{
    size_t need, cap;
    char *data;

    if (sb->failed)
        return -1;
    if (extra > STRBUF_MAX || sb->len + extra + 1 > STRBUF_MAX) {
        sb->failed = 1;
        return -1;
    }
    need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 0;
    cap = sb->cap ? sb->cap : 256;
    while (cap < need)
        cap *= 2;
    data = realloc(sb->data, cap);
    if (!data) {
        sb->failed = 1;
        return -1;
    }
    sb->data = data;
    sb->cap = cap;
    return 0;
}

void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
    if (grow(sb, n) != 0)
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

void strbuf_putc(struct strbuf *sb, char c)
{
    strbuf_append(sb, &c, 1);
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = 1;
        return;
    }
    if (grow(sb, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

int strbuf_failed(const struct strbuf *sb)
{
    return sb->failed;
}

char *strbuf_take(struct strbuf *sb)
{
    char *data;

    if (sb->failed) {
        strbuf_free(sb);
        return NULL;
    }
    if (!sb->data && grow(sb, 0) != 0)
        return NULL;
    sb->data[sb->len] = '\0';
    data = sb->data;
    strbuf_init(sb);
    return data;
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb);
}

#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static char *map_text(const char *text, utf8proc_option_t options,
                      struct hito_error *err)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n;
    size_t len = strlen(text);

    if (len > TEXT_MAX_BYTES) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "text is %zu bytes, more than the limit of %d", len,
                       TEXT_MAX_BYTES);
        return NULL;
    }
    n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len,
                     &out, options);
    if (n < 0) {
        int code =
            n == UTF8PROC_ERROR_NOMEM ? HITO_ERR_NOMEM : HITO_ERR_INVALID;

        hito_error_set(err, code, "text normalisation failed: %s",
                       utf8proc_errmsg(n));
        return NULL;
    }
    return (char *)out;
}

char *text_fold(const char *text, struct hito_error *err)
{
    /* STRIPMARK needs COMPOSE: utf8proc decomposes, drops marks, recomposes. */
    utf8proc_option_t options = UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
                                UTF8PROC_STRIPMARK | UTF8PROC_LUMP |
                                UTF8PROC_IGNORE;

    return map_text(text, options, err);
}

char *text_nfc(const char *text, struct hito_error *err)
{
    return map_text(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE, err);
}

enum char_class { CHAR_SPACE, CHAR_LETTER, CHAR_DIGIT, CHAR_SYMBOL };

static enum char_class classify(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return CHAR_LETTER;
    case UTF8PROC_CATEGORY_ND:
        return CHAR_DIGIT;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CN:
        return CHAR_SPACE;
    default:
        return CHAR_SYMBOL;
    }
}

/* Decodes the code point at s[i]; invalid bytes count as one space. */
static enum char_class class_at(const char *s, size_t i, size_t *width)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n =
        utf8proc_iterate((const utf8proc_uint8_t *)s + i, -1, &cp);

    if (n <= 0) {
        *width = 1;
        return CHAR_SPACE;
    }
    *width = (size_t)n;
    return classify(cp);
}

/* Returns the class of the character at s[i]; the end of text is CHAR_SPACE. */
static enum char_class class_after(const char *s, size_t i)
{
    size_t width;

    if (s[i] == '\0')
        return CHAR_SPACE;
    return class_at(s, i, &width);
}

/* Scans a number: digits with single '.' or ',' between digits. */
static size_t scan_number(const char *s, size_t i)
{
    size_t width;

    for (;;) {
        enum char_class c = class_after(s, i);

        if (c == CHAR_DIGIT) {
            class_at(s, i, &width);
            i += width;
        } else if ((s[i] == '.' || s[i] == ',') &&
                   class_after(s, i + 1) == CHAR_DIGIT) {
            i++;
        } else {
            return i;
        }
    }
}

/* Scans a word: letters and digits, with '-' or '_' between them. */
static size_t scan_word(const char *s, size_t i)
{
    size_t width;

    for (;;) {
        enum char_class c = class_after(s, i);

        if (c == CHAR_LETTER || c == CHAR_DIGIT) {
            class_at(s, i, &width);
            i += width;
        } else if ((s[i] == '-' || s[i] == '_') &&
                   (class_after(s, i + 1) == CHAR_LETTER ||
                    class_after(s, i + 1) == CHAR_DIGIT)) {
            i++;
        } else {
            return i;
        }
    }
}

static int has_digit(const char *s, size_t start, size_t end)
{
    size_t k;

    for (k = start; k < end; k++) {
        if (s[k] >= '0' && s[k] <= '9')
            return 1;
    }
    return 0;
}

static void push(struct token_list *out, enum token_kind kind, size_t start,
                 size_t end)
{
    if (out->count >= TEXT_MAX_TOKENS)
        return;
    out->items[out->count].kind = kind;
    out->items[out->count].start = start;
    out->items[out->count].len = end - start;
    out->count++;
}

void text_tokenise(const char *folded, struct token_list *out)
{
    size_t i = 0;

    out->count = 0;
    while (folded[i] != '\0' && out->count < TEXT_MAX_TOKENS) {
        size_t width;
        size_t end;
        enum char_class c = class_at(folded, i, &width);

        if (c == CHAR_SPACE) {
            i += width;
            continue;
        }
        if (c == CHAR_SYMBOL) {
            push(out, TOKEN_SYMBOL, i, i + width);
            i += width;
            continue;
        }
        if (c == CHAR_DIGIT) {
            /* "2kg" and "3x" split; "1z999aa1" stays one code-like word. */
            end = scan_number(folded, i);
            if (class_after(folded, end) == CHAR_LETTER &&
                has_digit(folded, end, scan_word(folded, end))) {
                end = scan_word(folded, i);
                push(out, TOKEN_WORD, i, end);
            } else {
                push(out, TOKEN_NUMBER, i, end);
            }
            i = end;
            continue;
        }
        end = scan_word(folded, i);
        push(out, TOKEN_WORD, i, end);
        i = end;
    }
}

int text_token_is(const char *folded, const struct token *t, const char *word)
{
    return strlen(word) == t->len &&
           memcmp(folded + t->start, word, t->len) == 0;
}

size_t text_token_copy(const char *folded, const struct token *t, char *buf,
                       size_t size)
{
    size_t n = t->len < size - 1 ? t->len : size - 1;

    memcpy(buf, folded + t->start, n);
    buf[n] = '\0';
    return n;
}

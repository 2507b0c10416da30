#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hito/err.h"
#include "strbuf.h"

struct redactor {
    char *secrets[REDACT_MAX_SECRETS]; /* longest first */
    size_t count;
};

static const char *const sensitive_words[] = {
    "password",      "passwd",    "secret",        "token",
    "authorization", "cookie",    "code_verifier", "api_key",
    "api-key",       "apikey",    "private_key",   "credential",
    "hmac_key",      "proof_key", "masterkey",     "signing_key",
};

struct redactor *redactor_new(void)
{
    return calloc(1, sizeof(struct redactor));
}

void redactor_free(struct redactor *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        free(r->secrets[i]);
    free(r);
}

int redactor_add_secret(struct redactor *r, const char *value)
{
    size_t len, pos;

    if (!value || strlen(value) < REDACT_MIN_SECRET)
        return HITO_OK;
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->secrets[i], value) == 0)
            return HITO_OK;
    if (r->count == REDACT_MAX_SECRETS)
        return HITO_ERR_LIMIT;

    /* Keep the longest first, so a secret that contains another one is
     * replaced whole. */
    len = strlen(value);
    pos = 0;
    while (pos < r->count && strlen(r->secrets[pos]) >= len)
        pos++;
    memmove(&r->secrets[pos + 1], &r->secrets[pos],
            (r->count - pos) * sizeof(char *));
    r->secrets[pos] = strdup(value);
    if (!r->secrets[pos]) {
        memmove(&r->secrets[pos], &r->secrets[pos + 1],
                (r->count - pos) * sizeof(char *));
        return HITO_ERR_NOMEM;
    }
    r->count++;
    return HITO_OK;
}

size_t redactor_secret_count(const struct redactor *r)
{
    return r ? r->count : 0;
}

static int is_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static int is_credential_char(char c)
{
    return isalnum((unsigned char)c) ||
           (c != '\0' && strchr("-._~+/=", c) != NULL);
}

int redact_is_sensitive_key(const char *name, size_t len)
{
    for (size_t w = 0; w < sizeof(sensitive_words) / sizeof(*sensitive_words);
         w++) {
        size_t wlen = strlen(sensitive_words[w]);

        for (size_t i = 0; i + wlen <= len; i++)
            if (strncasecmp(name + i, sensitive_words[w], wlen) == 0)
                return 1;
    }
    /* A personal access token, as in ZITADEL_LOGIN_CLIENT_PAT. */
    return len >= 4 && strncasecmp(name + len - 4, "_pat", 4) == 0;
}

/* Returns the end of a value that starts at s after separator sep. */
static const char *value_end(const char *s, char sep)
{
    if (*s == '"') {
        s++;
        while (*s && *s != '"') {
            if (*s == '\\' && s[1])
                s++;
            s++;
        }
        return s; /* at the closing quote, or the end */
    }
    if (sep == ':')
        return s + strcspn(s, "\r\n");
    return s + strcspn(s, "& \t\r\n;,\"'");
}

/*
 * Redacts after a sensitive key that ends at text + key_end. Returns the
 * position after what was written, or NULL when no key/value syntax
 * follows.
 */
static const char *redact_value(struct strbuf *out, const char *key_end)
{
    const char *p = key_end, *start, *end;
    char sep;

    if (*p == '"' || *p == '\'')
        p++;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != ':' && *p != '=')
        return NULL;
    sep = *p++;
    while (*p == ' ' || *p == '\t')
        p++;
    start = p;
    end = value_end(start, sep);
    if (*start == '"')
        start++;
    if (end == start)
        return NULL;
    strbuf_append(out, key_end, (size_t)(start - key_end));
    strbuf_puts(out, REDACTED);
    return end;
}

static const char *redact_credential(struct strbuf *out, const char *word,
                                     size_t len)
{
    const char *p = word + len, *end;

    if (!((len == 6 && strncasecmp(word, "bearer", 6) == 0) ||
          (len == 5 && strncasecmp(word, "basic", 5) == 0)))
        return NULL;
    if (*p != ' ' || !is_credential_char(p[1]))
        return NULL;
    end = p + 1;
    while (is_credential_char(*end))
        end++;
    strbuf_append(out, word, len + 1);
    strbuf_puts(out, REDACTED);
    return end;
}

/* Returns nonzero for a JSON Web Token: base64url JSON header, two dots. */
static int is_jwt(const char *word, size_t len)
{
    size_t dots = 0;

    if (len < 10 || strncmp(word, "eyJ", 3) != 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        dots += word[i] == '.';
    return dots == 2;
}

static void apply_key_rules(struct strbuf *out, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *word = p, *next;
        size_t len;

        if (!is_key_char(*p) || (p > text && is_key_char(p[-1]))) {
            strbuf_putc(out, *p++);
            continue;
        }
        while (is_key_char(*p))
            p++;
        len = (size_t)(p - word);
        if (is_jwt(word, len)) {
            strbuf_puts(out, REDACTED);
            next = NULL;
        } else if (redact_is_sensitive_key(word, len)) {
            strbuf_append(out, word, len);
            next = redact_value(out, p);
        } else {
            next = redact_credential(out, word, len);
            if (!next)
                strbuf_append(out, word, len);
        }
        if (next)
            p = next;
    }
}

static char *apply_secrets(const struct redactor *r, const char *text)
{
    struct strbuf out;
    const char *p = text;

    strbuf_init(&out);
    while (*p) {
        size_t matched = 0;

        for (size_t i = 0; i < r->count; i++) {
            size_t len = strlen(r->secrets[i]);

            if (strncmp(p, r->secrets[i], len) == 0) {
                matched = len;
                break;
            }
        }
        if (matched) {
            strbuf_puts(&out, REDACTED);
            p += matched;
        } else {
            strbuf_putc(&out, *p++);
        }
    }
    return strbuf_take(&out);
}

char *redactor_apply(const struct redactor *r, const char *text)
{
    struct strbuf out;
    char *keyed, *result;

    if (!text)
        return NULL;
    strbuf_init(&out);
    apply_key_rules(&out, text);
    keyed = strbuf_take(&out);
    if (!keyed || !r || r->count == 0)
        return keyed;
    result = apply_secrets(r, keyed);
    free(keyed);
    return result;
}

#include "entities.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AMOUNT_MAX_BYTES 32
/* Words looked back from a number for an order or tracking context. */
#define ORDER_CONTEXT_WORDS 3
#define TRACKING_CONTEXT_WORDS 4
/* E.164 allows at most 15 digits. */
#define PHONE_MAX_DIGITS 15

struct scan {
    const char *text;
    const struct token_list *tokens;
    char (*stems)[STEM_MAX];
    const struct catalogue *cat;
    unsigned char used[TEXT_MAX_TOKENS];
    struct entity_list *out;
};

struct unit_word {
    const char *word;
    const char *unit;
    double factor;
};

static const struct unit_word unit_words[] = {
    {"kg", "kg", 1},
    {"kilo", "kg", 1},
    {"kilos", "kg", 1},
    {"kilogramo", "kg", 1},
    {"kilogramos", "kg", 1},
    {"g", "g", 1},
    {"gr", "g", 1},
    {"grs", "g", 1},
    {"gramo", "g", 1},
    {"gramos", "g", 1},
    {"l", "l", 1},
    {"lt", "l", 1},
    {"lts", "l", 1},
    {"litro", "l", 1},
    {"litros", "l", 1},
    {"ml", "ml", 1},
    {"unidad", "unit", 1},
    {"unidades", "unit", 1},
    {"u", "unit", 1},
    {"pza", "unit", 1},
    {"pzas", "unit", 1},
    {"pieza", "unit", 1},
    {"piezas", "unit", 1},
    {"x", "unit", 1},
    {"paquete", "pack", 1},
    {"paquetes", "pack", 1},
    {"caja", "box", 1},
    {"cajas", "box", 1},
    {"docena", "unit", 12},
    {"docenas", "unit", 12},
    {"bolsa", "bag", 1},
    {"bolsas", "bag", 1},
    {"botella", "bottle", 1},
    {"botellas", "bottle", 1},
    {"lata", "can", 1},
    {"latas", "can", 1},
    {"metro", "m", 1},
    {"metros", "m", 1},
};

struct number_word {
    const char *word;
    double value;
};

static const struct number_word number_words[] = {
    {"un", 1},      {"uno", 1},     {"una", 1},     {"dos", 2},
    {"tres", 3},    {"cuatro", 4},  {"cinco", 5},   {"seis", 6},
    {"siete", 7},   {"ocho", 8},    {"nueve", 9},   {"diez", 10},
    {"once", 11},   {"doce", 12},   {"quince", 15}, {"veinte", 20},
    {"media", 0.5}, {"medio", 0.5},
};

struct currency_word {
    const char *word;
    const char *code;
};

/* Words for a currency after the amount; "" where the word names none. */
static const struct currency_word currency_after[] = {
    {"pesos", ""},           {"peso", ""},       {"soles", "PEN"},
    {"sol", "PEN"},          {"euros", "EUR"},   {"euro", "EUR"},
    {"eur", "EUR"},          {"dolares", "USD"}, {"dolar", "USD"},
    {"usd", "USD"},          {"mxn", "MXN"},     {"ars", "ARS"},
    {"cop", "COP"},          {"pen", "PEN"},     {"clp", "CLP"},
    {"\xe2\x82\xac", "EUR"},
};

/* Codes written before the amount ("USD 20"). */
static const struct currency_word currency_before[] = {
    {"usd", "USD"}, {"eur", "EUR"}, {"mxn", "MXN"}, {"ars", "ARS"},
    {"cop", "COP"}, {"pen", "PEN"}, {"clp", "CLP"}, {"\xe2\x82\xac", "EUR"},
};

static const char *const order_words[] = {"pedido", "pedidos", "orden",
                                          "order",  "compra",  NULL};
static const char *const tracking_words[] = {
    "guia", "tracking", "seguimiento", "rastreo", "envio", NULL};
static const char *const otp_words[] = {"codigo",       "otp",   "clave", "pin",
                                        "verificacion", "token", "sms",   NULL};

static const char *const kind_names[ENTITY_KIND_COUNT] = {
    "quantity", "price", "order", "tracking", "otp", "product", "phone",
};

const char *entity_kind_name(enum entity_kind kind)
{
    if ((int)kind < 0 || kind >= ENTITY_KIND_COUNT)
        return "";
    return kind_names[kind];
}

const struct entity *entities_first(const struct entity_list *list,
                                    enum entity_kind kind)
{
    size_t i;

    for (i = 0; i < list->count; i++) {
        if (list->items[i].kind == kind)
            return &list->items[i];
    }
    return NULL;
}

static const struct token *tok(const struct scan *s, size_t i)
{
    return &s->tokens->items[i];
}

static int is(const struct scan *s, size_t i, const char *word)
{
    return i < s->tokens->count && text_token_is(s->text, tok(s, i), word);
}

static int is_any(const struct scan *s, size_t i, const char *const *words)
{
    for (; *words != NULL; words++) {
        if (is(s, i, *words))
            return 1;
    }
    return 0;
}

static int free_token(const struct scan *s, size_t i)
{
    return i < s->tokens->count && !s->used[i];
}

/* Returns the number of digits of token i, or 0 unless it is digits only. */
static size_t digit_count(const struct scan *s, size_t i)
{
    const struct token *t;
    size_t k;

    if (i >= s->tokens->count || tok(s, i)->kind != TOKEN_NUMBER)
        return 0;
    t = tok(s, i);
    for (k = 0; k < t->len; k++) {
        if (!isdigit((unsigned char)s->text[t->start + k]))
            return 0;
    }
    return t->len;
}

static struct entity *add(struct scan *s, enum entity_kind kind, size_t first,
                          size_t last)
{
    struct entity *e;
    size_t i;

    if (s->out->count == ENTITIES_MAX)
        return NULL;
    e = &s->out->items[s->out->count++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->start = tok(s, first)->start;
    e->end = tok(s, last)->start + tok(s, last)->len;
    for (i = first; i <= last; i++)
        s->used[i] = 1;
    return e;
}

static void copy_upper(char *dst, size_t size, const char *src, size_t len)
{
    size_t k;

    if (len >= size)
        len = size - 1;
    for (k = 0; k < len; k++)
        dst[k] = (char)toupper((unsigned char)src[k]);
    dst[len] = '\0';
}

/* Returns nonzero when a word of words occurs within `window` tokens before i.
 */
static int preceded_by(const struct scan *s, size_t i, const char *const *words,
                       size_t window)
{
    size_t k;

    for (k = 1; k <= window && k <= i; k++) {
        if (is_any(s, i - k, words))
            return 1;
    }
    return 0;
}

static int all_alnum(const char *p, size_t len, size_t *digits)
{
    size_t k;

    *digits = 0;
    for (k = 0; k < len; k++) {
        if (!isalnum((unsigned char)p[k]))
            return 0;
        *digits += isdigit((unsigned char)p[k]) != 0;
    }
    return 1;
}

static void find_tracking(struct scan *s)
{
    size_t i;

    for (i = 0; i < s->tokens->count; i++) {
        const struct token *t = tok(s, i);
        const char *p = s->text + t->start;
        size_t digits;
        struct entity *e;

        if (t->kind == TOKEN_SYMBOL || s->used[i])
            continue;
        if (t->len >= 4 + 8 && t->len <= 4 + 14 && strncmp(p, "trk-", 4) == 0 &&
            all_alnum(p + 4, t->len - 4, &digits)) {
            e = add(s, ENTITY_TRACKING, i, i);
        } else if (t->len >= 10 && t->len <= 24 &&
                   all_alnum(p, t->len, &digits) && digits >= 4 &&
                   preceded_by(s, i, tracking_words, TRACKING_CONTEXT_WORDS)) {
            e = add(s, ENTITY_TRACKING, i, i);
        } else {
            continue;
        }
        if (e != NULL)
            copy_upper(e->value, sizeof(e->value), p, t->len);
    }
}

static void set_order(struct entity *e, const char *digits, size_t len)
{
    if (e != NULL)
        snprintf(e->value, sizeof(e->value), "ORD-%.*s", (int)len, digits);
}

static void find_orders(struct scan *s)
{
    size_t i;

    for (i = 0; i < s->tokens->count; i++) {
        const struct token *t = tok(s, i);
        const char *p = s->text + t->start;
        size_t digits;
        size_t skip;

        if (s->used[i])
            continue;
        if (t->kind == TOKEN_WORD && strncmp(p, "ord", 3) == 0) {
            skip = p[3] == '-' ? 4 : 3;
            if (t->len - skip >= 6 && t->len - skip <= 10 &&
                all_alnum(p + skip, t->len - skip, &digits) &&
                digits == t->len - skip)
                set_order(add(s, ENTITY_ORDER, i, i), p + skip, t->len - skip);
            continue;
        }
        digits = digit_count(s, i);
        if (digits >= 6 && digits <= 10 &&
            preceded_by(s, i, order_words, ORDER_CONTEXT_WORDS))
            set_order(add(s, ENTITY_ORDER, i, i), p, t->len);
    }
}

static int is_phone_separator(const struct scan *s, size_t i)
{
    return tok(s, i)->kind == TOKEN_SYMBOL && tok(s, i)->len == 1 &&
           strchr("-()", s->text[tok(s, i)->start]) != NULL;
}

/*
 * Tries a phone number from token i: an optional '+', then digit groups and
 * separators. Groups after the first need 2 digits, so lists of single
 * digits are not read as a phone number.
 */
static int try_phone(struct scan *s, size_t i)
{
    char digits[PHONE_MAX_DIGITS + 1];
    struct entity *e;
    size_t n = 0;
    size_t k = i;
    size_t last = i;
    size_t groups = 0;
    int plus = is(s, i, "+");

    if (plus)
        k++;
    for (; k < s->tokens->count && !s->used[k]; k++) {
        size_t len = digit_count(s, k);

        if (len > 0) {
            if ((groups > 0 && len < 2) || n + len > PHONE_MAX_DIGITS)
                break;
            memcpy(digits + n, s->text + tok(s, k)->start, len);
            n += len;
            groups++;
            last = k;
        } else if (!is_phone_separator(s, k)) {
            break;
        }
    }
    if (groups == 0 || (plus && n < 8) || (!plus && (n < 9 || n > 12)))
        return 0;
    digits[n] = '\0';
    e = add(s, ENTITY_PHONE, i, last);
    if (e != NULL)
        snprintf(e->value, sizeof(e->value), "%s%s", plus ? "+" : "", digits);
    return 1;
}

static void find_phones(struct scan *s)
{
    size_t i;

    for (i = 0; i < s->tokens->count; i++) {
        if (s->used[i] ||
            (!is(s, i, "+") && !is(s, i, "(") && digit_count(s, i) == 0))
            continue;
        try_phone(s, i);
    }
}

static void find_otps(struct scan *s)
{
    size_t i;
    size_t words = 0;
    int context = 0;

    for (i = 0; i < s->tokens->count; i++) {
        context |= is_any(s, i, otp_words);
        words += tok(s, i)->kind != TOKEN_SYMBOL;
    }
    for (i = 0; i < s->tokens->count; i++) {
        size_t digits = digit_count(s, i);
        struct entity *e;

        if (s->used[i] || digits < 4 || digits > 8 || (!context && words != 1))
            continue;
        e = add(s, ENTITY_OTP, i, i);
        if (e != NULL)
            text_token_copy(s->text, tok(s, i), e->value, sizeof(e->value));
    }
}

int entities_parse_amount(const char *s, size_t len, double *value)
{
    char clean[AMOUNT_MAX_BYTES + 1];
    size_t dots = 0, commas = 0, last_mark = 0, k, n = 0;
    char decimal = 0;

    if (len == 0 || len > AMOUNT_MAX_BYTES || !isdigit((unsigned char)s[0]))
        return -1;
    for (k = 0; k < len; k++) {
        if (s[k] == '.' || s[k] == ',') {
            dots += s[k] == '.';
            commas += s[k] == ',';
            last_mark = k;
        } else if (!isdigit((unsigned char)s[k])) {
            return -1;
        }
    }
    if (dots > 0 && commas > 0)
        decimal = s[last_mark];
    else if (dots + commas == 1 && len - last_mark - 1 != 3)
        decimal = s[last_mark]; /* "12,5" is decimal; "1.250" is thousands */
    for (k = 0; k < len; k++) {
        if (isdigit((unsigned char)s[k]))
            clean[n++] = s[k];
        else if (s[k] == decimal && k == last_mark)
            clean[n++] = '.';
    }
    clean[n] = '\0';
    *value = strtod(clean, NULL);
    return 0;
}

static const char *lookup_currency(const struct scan *s, size_t i,
                                   const struct currency_word *table,
                                   size_t count)
{
    size_t k;

    for (k = 0; k < count; k++) {
        if (is(s, i, table[k].word))
            return table[k].code;
    }
    return NULL;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Finds a currency before number token i; sets *first to its first token. */
static const char *currency_before_number(const struct scan *s, size_t i,
                                          size_t *first)
{
    const char *code;

    if (i >= 1 && free_token(s, i - 1) && is(s, i - 1, "$")) {
        int us = i >= 2 && (is(s, i - 2, "us") || is(s, i - 2, "usd"));

        *first = us ? i - 2 : i - 1;
        return us ? "USD" : "";
    }
    if (i >= 2 && is(s, i - 1, "/") && is(s, i - 2, "s")) {
        *first = i - 2;
        return "PEN";
    }
    if (i >= 1 && free_token(s, i - 1)) {
        code = lookup_currency(s, i - 1, currency_before,
                               COUNT_OF(currency_before));
        if (code != NULL) {
            *first = i - 1;
            return code;
        }
    }
    return NULL;
}

static void find_prices(struct scan *s)
{
    size_t i;

    for (i = 0; i < s->tokens->count; i++) {
        size_t first = i, last = i;
        const char *code;
        double amount;
        struct entity *e;

        if (s->used[i] || tok(s, i)->kind != TOKEN_NUMBER ||
            entities_parse_amount(s->text + tok(s, i)->start, tok(s, i)->len,
                                  &amount) != 0)
            continue;
        code = currency_before_number(s, i, &first);
        if (is(s, i + 1, "mil") && free_token(s, i + 1)) {
            const char *after = lookup_currency(s, i + 2, currency_after,
                                                COUNT_OF(currency_after));

            if (after != NULL || code != NULL) {
                amount *= 1000;
                last = after != NULL ? i + 2 : i + 1;
                code = after != NULL && after[0] != '\0'
                           ? after
                           : (code != NULL ? code : after);
            }
        } else if (free_token(s, i + 1)) {
            const char *after = lookup_currency(s, i + 1, currency_after,
                                                COUNT_OF(currency_after));

            if (after != NULL) {
                last = i + 1;
                if (code == NULL || after[0] != '\0')
                    code = after;
            }
        }
        if (code == NULL)
            continue;
        e = add(s, ENTITY_PRICE, first, last);
        if (e == NULL)
            return;
        e->amount = amount;
        snprintf(e->unit, sizeof(e->unit), "%s", code);
        snprintf(e->value, sizeof(e->value), "%.2f", amount);
    }
}

static const struct unit_word *unit_at(const struct scan *s, size_t i);
static int number_at(const struct scan *s, size_t i, double *value);

/* Returns nonzero when token i is a number followed by a unit ("medio kilo").
 */
static int starts_quantity(const struct scan *s, size_t i)
{
    double value;

    return number_at(s, i, &value) && unit_at(s, i + 1) != NULL;
}

/* Returns how many tokens from i match product p, or 0. */
static size_t match_product(const struct scan *s, size_t i,
                            const struct catalogue_product *p)
{
    size_t w;

    for (w = 0; w < p->word_count; w++) {
        if (!free_token(s, i + w) || tok(s, i + w)->kind == TOKEN_SYMBOL ||
            strcmp(s->stems[i + w], p->stems[w]) != 0)
            return 0;
    }
    return p->word_count;
}

static void find_products(struct scan *s)
{
    size_t i, k;

    if (s->cat == NULL)
        return;
    for (i = 0; i < s->tokens->count; i++) {
        const struct catalogue_product *best = NULL;
        size_t best_len = 0;
        struct entity *e;

        if (s->used[i] || tok(s, i)->kind == TOKEN_SYMBOL ||
            starts_quantity(s, i))
            continue;
        /* NOTE: a linear scan of the catalogue per word; enough for a few
         * thousand products, an index by first stem would scale further. */
        for (k = 0; k < s->cat->count; k++) {
            size_t len = match_product(s, i, &s->cat->products[k]);

            if (len > best_len) {
                best = &s->cat->products[k];
                best_len = len;
            }
        }
        if (best == NULL)
            continue;
        e = add(s, ENTITY_PRODUCT, i, i + best_len - 1);
        if (e == NULL)
            return;
        snprintf(e->value, sizeof(e->value), "%s", best->id);
        i += best_len - 1;
    }
}

static const struct unit_word *unit_at(const struct scan *s, size_t i)
{
    size_t k;

    if (!free_token(s, i))
        return NULL;
    for (k = 0; k < COUNT_OF(unit_words); k++) {
        if (is(s, i, unit_words[k].word))
            return &unit_words[k];
    }
    return NULL;
}

static int number_at(const struct scan *s, size_t i, double *value)
{
    size_t k;

    if (!free_token(s, i))
        return 0;
    if (tok(s, i)->kind == TOKEN_NUMBER)
        return entities_parse_amount(s->text + tok(s, i)->start, tok(s, i)->len,
                                     value) == 0;
    for (k = 0; k < COUNT_OF(number_words); k++) {
        if (is(s, i, number_words[k].word)) {
            *value = number_words[k].value;
            return 1;
        }
    }
    return 0;
}

static int product_starts_at(const struct scan *s, size_t i)
{
    size_t k;

    if (i >= s->tokens->count)
        return 0;
    for (k = 0; k < s->out->count; k++) {
        if (s->out->items[k].kind == ENTITY_PRODUCT &&
            s->out->items[k].start == tok(s, i)->start)
            return 1;
    }
    return 0;
}

static void add_quantity(struct scan *s, size_t first, size_t last,
                         double value, const char *unit)
{
    struct entity *e = add(s, ENTITY_QUANTITY, first, last);

    if (e == NULL)
        return;
    e->amount = value;
    snprintf(e->unit, sizeof(e->unit), "%s", unit);
    snprintf(e->value, sizeof(e->value), "%g", value);
}

/* Reads a word token "x" followed by 1 to 3 digits ("x3") as a count. */
static int times_word(const struct scan *s, size_t i, double *value)
{
    const struct token *t;
    size_t k;

    if (!free_token(s, i) || tok(s, i)->kind != TOKEN_WORD)
        return 0;
    t = tok(s, i);
    if (t->len < 2 || t->len > 4 || s->text[t->start] != 'x')
        return 0;
    *value = 0;
    for (k = 1; k < t->len; k++) {
        char c = s->text[t->start + k];

        if (!isdigit((unsigned char)c))
            return 0;
        *value = *value * 10 + (c - '0');
    }
    return 1;
}

static void find_quantities(struct scan *s)
{
    size_t i;

    for (i = 0; i < s->tokens->count; i++) {
        const struct unit_word *unit;
        double value;

        if (is(s, i, "x") && free_token(s, i) && digit_count(s, i + 1) > 0 &&
            number_at(s, i + 1, &value)) {
            add_quantity(s, i, i + 1, value, "unit"); /* "x 3" */
            continue;
        }
        if (times_word(s, i, &value)) {
            add_quantity(s, i, i, value, "unit"); /* "x3", one token */
            continue;
        }
        if (!number_at(s, i, &value))
            continue;
        unit = unit_at(s, i + 1);
        if (unit != NULL &&
            !(tok(s, i)->kind == TOKEN_WORD && strcmp(unit->word, "x") == 0)) {
            add_quantity(s, i, i + 1, value * unit->factor, unit->unit);
            continue;
        }
        if (product_starts_at(s, i + 1) && value >= 1)
            add_quantity(s, i, i, value, "unit");
    }
}

static int by_start(const void *a, const void *b)
{
    const struct entity *x = a;
    const struct entity *y = b;

    return (x->start > y->start) - (x->start < y->start);
}

void entities_extract(const char *folded, const struct token_list *tokens,
                      char (*stems)[STEM_MAX], const struct catalogue *cat,
                      struct entity_list *out)
{
    struct scan s;

    memset(&s, 0, sizeof(s));
    s.text = folded;
    s.tokens = tokens;
    s.stems = stems;
    s.cat = cat;
    s.out = out;
    out->count = 0;
    /* Most specific formats first: each claims its tokens from the rest. */
    find_tracking(&s);
    find_orders(&s);
    find_phones(&s);
    find_otps(&s);
    find_prices(&s);
    find_products(&s);
    find_quantities(&s);
    qsort(out->items, out->count, sizeof(out->items[0]), by_start);
}

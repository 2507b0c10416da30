/* Unit tests of domain/text.c: folding and tokenisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../domain/text.h"

struct fold_case {
    const char *input;
    const char *expected;
};

static void fold_valid_table(void **state)
{
    static const struct fold_case cases[] = {
        {"Hola", "hola"},
        {"¿CÓMO ESTÁS?", "¿como estas?"},
        {"Ñandú", "nandu"},
        {"pingüino", "pinguino"},
        {"\xef\xac\x81n", "fin"},           /* U+FB01 ligature fi */
        {"\xef\xbc\x91\xef\xbc\x92", "12"}, /* full-width digits */
        {"e\xcc\x81", "e"},                 /* e + combining acute */
        {"Straße", "strasse"},
        {"a\xe2\x80\x93"
         "b",
         "a-b"}, /* en dash lumped to '-' */
        {"d\xe2\x80\x99"
         "ok",
         "d'ok"}, /* right single quote lumped */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hito_error err = {0};
        char *folded = text_fold(cases[i].input, &err);

        assert_non_null(folded);
        assert_string_equal(folded, cases[i].expected);
        free(folded);
    }
}

static void fold_invalid_utf8(void **state)
{
    struct hito_error err = {0};

    (void)state;
    assert_null(text_fold("abc\xff", &err));
    assert_int_equal(err.code, HITO_ERR_INVALID);
}

static void fold_too_long(void **state)
{
    struct hito_error err = {0};
    char *text = malloc(TEXT_MAX_BYTES + 2);

    (void)state;
    assert_non_null(text);
    memset(text, 'a', TEXT_MAX_BYTES + 1);
    text[TEXT_MAX_BYTES + 1] = '\0';
    assert_null(text_fold(text, &err));
    assert_int_equal(err.code, HITO_ERR_INVALID);
    free(text);
}

static void nfc_keeps_accents(void **state)
{
    char *nfc = text_nfc("Cafe\xcc\x81", NULL);

    (void)state;
    assert_non_null(nfc);
    assert_string_equal(nfc, "Café");
    free(nfc);
}

struct token_case {
    const char *input;
    const char *tokens; /* expected "kind:text" items joined by spaces */
};

static void describe(const char *text, const struct token_list *list, char *out,
                     size_t size)
{
    static const char kinds[] = {'w', 'n', 's'};
    size_t i, n = 0;

    out[0] = '\0';
    for (i = 0; i < list->count && n < size; i++) {
        const struct token *t = &list->items[i];

        n += (size_t)snprintf(out + n, size - n, "%s%c:%.*s", i > 0 ? " " : "",
                              kinds[t->kind], (int)t->len, text + t->start);
    }
}

static void tokenise_table(void **state)
{
    static const struct token_case cases[] = {
        {"quiero 2 camisetas", "w:quiero n:2 w:camisetas"},
        {"$1.250,50", "s:$ n:1.250,50"},
        {"1,250.50 pesos", "n:1,250.50 w:pesos"},
        {"s/ 20", "w:s s:/ n:20"},
        {"2kg de pan", "n:2 w:kg w:de w:pan"},
        {"3x camisetas", "n:3 w:x w:camisetas"},
        {"ord-123456", "w:ord-123456"},
        {"1z999aa1", "w:1z999aa1"},
        {"fin.", "w:fin s:."},
        {"hola,  chau", "w:hola s:, w:chau"},
        {"+52 55", "s:+ n:52 n:55"},
        {"1.", "n:1 s:."},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct token_list list;
        char got[256];

        text_tokenise(cases[i].input, &list);
        describe(cases[i].input, &list, got, sizeof(got));
        assert_string_equal(got, cases[i].tokens);
    }
}

static void tokenise_limit(void **state)
{
    char *text = malloc((TEXT_MAX_TOKENS + 10) * 2 + 1);
    struct token_list list;
    size_t i;

    (void)state;
    assert_non_null(text);
    for (i = 0; i < TEXT_MAX_TOKENS + 10; i++) {
        text[2 * i] = 'a';
        text[2 * i + 1] = ' ';
    }
    text[2 * i] = '\0';
    text_tokenise(text, &list);
    assert_int_equal(list.count, TEXT_MAX_TOKENS);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_valid_table), cmocka_unit_test(fold_invalid_utf8),
        cmocka_unit_test(fold_too_long),    cmocka_unit_test(nfc_keeps_accents),
        cmocka_unit_test(tokenise_table),   cmocka_unit_test(tokenise_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

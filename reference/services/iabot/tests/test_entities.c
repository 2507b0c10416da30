/*
 * Unit tests of domain/entities.c: a table of messages with the entities
 * they must yield (valid) and a table of messages that must not yield an
 * entity of a kind (invalid).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../domain/analysis.h"

struct fixture {
    struct stemmer *st;
    struct catalogue *cat;
    struct analysis *a;
};

struct valid_case {
    const char *text;
    enum entity_kind kind;
    const char *value; /* canonical value */
    const char *unit;  /* unit or currency; NULL: not checked */
};

struct invalid_case {
    const char *text;
    enum entity_kind kind; /* must not be found */
};

static const struct valid_case valid[] = {
    {"mi pedido es ORD-123456", ENTITY_ORDER, "ORD-123456", NULL},
    {"ord123456789 no llegó", ENTITY_ORDER, "ORD-123456789", NULL},
    {"el pedido 7654321 está atrasado", ENTITY_ORDER, "ORD-7654321", NULL},
    {"orden # 445566", ENTITY_ORDER, "ORD-445566", NULL},
    {"guía TRK-AB12345678", ENTITY_TRACKING, "TRK-AB12345678", NULL},
    {"la guia 1Z999AA10123456784", ENTITY_TRACKING, "1Z999AA10123456784", NULL},
    {"el código es 482913", ENTITY_OTP, "482913", NULL},
    {"Código: 5521", ENTITY_OTP, "5521", NULL},
    {"482913", ENTITY_OTP, "482913", NULL},
    {"pin 12345678", ENTITY_OTP, "12345678", NULL},
    {"llamame al +52 55 1234 5678", ENTITY_PHONE, "+525512345678", NULL},
    {"+5491123456789", ENTITY_PHONE, "+5491123456789", NULL},
    {"mi cel es 987 654 321", ENTITY_PHONE, "987654321", NULL},
    {"(55) 1234-5678", ENTITY_PHONE, "5512345678", NULL},
    {"cuesta $1.250,50", ENTITY_PRICE, "1250.50", ""},
    {"son 1,250.50 dólares", ENTITY_PRICE, "1250.50", "USD"},
    {"1250 pesos", ENTITY_PRICE, "1250.00", ""},
    {"S/ 20", ENTITY_PRICE, "20.00", "PEN"},
    {"S/20.50", ENTITY_PRICE, "20.50", "PEN"},
    {"20€", ENTITY_PRICE, "20.00", "EUR"},
    {"USD 15", ENTITY_PRICE, "15.00", "USD"},
    {"US$ 15", ENTITY_PRICE, "15.00", "USD"},
    {"2 mil pesos", ENTITY_PRICE, "2000.00", ""},
    {"12,5 euros", ENTITY_PRICE, "12.50", "EUR"},
    {"2 kg de arroz", ENTITY_QUANTITY, "2", "kg"},
    {"3x", ENTITY_QUANTITY, "3", "unit"},
    {"x3 por favor", ENTITY_QUANTITY, "3", "unit"},
    {"x 4", ENTITY_QUANTITY, "4", "unit"},
    {"media docena de huevos", ENTITY_QUANTITY, "6", "unit"},
    {"una docena", ENTITY_QUANTITY, "12", "unit"},
    {"medio kilo de queso", ENTITY_QUANTITY, "0.5", "kg"},
    {"1,5 litros", ENTITY_QUANTITY, "1.5", "l"},
    {"quiero 2 camisetas", ENTITY_QUANTITY, "2", "unit"},
    {"quiero 2 camisetas", ENTITY_PRODUCT, "sku-camiseta", NULL},
    {"¿Tienen CAMISETAS?", ENTITY_PRODUCT, "sku-camiseta", NULL},
    {"audifonos baratos", ENTITY_PRODUCT, "sku-audifonos", NULL},
    {"zapatillas de running talla 40", ENTITY_PRODUCT, "sku-zapatillas-running",
     NULL},
    {"unas zapatillas", ENTITY_PRODUCT, "sku-zapatillas", NULL},
    {"leches deslactosadas", ENTITY_PRODUCT, "sku-leche-deslactosada", NULL},
    {"quiero medias", ENTITY_PRODUCT, "sku-medias", NULL},
};

static const struct invalid_case invalid[] = {
    {"ORD-12345", ENTITY_ORDER},            /* 5 digits */
    {"ORD-12345678901", ENTITY_ORDER},      /* 11 digits */
    {"tengo 123456 ideas", ENTITY_ORDER},   /* no order word */
    {"TRK-1234", ENTITY_TRACKING},          /* too short */
    {"el código es 123", ENTITY_OTP},       /* 3 digits */
    {"el código es 123456789", ENTITY_OTP}, /* 9 digits */
    {"tengo 4821 ovejas", ENTITY_OTP},      /* no code context */
    {"+52 55", ENTITY_PHONE},               /* 4 digits */
    {"1 2 3 4 5 6 7 8 9", ENTITY_PHONE},    /* single digits */
    {"12345678", ENTITY_PHONE},             /* 8 local digits */
    {"tengo 20 años", ENTITY_PRICE},        /* no currency */
    {"2 camisetas", ENTITY_PRICE},
    {"la talla 40", ENTITY_QUANTITY},
    {"camioneta", ENTITY_PRODUCT}, /* not a catalogue term */
    {"pantalón", ENTITY_PRODUCT},
    {"medio kilo", ENTITY_PRODUCT}, /* "medio" shares the stem of "medias" */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct hito_error err = {0};
    static const char *const products[][2] = {
        {"sku-camiseta", "Camiseta"},
        {"sku-audifonos", "Audífonos"},
        {"sku-zapatillas", "Zapatillas"},
        {"sku-zapatillas-running", "Zapatillas de running"},
        {"sku-leche-deslactosada", "Leche deslactosada"},
        {"sku-medias", "Medias"},
    };
    size_t i;

    if (f == NULL)
        return -1;
    f->st = stemmer_new();
    f->cat = catalogue_new();
    f->a = malloc(sizeof(*f->a));
    if (f->st == NULL || f->cat == NULL || f->a == NULL)
        return -1;
    for (i = 0; i < sizeof(products) / sizeof(products[0]); i++) {
        if (catalogue_add(f->cat, f->st, products[i][0], products[i][1],
                          &err) != HITO_OK)
            return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    stemmer_free(f->st);
    catalogue_free(f->cat);
    free(f->a);
    free(f);
    return 0;
}

static void entities_valid_table(void **state)
{
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        const struct entity *e;

        assert_int_equal(analysis_run(f->a, f->st, f->cat, valid[i].text, NULL),
                         HITO_OK);
        e = entities_first(&f->a->entities, valid[i].kind);
        if (e == NULL)
            fail_msg("no %s in \"%s\"", entity_kind_name(valid[i].kind),
                     valid[i].text);
        assert_string_equal(e->value, valid[i].value);
        if (valid[i].unit != NULL)
            assert_string_equal(e->unit, valid[i].unit);
        analysis_clear(f->a);
    }
}

static void entities_invalid_table(void **state)
{
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        const struct entity *e;

        assert_int_equal(
            analysis_run(f->a, f->st, f->cat, invalid[i].text, NULL), HITO_OK);
        e = entities_first(&f->a->entities, invalid[i].kind);
        if (e != NULL)
            fail_msg("unexpected %s \"%s\" in \"%s\"",
                     entity_kind_name(invalid[i].kind), e->value,
                     invalid[i].text);
        analysis_clear(f->a);
    }
}

static void entities_spans_in_order(void **state)
{
    struct fixture *f = *state;
    const char *text = "quiero 2 camisetas por $500, pedido ORD-123456";
    size_t i;

    assert_int_equal(analysis_run(f->a, f->st, f->cat, text, NULL), HITO_OK);
    assert_int_equal(f->a->entities.count, 4);
    for (i = 1; i < f->a->entities.count; i++)
        assert_true(f->a->entities.items[i - 1].end <=
                    f->a->entities.items[i].start);
    assert_int_equal(f->a->entities.items[0].kind, ENTITY_QUANTITY);
    assert_int_equal(f->a->entities.items[1].kind, ENTITY_PRODUCT);
    assert_int_equal(f->a->entities.items[2].kind, ENTITY_PRICE);
    assert_int_equal(f->a->entities.items[3].kind, ENTITY_ORDER);
    analysis_clear(f->a);
}

struct amount_case {
    const char *text;
    int rc;
    double value;
};

static void parse_amount_table(void **state)
{
    static const struct amount_case cases[] = {
        {"1.250,50", 0, 1250.5}, {"1,250.50", 0, 1250.5}, {"1.250", 0, 1250},
        {"1,250", 0, 1250},      {"12,5", 0, 12.5},       {"12.50", 0, 12.5},
        {"1.000.000", 0, 1e6},   {"20", 0, 20},           {"", -1, 0},
        {"abc", -1, 0},          {"12a", -1, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double value = 0;
        int rc =
            entities_parse_amount(cases[i].text, strlen(cases[i].text), &value);

        assert_int_equal(rc, cases[i].rc);
        if (rc == 0)
            assert_float_equal(value, cases[i].value, 1e-9);
    }
}

static void catalogue_rejects_bad_products(void **state)
{
    struct fixture *f = *state;
    struct hito_error err = {0};

    assert_int_equal(catalogue_add(f->cat, f->st, "", "Pan", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(catalogue_add(f->cat, f->st, "sku", "", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(catalogue_add(f->cat, f->st, "sku", "?!", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(catalogue_add(f->cat, f->st, "sku", "a b c d e f g", &err),
                     HITO_ERR_INVALID);
    assert_int_equal(catalogue_parse(f->cat, f->st, "sku-pan Pan\n", &err),
                     HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, "line 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entities_valid_table),
        cmocka_unit_test(entities_invalid_table),
        cmocka_unit_test(entities_spans_in_order),
        cmocka_unit_test(parse_amount_table),
        cmocka_unit_test(catalogue_rejects_bad_products),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

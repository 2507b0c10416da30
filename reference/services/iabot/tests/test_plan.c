/* Unit tests of domain/plan.c: the reply plan of each intent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../domain/plan.h"

struct fixture {
    struct stemmer *st;
    struct catalogue *cat;
    struct analysis *a;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->st = stemmer_new();
    f->cat = catalogue_new();
    f->a = malloc(sizeof(*f->a));
    if (f->st == NULL || f->cat == NULL || f->a == NULL ||
        catalogue_add(f->cat, f->st, "sku-camiseta", "Camiseta", NULL) !=
            HITO_OK ||
        catalogue_add(f->cat, f->st, "sku-pan", "Pan", NULL) != HITO_OK)
        return -1;
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

/* Builds the plan of text for intent; the caller decrefs it. */
static json_t *plan_of(struct fixture *f, enum intent intent, const char *text)
{
    json_t *plan;

    assert_int_equal(analysis_run(f->a, f->st, f->cat, text, NULL), HITO_OK);
    plan = plan_build(intent, f->a);
    analysis_clear(f->a);
    assert_non_null(plan);
    return plan;
}

static const char *action(json_t *plan)
{
    return json_string_value(json_object_get(plan, "action"));
}

struct action_case {
    enum intent intent;
    const char *text;
    const char *action;
};

static void plan_action_table(void **state)
{
    static const struct action_case cases[] = {
        {INTENT_GREETING, "hola", "greet"},
        {INTENT_PRODUCT_SEARCH, "busco camisetas", "search_products"},
        {INTENT_PRICE_QUESTION, "cuanto cuesta el pan", "quote_price"},
        {INTENT_ADD_TO_CART, "quiero 2 camisetas", "add_to_cart"},
        {INTENT_ADD_TO_CART, "agregalo", "ask_product"},
        {INTENT_CHECKOUT, "quiero pagar", "start_checkout"},
        {INTENT_PAYMENT_STATUS, "ya pague", "check_payment"},
        {INTENT_ORDER_STATUS, "mi pedido ORD-123456", "get_order_status"},
        {INTENT_DELIVERY_TRACKING, "donde esta mi paquete", "track_delivery"},
        {INTENT_CANCEL_ORDER, "cancela", "confirm_cancel"},
        {INTENT_OTP_CODE, "el codigo es 1234", "verify_otp"},
        {INTENT_OTP_CODE, "no me llego el codigo", "ask_otp"},
        {INTENT_TALK_TO_HUMAN, "asesor", "handover"},
        {INTENT_HANDOVER, "mmm", "handover"},
        {INTENT_GOODBYE, "chau", "close_conversation"},
        {INTENT_OUT_OF_SCOPE, "que clima hace", "explain_scope"},
    };
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *plan = plan_of(f, cases[i].intent, cases[i].text);

        assert_string_equal(action(plan), cases[i].action);
        json_decref(plan);
    }
}

static void plan_cart_items(void **state)
{
    struct fixture *f = *state;
    json_t *plan = plan_of(f, INTENT_ADD_TO_CART,
                           "quiero 2 camisetas y medio kilo de pan");
    json_t *items = json_object_get(plan, "items");
    json_t *first = json_array_get(items, 0),
           *second = json_array_get(items, 1);

    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(first, "product_id")),
                        "sku-camiseta");
    assert_float_equal(json_real_value(json_object_get(first, "quantity")), 2.0,
                       1e-9);
    assert_string_equal(
        json_string_value(json_object_get(second, "product_id")), "sku-pan");
    assert_float_equal(json_real_value(json_object_get(second, "quantity")),
                       0.5, 1e-9);
    assert_string_equal(json_string_value(json_object_get(second, "unit")),
                        "kg");
    json_decref(plan);
}

static void plan_order_and_code(void **state)
{
    struct fixture *f = *state;
    json_t *order =
        plan_of(f, INTENT_CANCEL_ORDER, "cancelen el pedido ORD-123456");
    json_t *no_order = plan_of(f, INTENT_ORDER_STATUS, "como va mi pedido");
    json_t *otp = plan_of(f, INTENT_OTP_CODE, "codigo 482913");

    assert_string_equal(json_string_value(json_object_get(order, "order_id")),
                        "ORD-123456");
    assert_true(json_is_null(json_object_get(no_order, "order_id")));
    assert_string_equal(json_string_value(json_object_get(otp, "code")),
                        "482913");
    json_decref(order);
    json_decref(no_order);
    json_decref(otp);
}

static void plan_search_query(void **state)
{
    struct fixture *f = *state;
    json_t *plan =
        plan_of(f, INTENT_PRODUCT_SEARCH, "Hola, ¿tienen camisetas rojas?");
    json_t *ids = json_object_get(plan, "product_ids");

    assert_string_equal(json_string_value(json_object_get(plan, "query")),
                        "camisetas rojas");
    assert_int_equal(json_array_size(ids), 1);
    assert_string_equal(json_string_value(json_array_get(ids, 0)),
                        "sku-camiseta");
    json_decref(plan);
}

static void entities_json_fields(void **state)
{
    struct fixture *f = *state;
    json_t *list, *price;

    assert_int_equal(analysis_run(f->a, f->st, f->cat, "son S/ 20", NULL),
                     HITO_OK);
    list = plan_entities_json(f->a);
    analysis_clear(f->a);
    assert_int_equal(json_array_size(list), 1);
    price = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(price, "kind")),
                        "price");
    assert_string_equal(json_string_value(json_object_get(price, "text")),
                        "s/ 20");
    assert_string_equal(json_string_value(json_object_get(price, "currency")),
                        "PEN");
    assert_float_equal(json_real_value(json_object_get(price, "amount")), 20.0,
                       1e-9);
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plan_action_table),
        cmocka_unit_test(plan_cart_items),
        cmocka_unit_test(plan_order_and_code),
        cmocka_unit_test(plan_search_query),
        cmocka_unit_test(entities_json_fields),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

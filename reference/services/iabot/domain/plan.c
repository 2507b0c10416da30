#include "plan.h"

#include <string.h>

/* Words dropped from a search query: function words and request verbs. */
static const char *const query_stopwords[] = {
    "a",        "al",     "algo",   "alguna",  "alguno",   "buenas", "busco",
    "buscando", "cuanto", "cuesta", "cuestan", "de",       "del",    "el",
    "en",       "es",     "estoy",  "hay",     "hola",     "la",     "las",
    "lo",       "los",    "me",     "mi",      "necesito", "para",   "por",
    "precio",   "que",    "quiero", "sale",    "salen",    "se",     "tenes",
    "tienen",   "tiene",  "un",     "una",     "unas",     "unos",   "vale",
    "valen",    "venden", "y",      "favor",   "porfa",    "ver",    "tendran",
    "tendras",  "hi",     "buenos", "dias",    "tardes",   "noches", NULL,
};

static int is_stopword(const char *word, size_t len)
{
    const char *const *w;

    for (w = query_stopwords; *w != NULL; w++) {
        if (strlen(*w) == len && memcmp(*w, word, len) == 0)
            return 1;
    }
    return 0;
}

/* Builds the query: the folded words of the message without stopwords. */
static json_t *build_query(const struct analysis *a)
{
    char query[TEXT_MAX_BYTES];
    size_t n = 0, i;

    for (i = 0; i < a->tokens.count; i++) {
        const struct token *t = &a->tokens.items[i];

        if (t->kind != TOKEN_WORD || is_stopword(a->folded + t->start, t->len))
            continue;
        if (n + t->len + 2 > sizeof(query))
            break;
        if (n > 0)
            query[n++] = ' ';
        memcpy(query + n, a->folded + t->start, t->len);
        n += t->len;
    }
    query[n] = '\0';
    return json_string(query);
}

static json_t *value_or_null(const struct analysis *a, enum entity_kind kind)
{
    const struct entity *e = entities_first(&a->entities, kind);

    return e != NULL ? json_string(e->value) : json_null();
}

static json_t *product_ids(const struct analysis *a)
{
    json_t *ids = json_array();
    size_t i;

    for (i = 0; ids != NULL && i < a->entities.count; i++) {
        if (a->entities.items[i].kind == ENTITY_PRODUCT)
            json_array_append_new(ids, json_string(a->entities.items[i].value));
    }
    return ids;
}

/*
 * Pairs each product with the quantity just before it ("2 camisetas"),
 * or 1 unit when none is given.
 */
static json_t *cart_items(const struct analysis *a)
{
    json_t *items = json_array();
    const struct entity *quantity = NULL;
    size_t i;

    for (i = 0; items != NULL && i < a->entities.count; i++) {
        const struct entity *e = &a->entities.items[i];

        if (e->kind == ENTITY_QUANTITY) {
            quantity = e;
        } else if (e->kind == ENTITY_PRODUCT) {
            json_array_append_new(
                items,
                json_pack("{s:s, s:f, s:s}", "product_id", e->value, "quantity",
                          quantity != NULL ? quantity->amount : 1.0, "unit",
                          quantity != NULL ? quantity->unit : "unit"));
            quantity = NULL;
        }
    }
    return items;
}

static json_t *plan_for_order(const char *action, const struct analysis *a)
{
    return json_pack("{s:s, s:o}", "action", action, "order_id",
                     value_or_null(a, ENTITY_ORDER));
}

json_t *plan_build(enum intent intent, const struct analysis *a)
{
    const struct entity *e;

    switch (intent) {
    case INTENT_GREETING:
        return json_pack("{s:s}", "action", "greet");
    case INTENT_PRODUCT_SEARCH:
        return json_pack("{s:s, s:o, s:o}", "action", "search_products",
                         "query", build_query(a), "product_ids",
                         product_ids(a));
    case INTENT_PRICE_QUESTION:
        return json_pack("{s:s, s:o, s:o}", "action", "quote_price", "query",
                         build_query(a), "product_ids", product_ids(a));
    case INTENT_ADD_TO_CART:
        if (entities_first(&a->entities, ENTITY_PRODUCT) == NULL)
            return json_pack("{s:s}", "action", "ask_product");
        return json_pack("{s:s, s:o}", "action", "add_to_cart", "items",
                         cart_items(a));
    case INTENT_CHECKOUT:
        return json_pack("{s:s}", "action", "start_checkout");
    case INTENT_PAYMENT_STATUS:
        return plan_for_order("check_payment", a);
    case INTENT_ORDER_STATUS:
        return plan_for_order("get_order_status", a);
    case INTENT_DELIVERY_TRACKING:
        return json_pack("{s:s, s:o, s:o}", "action", "track_delivery",
                         "tracking_code", value_or_null(a, ENTITY_TRACKING),
                         "order_id", value_or_null(a, ENTITY_ORDER));
    case INTENT_CANCEL_ORDER:
        return plan_for_order("confirm_cancel", a);
    case INTENT_OTP_CODE:
        e = entities_first(&a->entities, ENTITY_OTP);
        if (e == NULL)
            return json_pack("{s:s}", "action", "ask_otp");
        return json_pack("{s:s, s:s}", "action", "verify_otp", "code",
                         e->value);
    case INTENT_TALK_TO_HUMAN:
        return json_pack("{s:s, s:s}", "action", "handover", "reason",
                         "customer_request");
    case INTENT_GOODBYE:
        return json_pack("{s:s}", "action", "close_conversation");
    case INTENT_OUT_OF_SCOPE:
        return json_pack("{s:s}", "action", "explain_scope");
    case INTENT_HANDOVER:
    default:
        return json_pack("{s:s, s:s}", "action", "handover", "reason",
                         "low_confidence");
    }
}

static json_t *entity_json(const struct analysis *a, const struct entity *e)
{
    json_t *obj = json_pack(
        "{s:s, s:s%, s:I, s:I, s:s}", "kind", entity_kind_name(e->kind), "text",
        a->folded + e->start, e->end - e->start, "start", (json_int_t)e->start,
        "end", (json_int_t)e->end, "value", e->value);

    if (obj == NULL)
        return NULL;
    if (e->kind == ENTITY_QUANTITY) {
        json_object_set_new(obj, "amount", json_real(e->amount));
        json_object_set_new(obj, "unit", json_string(e->unit));
    } else if (e->kind == ENTITY_PRICE) {
        json_object_set_new(obj, "amount", json_real(e->amount));
        json_object_set_new(obj, "currency",
                            e->unit[0] != '\0' ? json_string(e->unit)
                                               : json_null());
    }
    return obj;
}

json_t *plan_entities_json(const struct analysis *a)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; list != NULL && i < a->entities.count; i++) {
        json_t *e = entity_json(a, &a->entities.items[i]);

        if (e == NULL || json_array_append_new(list, e) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

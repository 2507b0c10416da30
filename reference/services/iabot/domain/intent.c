#include "intent.h"

#include <string.h>

static const char *const names[INTENT_COUNT] = {
    "greeting",     "product_search", "price_question", "add_to_cart",
    "checkout",     "payment_status", "order_status",   "delivery_tracking",
    "cancel_order", "otp_code",       "talk_to_human",  "goodbye",
    "out_of_scope", "handover",
};

const char *intent_name(enum intent intent)
{
    if ((int)intent < 0 || intent >= INTENT_COUNT)
        return "";
    return names[intent];
}

int intent_parse(const char *name)
{
    int i;

    for (i = 0; i < INTENT_COUNT; i++) {
        if (strcmp(names[i], name) == 0)
            return i;
    }
    return -1;
}

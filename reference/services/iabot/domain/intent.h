/*
 * intent.h - the intents the IA bot tells apart. The order is part of the
 * model format: a model stores one weight column per intent in this order.
 */
#ifndef IABOT_INTENT_H
#define IABOT_INTENT_H

enum intent {
    INTENT_GREETING,
    INTENT_PRODUCT_SEARCH,
    INTENT_PRICE_QUESTION,
    INTENT_ADD_TO_CART,
    INTENT_CHECKOUT,
    INTENT_PAYMENT_STATUS,
    INTENT_ORDER_STATUS,
    INTENT_DELIVERY_TRACKING,
    INTENT_CANCEL_ORDER,
    INTENT_OTP_CODE,
    INTENT_TALK_TO_HUMAN,
    INTENT_GOODBYE,
    INTENT_OUT_OF_SCOPE,
    /* Not a class of the model: chosen when the model is not confident. */
    INTENT_HANDOVER,
    INTENT_COUNT
};

/* Intents the model is trained on: every intent before INTENT_HANDOVER. */
#define INTENT_CLASSES INTENT_HANDOVER

/* Returns the snake_case name of an intent ("order_status"), "" if invalid. */
const char *intent_name(enum intent intent);

/* Returns the intent of a name, or -1 for an unknown name. */
int intent_parse(const char *name);

#endif

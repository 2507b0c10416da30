/*
 * orch_reply.h - the messages the bot sends, built from fixed Spanish
 * texts. No I/O.
 */
#ifndef ORCH_REPLY_H
#define ORCH_REPLY_H

#include "orch_ports.h"

enum orch_reply {
    ORCH_REPLY_GREETING,
    ORCH_REPLY_PRODUCTS, /* list of the products found */
    ORCH_REPLY_PRICES,   /* list of products to see the price of */
    ORCH_REPLY_ASK_PRODUCT,
    ORCH_REPLY_ADDED, /* buttons: check out or keep shopping */
    ORCH_REPLY_CART_EMPTY,
    ORCH_REPLY_OTP_SENT_CHECKOUT,
    ORCH_REPLY_OTP_SENT_STATUS,
    ORCH_REPLY_OTP_FAILED, /* the code could not be sent */
    ORCH_REPLY_ASK_CODE,
    ORCH_REPLY_NO_CODE_PENDING,
    ORCH_REPLY_CODE_REJECTED,
    ORCH_REPLY_CHECKOUT_CONFIRMED,
    ORCH_REPLY_ORDER_VERIFIED,
    ORCH_REPLY_TRACKING,
    ORCH_REPLY_CONFIRM_CANCEL, /* buttons: yes or no */
    ORCH_REPLY_HANDOVER,
    ORCH_REPLY_GOODBYE,
    ORCH_REPLY_SCOPE,
    ORCH_REPLY_COUNT
};

/* Option ids of the bot's buttons, as they come back in a reply. */
#define ORCH_BUTTON_CHECKOUT "checkout"
#define ORCH_BUTTON_BROWSE "browse"
#define ORCH_BUTTON_CANCEL_YES "cancel_yes"
#define ORCH_BUTTON_CANCEL_NO "cancel_no"

/*
 * Builds reply into out. detail fills the text's one placeholder where it
 * has one (an order id or tracking code; NULL or "" reads as "tu pedido"),
 * and analysis gives the rows of a product list (may be NULL otherwise).
 * Returns HITO_ERR_INVALID for a reply out of range.
 */
int orch_reply_build(enum orch_reply reply, const char *detail,
                     const struct orch_analysis *analysis,
                     struct orch_message *out);

/* Returns the reply's name ("greeting"), used in logs and metrics. */
const char *orch_reply_name(enum orch_reply reply);

#endif

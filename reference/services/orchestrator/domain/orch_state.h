/*
 * orch_state.h - the conversation state machine: the states a customer's
 * conversation can be in, the events that move it, and the table of
 * allowed transitions. No I/O.
 */
#ifndef ORCH_STATE_H
#define ORCH_STATE_H

#include "hito/err.h"

enum orch_state {
    ORCH_STATE_GREETING,         /* new, or back to the start */
    ORCH_STATE_BROWSING,         /* looking at products */
    ORCH_STATE_CART,             /* has put something in the cart */
    ORCH_STATE_CHECKOUT,         /* asked to pay for the cart */
    ORCH_STATE_AWAITING_OTP,     /* a code was sent; waiting for it */
    ORCH_STATE_AWAITING_PAYMENT, /* checkout confirmed by code */
    ORCH_STATE_TRACKING,         /* following an order or a delivery */
    ORCH_STATE_HUMAN,            /* handed to a human; the bot stays quiet */
    ORCH_STATE_COUNT
};

enum orch_event {
    ORCH_EVENT_GREET,
    ORCH_EVENT_BROWSE,
    ORCH_EVENT_ADD_TO_CART,
    ORCH_EVENT_CHECKOUT,
    ORCH_EVENT_OTP_SENT,
    ORCH_EVENT_CHECKOUT_VERIFIED, /* the code for a checkout was right */
    ORCH_EVENT_STATUS_VERIFIED,   /* the code for an order status was right */
    ORCH_EVENT_TRACK,
    ORCH_EVENT_HANDOVER,
    ORCH_EVENT_HAND_BACK,
    ORCH_EVENT_CLOSE,
    ORCH_EVENT_COUNT
};

/*
 * Stores in *to the state that event leads to from from. Returns
 * HITO_ERR_CONFLICT when the table does not allow event in from (for
 * example a checkout with an empty cart), HITO_ERR_INVALID for values out
 * of range; *to is then unchanged.
 */
int orch_state_next(enum orch_state from, enum orch_event event,
                    enum orch_state *to);

/* Returns the state's name ("awaiting_otp"), or "unknown" out of range. */
const char *orch_state_name(enum orch_state state);

/* Parses a state name; HITO_ERR_INVALID for an unknown one. */
int orch_state_parse(const char *name, enum orch_state *out);

/* Returns the event's name ("otp_sent"), or "unknown" out of range. */
const char *orch_event_name(enum orch_event event);

#endif

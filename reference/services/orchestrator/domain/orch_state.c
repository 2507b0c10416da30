#include "orch_state.h"

#include <string.h>

/* Marks a transition the table does not allow. */
#define NO ORCH_STATE_COUNT

static const char *const state_names[ORCH_STATE_COUNT] = {
    "greeting",     "browsing",         "cart",     "checkout",
    "awaiting_otp", "awaiting_payment", "tracking", "human",
};

static const char *const event_names[ORCH_EVENT_COUNT] = {
    "greet",           "browse",   "add_to_cart",
    "checkout",        "otp_sent", "checkout_verified",
    "status_verified", "track",    "handover",
    "hand_back",       "close",
};

/*
 * transitions[from][event]. A conversation in the hands of a human leaves
 * that state only when an operator hands it back; a checkout needs a cart;
 * a verified code moves on only from awaiting_otp.
 */
static const enum orch_state transitions[ORCH_STATE_COUNT][ORCH_EVENT_COUNT] = {
    [ORCH_STATE_GREETING] = { ORCH_STATE_GREETING, ORCH_STATE_BROWSING,
                              ORCH_STATE_CART, NO, ORCH_STATE_AWAITING_OTP, NO,
                              NO, ORCH_STATE_TRACKING, ORCH_STATE_HUMAN, NO,
                              ORCH_STATE_GREETING },
    [ORCH_STATE_BROWSING] = { ORCH_STATE_GREETING, ORCH_STATE_BROWSING,
                              ORCH_STATE_CART, NO, ORCH_STATE_AWAITING_OTP, NO,
                              NO, ORCH_STATE_TRACKING, ORCH_STATE_HUMAN, NO,
                              ORCH_STATE_GREETING },
    [ORCH_STATE_CART] = { ORCH_STATE_GREETING, ORCH_STATE_BROWSING,
                          ORCH_STATE_CART, ORCH_STATE_CHECKOUT,
                          ORCH_STATE_AWAITING_OTP, NO, NO, ORCH_STATE_TRACKING,
                          ORCH_STATE_HUMAN, NO, ORCH_STATE_GREETING },
    [ORCH_STATE_CHECKOUT] = { ORCH_STATE_GREETING, ORCH_STATE_BROWSING,
                              ORCH_STATE_CART, ORCH_STATE_CHECKOUT,
                              ORCH_STATE_AWAITING_OTP, NO, NO, NO,
                              ORCH_STATE_HUMAN, NO, ORCH_STATE_GREETING },
    [ORCH_STATE_AWAITING_OTP] = { ORCH_STATE_GREETING, ORCH_STATE_BROWSING,
                                  ORCH_STATE_CART, NO, ORCH_STATE_AWAITING_OTP,
                                  ORCH_STATE_AWAITING_PAYMENT,
                                  ORCH_STATE_TRACKING, NO, ORCH_STATE_HUMAN, NO,
                                  ORCH_STATE_GREETING },
    [ORCH_STATE_AWAITING_PAYMENT] = { ORCH_STATE_GREETING, ORCH_STATE_BROWSING,
                                      NO, NO, ORCH_STATE_AWAITING_OTP, NO, NO,
                                      ORCH_STATE_TRACKING, ORCH_STATE_HUMAN, NO,
                                      ORCH_STATE_GREETING },
    [ORCH_STATE_TRACKING] = { ORCH_STATE_GREETING, ORCH_STATE_BROWSING,
                              ORCH_STATE_CART, NO, ORCH_STATE_AWAITING_OTP, NO,
                              NO, ORCH_STATE_TRACKING, ORCH_STATE_HUMAN, NO,
                              ORCH_STATE_GREETING },
    [ORCH_STATE_HUMAN] = { NO, NO, NO, NO, NO, NO, NO, NO, ORCH_STATE_HUMAN,
                           ORCH_STATE_GREETING, NO },
};

int orch_state_next(enum orch_state from, enum orch_event event,
                    enum orch_state *to)
{
    enum orch_state next;

    if ((unsigned)from >= ORCH_STATE_COUNT ||
        (unsigned)event >= ORCH_EVENT_COUNT)
        return HITO_ERR_INVALID;
    next = transitions[from][event];
    if (next == NO)
        return HITO_ERR_CONFLICT;
    *to = next;
    return HITO_OK;
}

const char *orch_state_name(enum orch_state state)
{
    if ((unsigned)state >= ORCH_STATE_COUNT)
        return "unknown";
    return state_names[state];
}

int orch_state_parse(const char *name, enum orch_state *out)
{
    for (int i = 0; i < ORCH_STATE_COUNT; i++) {
        if (strcmp(name, state_names[i]) == 0) {
            *out = (enum orch_state)i;
            return HITO_OK;
        }
    }
    return HITO_ERR_INVALID;
}

const char *orch_event_name(enum orch_event event)
{
    if ((unsigned)event >= ORCH_EVENT_COUNT)
        return "unknown";
    return event_names[event];
}

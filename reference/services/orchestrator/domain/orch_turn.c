#include "orch_turn.h"

#include <stdio.h>
#include <string.h>

typedef void (*action_fn)(const struct orch_conversation *conv,
                          const struct orch_analysis *analysis,
                          struct orch_decision *out);

static void start(const struct orch_conversation *conv,
                  struct orch_decision *out)
{
    memset(out, 0, sizeof(*out));
    out->next = conv->state;
    out->pending = conv->pending;
    snprintf(out->order_id, sizeof(out->order_id), "%s", conv->order_id);
}

static void set_reply(struct orch_decision *out, enum orch_reply reply,
                      const char *detail, const struct orch_analysis *analysis)
{
    out->reply = 1;
    out->reply_id = reply;
    orch_reply_build(reply, detail, analysis, &out->message);
}

/*
 * Moves out->next by event and replies with reply; when the table does not
 * allow the event, replies with refused instead and keeps the state.
 * Returns nonzero when the event was applied.
 */
static int move(struct orch_decision *out, enum orch_event event,
                enum orch_reply reply, enum orch_reply refused,
                const char *detail, const struct orch_analysis *analysis)
{
    enum orch_state next;

    if (orch_state_next(out->next, event, &next) != HITO_OK) {
        set_reply(out, refused, detail, analysis);
        return 0;
    }
    out->next = next;
    set_reply(out, reply, detail, analysis);
    return 1;
}

static void greet(const struct orch_conversation *conv,
                  const struct orch_analysis *analysis,
                  struct orch_decision *out)
{
    (void)conv;
    out->pending = ORCH_PENDING_NONE;
    move(out, ORCH_EVENT_GREET, ORCH_REPLY_GREETING, ORCH_REPLY_GREETING, NULL,
         analysis);
}

static void search(const struct orch_conversation *conv,
                   const struct orch_analysis *analysis,
                   struct orch_decision *out)
{
    int prices = strcmp(analysis->action, "quote_price") == 0;

    (void)conv;
    if (analysis->product_count == 0) {
        set_reply(out, ORCH_REPLY_ASK_PRODUCT, NULL, analysis);
        return;
    }
    move(out, ORCH_EVENT_BROWSE,
         prices ? ORCH_REPLY_PRICES : ORCH_REPLY_PRODUCTS, ORCH_REPLY_SCOPE,
         NULL, analysis);
}

static void add_to_cart(const struct orch_conversation *conv,
                        const struct orch_analysis *analysis,
                        struct orch_decision *out)
{
    (void)conv;
    move(out, ORCH_EVENT_ADD_TO_CART, ORCH_REPLY_ADDED, ORCH_REPLY_SCOPE, NULL,
         analysis);
}

static void ask_product(const struct orch_conversation *conv,
                        const struct orch_analysis *analysis,
                        struct orch_decision *out)
{
    (void)conv;
    set_reply(out, ORCH_REPLY_ASK_PRODUCT, NULL, analysis);
}

/* A checkout needs a cart, then a code of purpose payment_confirmation. */
static void checkout(const struct orch_conversation *conv,
                     const struct orch_analysis *analysis,
                     struct orch_decision *out)
{
    /* A second request while the code is pending gets no second code. */
    if (conv->state == ORCH_STATE_AWAITING_OTP &&
        conv->pending == ORCH_PENDING_CHECKOUT) {
        set_reply(out, ORCH_REPLY_ASK_CODE, NULL, analysis);
        return;
    }
    if (!move(out, ORCH_EVENT_CHECKOUT, ORCH_REPLY_OTP_SENT_CHECKOUT,
              ORCH_REPLY_CART_EMPTY, NULL, analysis))
        return;
    move(out, ORCH_EVENT_OTP_SENT, ORCH_REPLY_OTP_SENT_CHECKOUT,
         ORCH_REPLY_CART_EMPTY, NULL, analysis);
    out->pending = ORCH_PENDING_CHECKOUT;
    snprintf(out->request_otp, sizeof(out->request_otp), "%s",
             ORCH_PURPOSE_CHECKOUT);
}

/* An order's status or payment is shown only to a verified number. */
static void order_status(const struct orch_conversation *conv,
                         const struct orch_analysis *analysis,
                         struct orch_decision *out)
{
    (void)conv;
    if (!move(out, ORCH_EVENT_OTP_SENT, ORCH_REPLY_OTP_SENT_STATUS,
              ORCH_REPLY_SCOPE, analysis->order_id, analysis))
        return;
    out->pending = ORCH_PENDING_ORDER_STATUS;
    snprintf(out->order_id, sizeof(out->order_id), "%s", analysis->order_id);
    snprintf(out->request_otp, sizeof(out->request_otp), "%s",
             ORCH_PURPOSE_STATUS);
}

static void track(const struct orch_conversation *conv,
                  const struct orch_analysis *analysis,
                  struct orch_decision *out)
{
    (void)conv;
    move(out, ORCH_EVENT_TRACK, ORCH_REPLY_TRACKING, ORCH_REPLY_SCOPE,
         analysis->order_id, analysis);
}

static void confirm_cancel(const struct orch_conversation *conv,
                           const struct orch_analysis *analysis,
                           struct orch_decision *out)
{
    (void)conv;
    set_reply(out, ORCH_REPLY_CONFIRM_CANCEL, analysis->order_id, analysis);
}

/* A code is checked only while one is pending, so a code sent again after
 * it was accepted is rejected here. */
static void verify_otp(const struct orch_conversation *conv,
                       const struct orch_analysis *analysis,
                       struct orch_decision *out)
{
    if (conv->state != ORCH_STATE_AWAITING_OTP) {
        set_reply(out, ORCH_REPLY_NO_CODE_PENDING, NULL, analysis);
        return;
    }
    if (analysis->otp_code[0] == '\0') {
        set_reply(out, ORCH_REPLY_ASK_CODE, NULL, analysis);
        return;
    }
    snprintf(out->verify_otp, sizeof(out->verify_otp), "%s",
             analysis->otp_code);
}

static void handover(struct orch_decision *out, const char *reason,
                     const struct orch_analysis *analysis)
{
    if (move(out, ORCH_EVENT_HANDOVER, ORCH_REPLY_HANDOVER, ORCH_REPLY_HANDOVER,
             NULL, analysis)) {
        out->pending = ORCH_PENDING_NONE;
        snprintf(out->handover, sizeof(out->handover), "%s", reason);
    }
}

static void customer_handover(const struct orch_conversation *conv,
                              const struct orch_analysis *analysis,
                              struct orch_decision *out)
{
    (void)conv;
    handover(out, ORCH_REASON_CUSTOMER, analysis);
}

static void low_confidence(const struct orch_conversation *conv,
                           const struct orch_analysis *analysis,
                           struct orch_decision *out)
{
    (void)conv;
    handover(out, ORCH_REASON_LOW_CONFIDENCE, analysis);
}

static void close_conversation(const struct orch_conversation *conv,
                               const struct orch_analysis *analysis,
                               struct orch_decision *out)
{
    (void)conv;
    out->pending = ORCH_PENDING_NONE;
    move(out, ORCH_EVENT_CLOSE, ORCH_REPLY_GOODBYE, ORCH_REPLY_GOODBYE, NULL,
         analysis);
}

static void explain_scope(const struct orch_conversation *conv,
                          const struct orch_analysis *analysis,
                          struct orch_decision *out)
{
    (void)conv;
    set_reply(out, ORCH_REPLY_SCOPE, NULL, analysis);
}

/* The IA bot's reply-plan actions (its domain/plan.h) and what each does. */
static const struct {
    const char *action;
    action_fn fn;
} actions[] = {
    { "greet", greet },
    { "search_products", search },
    { "quote_price", search },
    { "add_to_cart", add_to_cart },
    { "ask_product", ask_product },
    { "start_checkout", checkout },
    { "check_payment", order_status },
    { "get_order_status", order_status },
    { "track_delivery", track },
    { "confirm_cancel", confirm_cancel },
    { "verify_otp", verify_otp },
    { "ask_otp", verify_otp },
    { "handover", customer_handover },
    { "close_conversation", close_conversation },
    { "explain_scope", explain_scope },
};

static action_fn find_action(const struct orch_analysis *analysis,
                             const struct orch_policy *policy)
{
    if (strcmp(analysis->intent, "handover") == 0 ||
        analysis->confidence < policy->min_confidence)
        return low_confidence;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strcmp(analysis->action, actions[i].action) == 0)
            return actions[i].fn;
    }
    return explain_scope;
}

void orch_turn_decide(const struct orch_conversation *conv,
                      const struct orch_analysis *analysis,
                      const struct orch_policy *policy,
                      struct orch_decision *out)
{
    start(conv, out);
    if (conv->state == ORCH_STATE_HUMAN)
        return;
    find_action(analysis, policy)(conv, analysis, out);
}

void orch_turn_verified(const struct orch_conversation *conv, int accepted,
                        struct orch_decision *out)
{
    start(conv, out);
    if (!accepted) {
        set_reply(out, ORCH_REPLY_CODE_REJECTED, NULL, NULL);
        return;
    }
    if (conv->pending == ORCH_PENDING_CHECKOUT)
        move(out, ORCH_EVENT_CHECKOUT_VERIFIED, ORCH_REPLY_CHECKOUT_CONFIRMED,
             ORCH_REPLY_NO_CODE_PENDING, NULL, NULL);
    else
        move(out, ORCH_EVENT_STATUS_VERIFIED, ORCH_REPLY_ORDER_VERIFIED,
             ORCH_REPLY_NO_CODE_PENDING, conv->order_id, NULL);
    out->pending = ORCH_PENDING_NONE;
}

void orch_turn_otp_failed(const struct orch_conversation *conv,
                          struct orch_decision *out)
{
    start(conv, out);
    set_reply(out, ORCH_REPLY_OTP_FAILED, NULL, NULL);
}

void orch_turn_apply(const struct orch_decision *decision,
                     struct orch_conversation *conv)
{
    conv->state = decision->next;
    conv->pending = decision->pending;
    snprintf(conv->order_id, sizeof(conv->order_id), "%s", decision->order_id);
    if (decision->handover[0] != '\0')
        snprintf(conv->handover_reason, sizeof(conv->handover_reason), "%s",
                 decision->handover);
}

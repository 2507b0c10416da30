/*
 * orch_turn.h - the use case's decisions for one customer message: from
 * the conversation and the IA bot's analysis, the next state and what to
 * do (reply, send a code, check a code, hand over). No I/O: the service
 * (orch_service.h) carries the decisions out through the ports.
 */
#ifndef ORCH_TURN_H
#define ORCH_TURN_H

#include "orch_ports.h"
#include "orch_reply.h"

/* OTP purposes, as the OTP service names them (its OTP_PURPOSES). */
#define ORCH_PURPOSE_CHECKOUT "payment_confirmation"
#define ORCH_PURPOSE_STATUS "phone_verification"

/* Handover reasons. */
#define ORCH_REASON_LOW_CONFIDENCE "low_confidence"
#define ORCH_REASON_CUSTOMER "customer_request"

struct orch_policy {
    /* Below this confidence the bot hands over even when the IA bot chose
     * an intent; 0 leaves it to the IA bot's own threshold. */
    double min_confidence;
};

struct orch_decision {
    enum orch_state next;
    enum orch_pending pending;
    char order_id[ORCH_ID_SIZE];
    int reply; /* nonzero: send message */
    enum orch_reply reply_id;
    struct orch_message message;
    char request_otp[ORCH_NAME_SIZE]; /* purpose of a code to send, or "" */
    char verify_otp[ORCH_CODE_SIZE];  /* code to check, or "" */
    char handover[ORCH_NAME_SIZE];    /* reason of a handover, or "" */
};

/*
 * Decides the turn for a message analysed as analysis in conversation
 * conv. A conversation handed to a human gets no reply. When the decision
 * asks for a code check (verify_otp), call orch_turn_verified with its
 * result; when it asks for a code to be sent (request_otp) and sending
 * fails, call orch_turn_otp_failed. Never fails: an analysis it does not
 * know gets the scope reply.
 */
void orch_turn_decide(const struct orch_conversation *conv,
                      const struct orch_analysis *analysis,
                      const struct orch_policy *policy,
                      struct orch_decision *out);

/* Decides the turn once the OTP service accepted (accepted nonzero) or
 * rejected the customer's code. */
void orch_turn_verified(const struct orch_conversation *conv, int accepted,
                        struct orch_decision *out);

/* Replaces a decision whose code could not be sent: the state stays. */
void orch_turn_otp_failed(const struct orch_conversation *conv,
                          struct orch_decision *out);

/* Applies out's state and pending verification to conv. */
void orch_turn_apply(const struct orch_decision *decision,
                     struct orch_conversation *conv);

#endif

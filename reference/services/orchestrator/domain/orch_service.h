/*
 * orch_service.h - the orchestrator's use cases: handle one inbound
 * customer message end to end, and the operator's handover actions. It
 * calls the outside world only through the ports of orch_ports.h.
 */
#ifndef ORCH_SERVICE_H
#define ORCH_SERVICE_H

#include "orch_ports.h"
#include "orch_turn.h"

struct orch_service_deps {
    struct orch_iabot iabot;
    struct orch_otp otp;
    struct orch_whatsapp whatsapp;
    struct orch_store store;
    orch_clock_fn clock;
    struct orch_policy policy;
};

/* Outcome of one inbound message, for logs and metrics. */
struct orch_turn_result {
    int duplicate; /* already handled: nothing was done */
    int resent;    /* a reply saved by an earlier try was sent */
    int new_conversation;
    int replied; /* a reply was sent */
    enum orch_state before;
    enum orch_state after;
    char intent[ORCH_NAME_SIZE];
    const char *reply;             /* orch_reply_name, or NULL */
    char handover[ORCH_NAME_SIZE]; /* reason when handed over now, or "" */
    double latency_s;              /* received_ms to reply sent; <0: unknown */
};

struct orch_service;

/* Copies deps; NULL with err when out of memory. */
struct orch_service *orch_service_new(const struct orch_service_deps *deps,
                                      struct hito_error *err);
void orch_service_free(struct orch_service *svc);

/*
 * Handles msg: skips it when already handled, else analyses it, decides
 * the turn, checks or sends a code where the turn needs one, stores the
 * new state with the reply, sends the reply and records the message as
 * handled. Returns 0 when msg is done (ack it), HITO_ERR_INVALID when it
 * can never be handled, the port's code when a dependency failed
 * (HITO_ERR_PROTOCOL when it refused the request for good). result is
 * filled either way.
 */
int orch_service_handle(struct orch_service *svc,
                        const struct orch_inbound *msg,
                        struct orch_turn_result *result,
                        struct hito_error *err);

/* Copies up to max conversations handed to a human into out. */
int orch_service_list_handovers(struct orch_service *svc,
                                struct orch_conversation *out, size_t max,
                                size_t *count, struct hito_error *err);

/*
 * Assigns customer's handed-over conversation to operator_id and copies
 * it into out. HITO_ERR_NOT_FOUND for an unknown customer,
 * HITO_ERR_CONFLICT when the conversation is not handed over or another
 * operator has it.
 */
int orch_service_take_over(struct orch_service *svc, const char *customer,
                           const char *operator_id,
                           struct orch_conversation *out,
                           struct hito_error *err);

/*
 * Gives customer's conversation back to the bot (state greeting) and
 * copies it into out. Errors as orch_service_take_over, except that any
 * operator may hand it back.
 */
int orch_service_hand_back(struct orch_service *svc, const char *customer,
                           struct orch_conversation *out,
                           struct hito_error *err);

#endif

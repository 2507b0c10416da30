#include "orch_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct orch_service {
    struct orch_service_deps deps;
};

struct orch_service *orch_service_new(const struct orch_service_deps *deps,
                                      struct hito_error *err)
{
    struct orch_service *svc = calloc(1, sizeof(*svc));

    if (svc == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    svc->deps = *deps;
    return svc;
}

void orch_service_free(struct orch_service *svc)
{
    free(svc);
}

static int send_reply(struct orch_service *svc, const struct orch_inbound *msg,
                      const struct orch_message *reply,
                      struct orch_turn_result *result, struct hito_error *err)
{
    const struct orch_whatsapp *wa = &svc->deps.whatsapp;
    char message_id[ORCH_ID_SIZE] = "";
    int rc;

    /* The wamid is the idempotency key: one reply per customer message. */
    rc = wa->ops->send(wa->self, msg->from, reply, msg->wamid, message_id, err);
    if (rc != HITO_OK)
        return rc;
    result->replied = 1;
    if (msg->received_ms > 0)
        result->latency_s =
            (double)(svc->deps.clock() - msg->received_ms) / 1000.0;
    return HITO_OK;
}

/* Sends the reply an earlier try saved, then finishes the turn. */
static int resume(struct orch_service *svc, const struct orch_inbound *msg,
                  struct orch_turn_result *result, struct hito_error *err)
{
    const struct orch_store *store = &svc->deps.store;
    struct orch_message *reply = calloc(1, sizeof(*reply));
    int done = 0, has_reply = 0;
    int rc;

    if (reply == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    rc = store->ops->find_turn(store->self, msg->wamid, &done, &has_reply,
                               reply, err);
    if (rc != HITO_OK)
        goto out;
    if (done) {
        result->duplicate = 1;
        goto out;
    }
    result->resent = 1;
    if (has_reply)
        rc = send_reply(svc, msg, reply, result, err);
    if (rc == HITO_OK)
        rc = store->ops->finish_turn(store->self, msg->wamid, err);

out:
    free(reply);
    return rc;
}

static int load_conversation(struct orch_service *svc, const char *customer,
                             struct orch_conversation *conv,
                             struct orch_turn_result *result,
                             struct hito_error *err)
{
    const struct orch_store *store = &svc->deps.store;
    int rc = store->ops->load(store->self, customer, conv, err);

    if (rc == HITO_ERR_NOT_FOUND) {
        memset(conv, 0, sizeof(*conv));
        snprintf(conv->customer, sizeof(conv->customer), "%s", customer);
        conv->state = ORCH_STATE_GREETING;
        result->new_conversation = 1;
        rc = HITO_OK;
    }
    return rc;
}

/* Checks or sends a code when the decision requests it. */
static int run_otp(struct orch_service *svc,
                   const struct orch_conversation *conv,
                   struct orch_decision *decision, struct hito_error *err)
{
    const struct orch_otp *otp = &svc->deps.otp;
    const char *purpose = conv->pending == ORCH_PENDING_CHECKOUT
                              ? ORCH_PURPOSE_CHECKOUT
                              : ORCH_PURPOSE_STATUS;
    struct hito_error local = { 0 };
    int rc;

    if (decision->verify_otp[0] != '\0') {
        rc = otp->ops->verify(otp->self, conv->customer, purpose,
                              decision->verify_otp, err);
        if (rc != HITO_OK && rc != HITO_ERR_AUTH)
            return rc;
        orch_turn_verified(conv, rc == HITO_OK, decision);
    } else if (decision->request_otp[0] != '\0') {
        /* NOTE: a code sent by a try that then failed is sent again by
         * the retry, within the OTP service's cooldown. The OTP service
         * then rejects it and the reply asks the customer to try later. */
        rc = otp->ops->issue(otp->self, conv->customer, decision->request_otp,
                             &local);
        if (rc != HITO_OK)
            orch_turn_otp_failed(conv, decision);
    }
    return HITO_OK;
}

static int decide(struct orch_service *svc, const struct orch_inbound *msg,
                  const struct orch_conversation *conv,
                  struct orch_decision *decision,
                  struct orch_turn_result *result, struct hito_error *err)
{
    const struct orch_iabot *iabot = &svc->deps.iabot;
    struct orch_analysis analysis;
    int rc;

    memset(&analysis, 0, sizeof(analysis));
    /* A conversation with a human gets no analysis and no bot reply. */
    if (conv->state == ORCH_STATE_HUMAN) {
        orch_turn_decide(conv, &analysis, &svc->deps.policy, decision);
        return HITO_OK;
    }
    rc = iabot->ops->analyse(iabot->self, conv->customer, conv->customer,
                             msg->text, &analysis, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(result->intent, sizeof(result->intent), "%s", analysis.intent);
    orch_turn_decide(conv, &analysis, &svc->deps.policy, decision);
    return run_otp(svc, conv, decision, err);
}

static int handle_new(struct orch_service *svc, const struct orch_inbound *msg,
                      struct orch_conversation *conv,
                      struct orch_decision *decision,
                      struct orch_turn_result *result, struct hito_error *err)
{
    const struct orch_store *store = &svc->deps.store;
    int rc;

    rc = load_conversation(svc, msg->from, conv, result, err);
    if (rc != HITO_OK)
        return rc;
    result->before = conv->state;
    rc = decide(svc, msg, conv, decision, result, err);
    if (rc != HITO_OK)
        return rc;
    orch_turn_apply(decision, conv);
    conv->turns++;
    conv->updated_ms = svc->deps.clock();
    result->after = conv->state;
    snprintf(result->handover, sizeof(result->handover), "%s",
             decision->handover);
    rc =
        store->ops->save_turn(store->self, conv, msg->wamid,
                              decision->reply ? &decision->message : NULL, err);
    if (rc != HITO_OK)
        return rc;
    if (decision->reply) {
        result->reply = orch_reply_name(decision->reply_id);
        rc = send_reply(svc, msg, &decision->message, result, err);
        if (rc != HITO_OK)
            return rc;
    }
    return store->ops->finish_turn(store->self, msg->wamid, err);
}

int orch_service_handle(struct orch_service *svc,
                        const struct orch_inbound *msg,
                        struct orch_turn_result *result, struct hito_error *err)
{
    struct orch_conversation conv;
    struct orch_decision *decision;
    int rc;

    memset(result, 0, sizeof(*result));
    result->latency_s = -1;
    if (msg->wamid[0] == '\0' || msg->from[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the message has no wamid or no sender");
    rc = resume(svc, msg, result, err);
    if (rc != HITO_ERR_NOT_FOUND)
        return rc;
    if (msg->text[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID, "message %s has no text",
                              msg->wamid);

    decision = malloc(sizeof(*decision));
    if (decision == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    rc = handle_new(svc, msg, &conv, decision, result, err);
    free(decision);
    return rc;
}

int orch_service_list_handovers(struct orch_service *svc,
                                struct orch_conversation *out, size_t max,
                                size_t *count, struct hito_error *err)
{
    const struct orch_store *store = &svc->deps.store;

    return store->ops->list(store->self, ORCH_STATE_HUMAN, out, max, count,
                            err);
}

static int load_handed_over(struct orch_service *svc, const char *customer,
                            struct orch_conversation *out,
                            struct hito_error *err)
{
    const struct orch_store *store = &svc->deps.store;
    int rc = store->ops->load(store->self, customer, out, err);

    if (rc == HITO_ERR_NOT_FOUND)
        return hito_error_set(err, rc, "no conversation with %s", customer);
    if (rc == HITO_OK && out->state != ORCH_STATE_HUMAN)
        return hito_error_set(err, HITO_ERR_CONFLICT,
                              "the conversation is %s, not handed over",
                              orch_state_name(out->state));
    return rc;
}

int orch_service_take_over(struct orch_service *svc, const char *customer,
                           const char *operator_id,
                           struct orch_conversation *out,
                           struct hito_error *err)
{
    const struct orch_store *store = &svc->deps.store;
    int rc = load_handed_over(svc, customer, out, err);

    if (rc != HITO_OK)
        return rc;
    if (out->operator_id[0] != '\0' &&
        strcmp(out->operator_id, operator_id) != 0)
        return hito_error_set(err, HITO_ERR_CONFLICT,
                              "another operator has taken it over");
    snprintf(out->operator_id, sizeof(out->operator_id), "%s", operator_id);
    out->updated_ms = svc->deps.clock();
    return store->ops->save(store->self, out, err);
}

int orch_service_hand_back(struct orch_service *svc, const char *customer,
                           struct orch_conversation *out,
                           struct hito_error *err)
{
    const struct orch_store *store = &svc->deps.store;
    enum orch_state next;
    int rc = load_handed_over(svc, customer, out, err);

    if (rc != HITO_OK)
        return rc;
    rc = orch_state_next(out->state, ORCH_EVENT_HAND_BACK, &next);
    if (rc != HITO_OK)
        return hito_error_set(err, rc,
                              "the conversation cannot be handed back");
    out->state = next;
    out->pending = ORCH_PENDING_NONE;
    out->operator_id[0] = '\0';
    out->handover_reason[0] = '\0';
    out->updated_ms = svc->deps.clock();
    return store->ops->save(store->self, out, err);
}

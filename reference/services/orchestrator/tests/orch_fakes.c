#include "orch_fakes.h"

#include <stdio.h>
#include <string.h>

long long fake_clock_ms = 1000000;

long long fake_clock(void)
{
    return fake_clock_ms;
}

void fake_analysis(struct orch_analysis *out, const char *intent,
                   const char *action, double confidence)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->intent, sizeof(out->intent), "%s", intent);
    snprintf(out->action, sizeof(out->action), "%s", action);
    out->confidence = confidence;
}

static int iabot_analyse(void *self, const char *conversation_id,
                         const char *customer, const char *text,
                         struct orch_analysis *out, struct hito_error *err)
{
    struct fake_iabot *fake = self;

    (void)conversation_id;
    (void)customer;
    (void)text;
    fake->calls++;
    if (fake->fail)
        return hito_error_set(err, HITO_ERR_UNAVAILABLE, "iabot down");
    *out = fake->next;
    return HITO_OK;
}

static const struct orch_iabot_ops iabot_ops = { iabot_analyse };

struct orch_iabot fake_iabot_port(struct fake_iabot *fake)
{
    return (struct orch_iabot){ &iabot_ops, fake };
}

static int otp_issue(void *self, const char *phone, const char *purpose,
                     struct hito_error *err)
{
    struct fake_otp *fake = self;

    (void)phone;
    if (fake->fail_issue)
        return hito_error_set(err, HITO_ERR_LIMIT, "too many codes");
    fake->issued++;
    snprintf(fake->last_purpose, sizeof(fake->last_purpose), "%s", purpose);
    return HITO_OK;
}

static int otp_verify(void *self, const char *phone, const char *purpose,
                      const char *code, struct hito_error *err)
{
    struct fake_otp *fake = self;

    (void)phone;
    (void)purpose;
    fake->verified++;
    if (fake->valid_code[0] == '\0' || strcmp(code, fake->valid_code) != 0)
        return hito_error_set(err, HITO_ERR_AUTH, "invalid code");
    fake->valid_code[0] = '\0';
    return HITO_OK;
}

static const struct orch_otp_ops otp_ops = { otp_issue, otp_verify };

struct orch_otp fake_otp_port(struct fake_otp *fake)
{
    return (struct orch_otp){ &otp_ops, fake };
}

static int whatsapp_send(void *self, const char *to,
                         const struct orch_message *msg,
                         const char *idempotency_key,
                         char message_id[ORCH_ID_SIZE], struct hito_error *err)
{
    struct fake_whatsapp *fake = self;

    (void)to;
    if (fake->fail)
        return hito_error_set(err, HITO_ERR_UNAVAILABLE, "whatsapp down");
    for (int i = 0; i < fake->count; i++) {
        if (strcmp(fake->keys[i], idempotency_key) == 0)
            return HITO_OK;
    }
    if (fake->count == FAKE_MAX)
        return hito_error_set(err, HITO_ERR_LIMIT, "fake outbox full");
    fake->sent[fake->count] = *msg;
    snprintf(fake->keys[fake->count], ORCH_ID_SIZE, "%s", idempotency_key);
    snprintf(message_id, ORCH_ID_SIZE, "wamid.out.%d", fake->count);
    fake->count++;
    return HITO_OK;
}

static const struct orch_whatsapp_ops whatsapp_ops = { whatsapp_send };

struct orch_whatsapp fake_whatsapp_port(struct fake_whatsapp *fake)
{
    return (struct orch_whatsapp){ &whatsapp_ops, fake };
}

static struct orch_conversation *find_conversation(struct fake_store *fake,
                                                   const char *customer)
{
    for (int i = 0; i < fake->conversation_count; i++) {
        if (strcmp(fake->conversations[i].customer, customer) == 0)
            return &fake->conversations[i];
    }
    return NULL;
}

static struct fake_turn *find(struct fake_store *fake, const char *wamid)
{
    for (int i = 0; i < fake->turn_count; i++) {
        if (strcmp(fake->turns[i].wamid, wamid) == 0)
            return &fake->turns[i];
    }
    return NULL;
}

static int store_load(void *self, const char *customer,
                      struct orch_conversation *out, struct hito_error *err)
{
    struct fake_store *fake = self;
    struct orch_conversation *conv = find_conversation(fake, customer);

    if (conv == NULL)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "no conversation");
    *out = *conv;
    /* Another writer saves right after this load. */
    if (fake->saved_meanwhile) {
        fake->saved_meanwhile = 0;
        conv->version++;
    }
    return HITO_OK;
}

static int store_save(void *self, const struct orch_conversation *conv,
                      struct hito_error *err)
{
    struct fake_store *fake = self;
    struct orch_conversation *slot = find_conversation(fake, conv->customer);

    if (slot != NULL && slot->version != conv->version)
        return hito_error_set(err, HITO_ERR_CONFLICT, "version changed");
    if (slot == NULL) {
        if (fake->conversation_count == FAKE_MAX)
            return hito_error_set(err, HITO_ERR_LIMIT, "fake store full");
        slot = &fake->conversations[fake->conversation_count++];
    }
    *slot = *conv;
    slot->version++;
    return HITO_OK;
}

static int store_save_turn(void *self, const struct orch_conversation *conv,
                           const char *wamid, const struct orch_message *reply,
                           struct hito_error *err)
{
    struct fake_store *fake = self;
    struct orch_conversation *slot = find_conversation(fake, conv->customer);
    struct fake_turn *turn;

    /* Checked first, so a conflict stores nothing, as in one transaction. */
    if (find(fake, wamid) != NULL ||
        (slot != NULL && slot->version != conv->version))
        return hito_error_set(err, HITO_ERR_CONFLICT,
                              "turn exists or version changed");
    if (fake->turn_count == FAKE_MAX)
        return hito_error_set(err, HITO_ERR_LIMIT, "fake store full");
    turn = &fake->turns[fake->turn_count++];
    memset(turn, 0, sizeof(*turn));
    snprintf(turn->wamid, sizeof(turn->wamid), "%s", wamid);
    if (reply != NULL) {
        turn->has_reply = 1;
        turn->reply = *reply;
    }
    return store_save(self, conv, err);
}

static int store_find_turn(void *self, const char *wamid, int *done,
                           int *has_reply, struct orch_message *reply,
                           struct hito_error *err)
{
    struct fake_turn *turn = find(self, wamid);

    if (turn == NULL)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "no turn");
    *done = turn->done;
    *has_reply = turn->has_reply;
    *reply = turn->reply;
    return HITO_OK;
}

static int store_finish_turn(void *self, const char *wamid,
                             struct hito_error *err)
{
    struct fake_turn *turn = find(self, wamid);

    if (turn == NULL)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "no turn");
    turn->done = 1;
    return HITO_OK;
}

static int store_list(void *self, enum orch_state state,
                      struct orch_conversation *out, size_t max, size_t *count,
                      struct hito_error *err)
{
    struct fake_store *fake = self;

    (void)err;
    *count = 0;
    for (int i = 0; i < fake->conversation_count && *count < max; i++) {
        if (fake->conversations[i].state == state)
            out[(*count)++] = fake->conversations[i];
    }
    return HITO_OK;
}

static const struct orch_store_ops store_ops = {
    store_load,      store_save_turn,   store_save,
    store_find_turn, store_finish_turn, store_list,
};

struct orch_store fake_store_port(struct fake_store *fake)
{
    return (struct orch_store){ &store_ops, fake };
}

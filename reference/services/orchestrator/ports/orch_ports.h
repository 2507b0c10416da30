/*
 * orch_ports.h - the interfaces the orchestrator's use cases call and the
 * adapters implement: the IA bot, the OTP service, the WhatsApp service,
 * the conversation store and the clock. It also defines the values that
 * cross them: an inbound message, an analysis, an outbound message and a
 * conversation.
 *
 * Each port is a table of function pointers (ops) plus the adapter's state
 * (self). Functions that can fail return 0 or a negative enum hito_err and
 * fill err when it is not NULL.
 */
#ifndef ORCH_PORTS_H
#define ORCH_PORTS_H

#include <stddef.h>

#include "hito/err.h"
#include "orch_state.h"

#define ORCH_ID_SIZE 128   /* wamid, message ids, operator ids, order ids */
#define ORCH_PHONE_SIZE 32 /* E.164 number or WhatsApp id, plus the NUL */
#define ORCH_NAME_SIZE 32  /* intent, action, purpose and reason names */
#define ORCH_CODE_SIZE 16  /* a one-time code */
/* The IA bot analyses at most 4096 bytes; longer texts are cut there. */
#define ORCH_TEXT_MAX 4096
/* A WhatsApp list message has at most 10 rows, a button message 3 buttons. */
#define ORCH_OPTIONS_MAX 10
#define ORCH_BUTTONS_MAX 3
#define ORCH_OPTION_ID_SIZE 200   /* row and button ids: 200 characters */
#define ORCH_OPTION_TITLE_SIZE 25 /* row titles: 24 characters */
#define ORCH_REPLY_MAX 1024       /* the bot's own reply texts */

/* One customer message as the WhatsApp service publishes it. */
struct orch_inbound {
    char wamid[ORCH_ID_SIZE];     /* WhatsApp's message id: the dedup key */
    char from[ORCH_PHONE_SIZE];   /* the customer */
    char text[ORCH_TEXT_MAX + 1]; /* text, or the title of a chosen option */
    char reply_id[ORCH_OPTION_ID_SIZE]; /* id of a chosen option, "" if none */
    long long received_ms; /* when the webhook received it; 0 if unknown */
};

/* The IA bot's analysis of one message, reduced to what the bot acts on. */
struct orch_analysis {
    char message_id[ORCH_ID_SIZE]; /* the IA bot's id, for feedback */
    char intent[ORCH_NAME_SIZE];   /* "greeting", ..., or "handover" */
    double confidence;             /* calibrated probability, 0..1 */
    char action[ORCH_NAME_SIZE];   /* reply_plan.action */
    char otp_code[ORCH_CODE_SIZE]; /* reply_plan.code, "" if none */
    char order_id[ORCH_ID_SIZE];   /* reply_plan.order_id, "" if none */
    size_t product_count;
    char product_ids[ORCH_OPTIONS_MAX][ORCH_OPTION_ID_SIZE];
};

struct orch_iabot_ops {
    /*
     * Analyses text of customer in conversation conversation_id. Returns
     * HITO_ERR_UNAVAILABLE or HITO_ERR_TIMEOUT when the IA bot cannot be
     * reached (worth a retry), HITO_ERR_PROTOCOL for a reply it cannot read.
     */
    int (*analyse)(void *self, const char *conversation_id,
                   const char *customer, const char *text,
                   struct orch_analysis *out, struct hito_error *err);
};

struct orch_iabot {
    const struct orch_iabot_ops *ops;
    void *self;
};

struct orch_otp_ops {
    /* Asks the OTP service to send a code for purpose to phone. */
    int (*issue)(void *self, const char *phone, const char *purpose,
                 struct hito_error *err);
    /*
     * Checks code. Returns 0 when the OTP service accepts it, HITO_ERR_AUTH
     * when it rejects it (wrong, expired or already used), another negative
     * code when the service failed.
     */
    int (*verify)(void *self, const char *phone, const char *purpose,
                  const char *code, struct hito_error *err);
};

struct orch_otp {
    const struct orch_otp_ops *ops;
    void *self;
};

enum orch_message_kind {
    ORCH_MESSAGE_TEXT,
    ORCH_MESSAGE_LIST,   /* an interactive list: one choice among rows */
    ORCH_MESSAGE_BUTTONS /* interactive reply buttons */
};

struct orch_option {
    char id[ORCH_OPTION_ID_SIZE];
    char title[ORCH_OPTION_TITLE_SIZE];
};

struct orch_message {
    enum orch_message_kind kind;
    char text[ORCH_REPLY_MAX]; /* the body, for every kind */
    size_t option_count;       /* rows or buttons */
    struct orch_option options[ORCH_OPTIONS_MAX];
};

struct orch_whatsapp_ops {
    /*
     * Sends msg to the customer to. The WhatsApp service sends a request
     * with an idempotency_key it has already accepted only once, so a
     * retried turn causes no second message. Stores the message id.
     */
    int (*send)(void *self, const char *to, const struct orch_message *msg,
                const char *idempotency_key, char message_id[ORCH_ID_SIZE],
                struct hito_error *err);
};

struct orch_whatsapp {
    const struct orch_whatsapp_ops *ops;
    void *self;
};

/* The step a verified code unlocks. */
enum orch_pending {
    ORCH_PENDING_NONE,
    ORCH_PENDING_CHECKOUT,    /* confirm the cart's checkout */
    ORCH_PENDING_ORDER_STATUS /* show an order's status */
};

/* One customer's conversation, as the store keeps it. */
struct orch_conversation {
    char customer[ORCH_PHONE_SIZE];
    enum orch_state state;
    enum orch_pending pending;
    char order_id[ORCH_ID_SIZE];          /* order of a pending status check */
    char operator_id[ORCH_ID_SIZE];       /* operator who took it over, or "" */
    char handover_reason[ORCH_NAME_SIZE]; /* low_confidence, ... or "" */
    long turns;                           /* messages handled */
    long long updated_ms;
    long long version; /* the store's version as loaded; 0 for a new one */
};

/*
 * The store keeps each customer's conversation and a record of each
 * handled message (turn): the reply decided for it and whether it was
 * sent. Saving the reply with the new state before sending it lets a
 * retried message send the same reply again instead of deciding anew.
 */
struct orch_store_ops {
    /* Copies customer's conversation; HITO_ERR_NOT_FOUND for a new one. */
    int (*load)(void *self, const char *customer, struct orch_conversation *out,
                struct hito_error *err);
    /*
     * Stores conv and, in the same transaction, the turn of message wamid
     * with its reply (NULL: none). HITO_ERR_CONFLICT when wamid already
     * has a turn, or when the stored conversation is no longer at
     * conv->version (someone saved it since it was loaded).
     */
    int (*save_turn)(void *self, const struct orch_conversation *conv,
                     const char *wamid, const struct orch_message *reply,
                     struct hito_error *err);
    /* Stores conv alone (operator actions); HITO_ERR_CONFLICT as above. */
    int (*save)(void *self, const struct orch_conversation *conv,
                struct hito_error *err);
    /*
     * Looks up the turn of wamid, or returns HITO_ERR_NOT_FOUND when there
     * is none. *done is set when its reply was sent, and *has_reply and
     * reply contain the reply.
     */
    int (*find_turn)(void *self, const char *wamid, int *done, int *has_reply,
                     struct orch_message *reply, struct hito_error *err);
    /* Records the turn of wamid as finished (its reply sent). */
    int (*finish_turn)(void *self, const char *wamid, struct hito_error *err);
    /*
     * Copies up to max conversations in state, most recently updated
     * first, into out and their number into *count.
     */
    int (*list)(void *self, enum orch_state state,
                struct orch_conversation *out, size_t max, size_t *count,
                struct hito_error *err);
};

struct orch_store {
    const struct orch_store_ops *ops;
    void *self;
};

/* Returns the current time in milliseconds since the Unix epoch. */
typedef long long (*orch_clock_fn)(void);

#endif

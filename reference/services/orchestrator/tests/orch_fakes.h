/*
 * orch_fakes.h - in-memory ports for the use cases' unit tests. They are an
 * IA bot that returns a scripted analysis, an OTP service with one valid
 * code, a WhatsApp service that records what it sends (honouring
 * idempotency keys), a conversation store and a settable clock.
 */
#ifndef ORCH_FAKES_H
#define ORCH_FAKES_H

#include "orch_ports.h"

#define FAKE_MAX 16

struct fake_iabot {
    struct orch_analysis next; /* returned by the next analyse */
    int calls;
    int fail; /* nonzero: analyse returns HITO_ERR_UNAVAILABLE */
};

struct fake_otp {
    char valid_code[ORCH_CODE_SIZE]; /* accepted once, then used up */
    char last_purpose[ORCH_NAME_SIZE];
    int issued;
    int verified;
    int fail_issue;
};

struct fake_whatsapp {
    struct orch_message sent[FAKE_MAX];
    char keys[FAKE_MAX][ORCH_ID_SIZE];
    int count;
    int fail; /* nonzero: send returns HITO_ERR_UNAVAILABLE */
};

struct fake_turn {
    char wamid[ORCH_ID_SIZE];
    int done;
    int has_reply;
    struct orch_message reply;
};

struct fake_store {
    struct orch_conversation conversations[FAKE_MAX];
    int conversation_count;
    struct fake_turn turns[FAKE_MAX];
    int turn_count;
    int saved_meanwhile; /* nonzero: the next load is followed by a save */
};

struct orch_iabot fake_iabot_port(struct fake_iabot *fake);
struct orch_otp fake_otp_port(struct fake_otp *fake);
struct orch_whatsapp fake_whatsapp_port(struct fake_whatsapp *fake);
struct orch_store fake_store_port(struct fake_store *fake);

/* A clock fixed at fake_clock_ms. */
extern long long fake_clock_ms;
long long fake_clock(void);

/* Sets an analysis with intent, action and confidence, nothing else. */
void fake_analysis(struct orch_analysis *out, const char *intent,
                   const char *action, double confidence);

#endif

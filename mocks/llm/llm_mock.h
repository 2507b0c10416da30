/*
 * llm_mock.h - an emulator of an OpenAI-compatible chat-completions API
 * (POST /v1/chat/completions) for tests, on loopback only.
 *
 * Every completion response carries the configured reply as the first
 * choice's message content, sent after an optional delay. The emulator keeps
 * the bodies of the last LLM_MOCK_MAX_REQUESTS requests so tests can check what
 * a client sent; GET /_mock/requests returns them as a JSON array.
 */
#ifndef LLM_MOCK_H
#define LLM_MOCK_H

#include <stddef.h>

#include "hito/err.h"

#define LLM_MOCK_MAX_REQUESTS 32
#define LLM_MOCK_REPLY_MAX 256

struct llm_mock_options {
    const char *listen; /* "127.0.0.1:0" for an ephemeral port */
    const char *reply;  /* message content of every response */
    long delay_ms;      /* delay before each response, at most 60000 */
};

struct llm_mock;

/* Starts the emulator; NULL with err filled on failure. */
struct llm_mock *llm_mock_start(const struct llm_mock_options *opts,
                                struct hito_error *err);

/* Returns the port it listens on. */
int llm_mock_port(const struct llm_mock *mock);

/* Changes the reply and delay of later requests. */
void llm_mock_set_reply(struct llm_mock *mock, const char *reply,
                        long delay_ms);

/* Returns the number of completions requested so far. */
size_t llm_mock_request_count(struct llm_mock *mock);

/*
 * Returns a copy of the body of the latest completion request (the caller
 * frees it), or NULL when none arrived.
 */
char *llm_mock_last_request(struct llm_mock *mock);

/* Stops the emulator and frees it. */
void llm_mock_free(struct llm_mock *mock);

#endif

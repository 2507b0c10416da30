/*
 * iabot_llm.h - the language-model port (ports/iabot_ports.h) over an
 * OpenAI-compatible chat-completions API (POST {base_url}/chat/completions).
 *
 * The prompt contains the list of intents and the one customer message being
 * classified: no customer or conversation id, no history, no other
 * customer's text, and no key (the API key travels only in the
 * Authorization header).
 */
#ifndef IABOT_LLM_H
#define IABOT_LLM_H

#include "iabot_ports.h"

#define IABOT_LLM_URL_MAX 512
#define IABOT_LLM_TEXT_MAX 128

struct iabot_llm_options {
    const char *base_url; /* e.g. "http://127.0.0.1:22845/v1" */
    const char *api_key;  /* "" for none */
    const char *model;    /* model name sent in the request */
    long timeout_ms;      /* whole request */
};

struct iabot_llm_client;

/*
 * Creates a client, or returns NULL and fills err when an option is too
 * long.
 */
struct iabot_llm_client *iabot_llm_new(const struct iabot_llm_options *opts,
                                       struct hito_error *err);
void iabot_llm_free(struct iabot_llm_client *client);

/* Fills llm with the port implementation backed by client. */
void iabot_llm_port(struct iabot_llm_client *client, struct iabot_llm *llm);

/*
 * Builds the JSON request body for classifying text with model. The caller
 * frees it. NULL when out of memory.
 */
char *iabot_llm_request_body(const char *model, const char *text);

/*
 * Reads the intent from a chat-completions response body: the first
 * choice's message content, trimmed and folded to lower case. Returns
 * HITO_ERR_PROTOCOL when it is missing or names no trained intent.
 */
int iabot_llm_parse_reply(const char *body, enum intent *out,
                          struct hito_error *err);

#endif

/*
 * core.h - helpers shared by checkpoint 4's scenarios. Customer messages
 * go in through the WhatsApp Cloud API emulator, which signs its webhooks
 * like Meta. The messages the platform sent back are read from the
 * emulator's record. The IA bot's analysis and staff tokens help check the
 * replies and call the operator API.
 */
#ifndef HITO_SCENARIOS_CORE_H
#define HITO_SCENARIOS_CORE_H

#include "../../checkpoints/runner/scenario.h"

/* How long a reply may take to come back through the whole platform. */
#define CORE_REPLY_TIMEOUT_MS 20000
/* How long to watch for a second, unwanted reply. */
#define CORE_QUIET_MS 3000
#define CORE_POLL_MS 100
/* The emulator's record limit, and the room a scenario needs in it. */
#define CORE_EMULATOR_RECORDS_MAX 2000
#define CORE_EMULATOR_RECORDS_SPARE 100

/*
 * Returns a customer number no earlier run used (digits, no "+"), after
 * resetting the emulator's record if it is nearly full.
 */
const char *core_new_customer(struct scenario_ctx *ctx);

/*
 * Sends a text message from customer through the emulator, delivered
 * duplicates + 1 times, and returns its wamid (lives until the scenario
 * ends).
 */
const char *core_send_text(struct scenario_ctx *ctx, const char *customer,
                           const char *text, int duplicates);

/* Returns how many messages the platform sent to customer so far. */
size_t core_sent_count(struct scenario_ctx *ctx, const char *customer);

/*
 * Waits until the platform has sent more than after messages to customer.
 * Returns the body of message number after (0-based), a Cloud API send
 * body that lives until the scenario ends. *latency_s, when not NULL,
 * receives the seconds from sent_at (scenario_now_ms at injection) until
 * the reply was seen, to within CORE_POLL_MS.
 */
json_t *core_wait_sent(struct scenario_ctx *ctx, const char *customer,
                       size_t after, double sent_at, double *latency_s);

/* Checks that no more than count messages reach customer in CORE_QUIET_MS. */
void core_expect_quiet(struct scenario_ctx *ctx, const char *customer,
                       size_t count);

/* Returns the text body of a send body: text.body or interactive.body.text. */
const char *core_body_text(json_t *body);

/*
 * Returns the IA bot's analysis of text (POST /v1/analyse with
 * svc-orchestrator's token); lives until the scenario ends.
 */
json_t *core_analyse(struct scenario_ctx *ctx, const char *customer,
                     const char *text);

/*
 * Returns value as compact JSON text that lives until the scenario ends,
 * and drops the reference to value. NULL value fails the scenario as out
 * of memory (json_pack returns NULL then).
 */
const char *core_dump(struct scenario_ctx *ctx, json_t *value);

/*
 * POSTs body (NULL: none) to base + path as JSON with the bearer token
 * (NULL: none). The response lives until the scenario ends.
 */
const struct httpc_response *core_post(struct scenario_ctx *ctx,
                                       const char *base, const char *path,
                                       const char *token, const char *body);

/* GETs base + path with the bearer token. */
const struct httpc_response *core_get(struct scenario_ctx *ctx,
                                      const char *base, const char *path,
                                      const char *token);

/* Returns the service token of svc-orchestrator. */
const char *core_service_token(struct scenario_ctx *ctx);

/* ZITADEL's claim of a user's project roles. */
#define CORE_ROLES_CLAIM "urn:zitadel:iam:org:project:roles"

/*
 * Returns a token of a staff member sub with project role role: the
 * service token of svc-orchestrator re-signed with the identity
 * emulator's key. Skips the scenario when the target is not local, since
 * only the local emulator's key is readable. NOTE: a real login (the
 * PKCE flow of checkpoint 2) would avoid the emulator's key.
 */
const char *core_staff_token(struct scenario_ctx *ctx, const char *role,
                             const char *sub);

#endif

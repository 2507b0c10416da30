/*
 * orch_iabot.h - the IA bot port over the IA bot's HTTP API
 * (POST /v1/analyse, reference/services/iabot/openapi.yaml).
 */
#ifndef ORCH_IABOT_H
#define ORCH_IABOT_H

#include <jansson.h>

#include "client/orch_client.h"
#include "orch_ports.h"

/* Returns the port; client stays the caller's and must outlive it. */
struct orch_iabot orch_iabot_http(struct orch_client *client);

/*
 * Reads an analysis reply (intent, confidence, reply_plan, message_id)
 * into out. HITO_ERR_PROTOCOL when intent or reply_plan.action is missing.
 */
int orch_iabot_parse(const json_t *reply, struct orch_analysis *out,
                     struct hito_error *err);

#endif

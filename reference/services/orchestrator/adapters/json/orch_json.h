/*
 * orch_json.h - JSON forms of a conversation and of a reply message, as
 * the store keeps them and the operator API returns them.
 */
#ifndef ORCH_JSON_H
#define ORCH_JSON_H

#include <jansson.h>

#include "orch_ports.h"

/* Returns a new object: customer, state, pending, order_id, operator_id,
 * handover_reason, turns, updated_ms, version. NULL when out of memory. */
json_t *orch_json_conversation(const struct orch_conversation *conv);

/* Reads what orch_json_conversation writes; HITO_ERR_PROTOCOL if invalid. */
int orch_json_parse_conversation(const json_t *json,
                                 struct orch_conversation *out);

/* Returns a new object: kind, text, options [{id, title}]. */
json_t *orch_json_message(const struct orch_message *msg);

/* Reads what orch_json_message writes; HITO_ERR_PROTOCOL if invalid. */
int orch_json_parse_message(const json_t *json, struct orch_message *out);

/* Copies the string value (or "" for anything else) into out, cut to size. */
void orch_json_copy_string(const json_t *value, char *out, size_t size);

#endif

#include "json/orch_json.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = { "text", "list", "buttons" };

void orch_json_copy_string(const json_t *value, char *out, size_t size)
{
    const char *text = json_string_value(value);

    snprintf(out, size, "%s", text ? text : "");
}

json_t *orch_json_conversation(const struct orch_conversation *conv)
{
    return json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:s, s:I, s:I, s:I}", "customer",
        conv->customer, "state", orch_state_name(conv->state), "pending",
        (int)conv->pending, "order_id", conv->order_id, "operator_id",
        conv->operator_id, "handover_reason", conv->handover_reason, "turns",
        (json_int_t)conv->turns, "updated_ms", (json_int_t)conv->updated_ms,
        "version", (json_int_t)conv->version);
}

int orch_json_parse_conversation(const json_t *json,
                                 struct orch_conversation *out)
{
    const char *state = json_string_value(json_object_get(json, "state"));
    json_int_t pending = json_integer_value(json_object_get(json, "pending"));

    memset(out, 0, sizeof(*out));
    if (state == NULL || orch_state_parse(state, &out->state) != HITO_OK ||
        pending < ORCH_PENDING_NONE || pending > ORCH_PENDING_ORDER_STATUS)
        return HITO_ERR_PROTOCOL;
    out->pending = (enum orch_pending)pending;
    orch_json_copy_string(json_object_get(json, "customer"), out->customer,
                          sizeof(out->customer));
    orch_json_copy_string(json_object_get(json, "order_id"), out->order_id,
                          sizeof(out->order_id));
    orch_json_copy_string(json_object_get(json, "operator_id"),
                          out->operator_id, sizeof(out->operator_id));
    orch_json_copy_string(json_object_get(json, "handover_reason"),
                          out->handover_reason, sizeof(out->handover_reason));
    out->turns = (long)json_integer_value(json_object_get(json, "turns"));
    out->updated_ms = json_integer_value(json_object_get(json, "updated_ms"));
    out->version = json_integer_value(json_object_get(json, "version"));
    return out->customer[0] != '\0' ? HITO_OK : HITO_ERR_PROTOCOL;
}

json_t *orch_json_message(const struct orch_message *msg)
{
    json_t *options = json_array();

    for (size_t i = 0; options != NULL && i < msg->option_count; i++)
        json_array_append_new(options,
                              json_pack("{s:s, s:s}", "id", msg->options[i].id,
                                        "title", msg->options[i].title));
    return json_pack("{s:s, s:s, s:o}", "kind", kind_names[msg->kind], "text",
                     msg->text, "options", options);
}

int orch_json_parse_message(const json_t *json, struct orch_message *out)
{
    const char *kind = json_string_value(json_object_get(json, "kind"));
    const json_t *options = json_object_get(json, "options");
    const json_t *option;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (kind == NULL)
        return HITO_ERR_PROTOCOL;
    for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
        if (strcmp(kind, kind_names[i]) == 0)
            break;
    }
    if (i == sizeof(kind_names) / sizeof(kind_names[0]))
        return HITO_ERR_PROTOCOL;
    out->kind = (enum orch_message_kind)i;
    orch_json_copy_string(json_object_get(json, "text"), out->text,
                          sizeof(out->text));
    json_array_foreach(options, i, option)
    {
        if (out->option_count == ORCH_OPTIONS_MAX)
            break;
        orch_json_copy_string(json_object_get(option, "id"),
                              out->options[out->option_count].id,
                              ORCH_OPTION_ID_SIZE);
        orch_json_copy_string(json_object_get(option, "title"),
                              out->options[out->option_count].title,
                              ORCH_OPTION_TITLE_SIZE);
        out->option_count++;
    }
    return HITO_OK;
}

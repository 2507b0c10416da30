#include "iabot/orch_iabot.h"

#include <stdio.h>
#include <string.h>

#include "json/orch_json.h"

static void parse_products(const json_t *ids, struct orch_analysis *out)
{
    size_t i;
    const json_t *id;

    json_array_foreach(ids, i, id)
    {
        if (out->product_count == ORCH_OPTIONS_MAX)
            break;
        if (json_is_string(id))
            orch_json_copy_string(id, out->product_ids[out->product_count++],
                                  ORCH_OPTION_ID_SIZE);
    }
}

/* The code of the message's otp entity, for plans that name none. */
static void otp_entity(const json_t *entities, struct orch_analysis *out)
{
    size_t i;
    const json_t *entity;

    json_array_foreach(entities, i, entity)
    {
        const char *kind = json_string_value(json_object_get(entity, "kind"));

        if (kind != NULL && strcmp(kind, "otp") == 0) {
            orch_json_copy_string(json_object_get(entity, "value"),
                                  out->otp_code, sizeof(out->otp_code));
            return;
        }
    }
}

int orch_iabot_parse(const json_t *reply, struct orch_analysis *out,
                     struct hito_error *err)
{
    const json_t *plan = json_object_get(reply, "reply_plan");

    memset(out, 0, sizeof(*out));
    orch_json_copy_string(json_object_get(reply, "message_id"), out->message_id,
                          sizeof(out->message_id));
    orch_json_copy_string(json_object_get(reply, "intent"), out->intent,
                          sizeof(out->intent));
    orch_json_copy_string(json_object_get(plan, "action"), out->action,
                          sizeof(out->action));
    if (out->intent[0] == '\0' || out->action[0] == '\0')
        return hito_error_set(err, HITO_ERR_PROTOCOL,
                              "the IA bot's reply has no intent or action");
    out->confidence = json_number_value(json_object_get(reply, "confidence"));
    orch_json_copy_string(json_object_get(plan, "code"), out->otp_code,
                          sizeof(out->otp_code));
    if (out->otp_code[0] == '\0')
        otp_entity(json_object_get(reply, "entities"), out);
    orch_json_copy_string(json_object_get(plan, "order_id"), out->order_id,
                          sizeof(out->order_id));
    if (out->order_id[0] == '\0')
        orch_json_copy_string(json_object_get(plan, "tracking_code"),
                              out->order_id, sizeof(out->order_id));
    parse_products(json_object_get(plan, "product_ids"), out);
    return HITO_OK;
}

static int analyse(void *self, const char *conversation_id,
                   const char *customer, const char *text,
                   struct orch_analysis *out, struct hito_error *err)
{
    json_t *body = json_pack("{s:s, s:s, s:s%}", "conversation_id",
                             conversation_id, "customer_id", customer, "text",
                             text, strnlen(text, ORCH_TEXT_MAX));
    json_t *reply = NULL;
    long status = 0;
    int rc;

    if (body == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the message is not valid UTF-8");
    rc =
        orch_client_post(self, "/v1/analyse", body, NULL, &status, &reply, err);
    if (rc == HITO_OK && status != 200)
        rc = orch_client_status_error("the IA bot", status, reply, err);
    if (rc == HITO_OK)
        rc = orch_iabot_parse(reply, out, err);
    json_decref(reply);
    json_decref(body);
    return rc;
}

static const struct orch_iabot_ops iabot_ops = { analyse };

struct orch_iabot orch_iabot_http(struct orch_client *client)
{
    return (struct orch_iabot){ &iabot_ops, client };
}

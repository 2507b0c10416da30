#include "whatsapp/orch_whatsapp.h"

#include <stdio.h>

/* Label of the button that opens a list (at most 20 characters). */
#define LIST_BUTTON "Ver opciones"

static json_t *list_action(const struct orch_message *msg)
{
    json_t *rows = json_array();

    for (size_t i = 0; rows != NULL && i < msg->option_count; i++)
        json_array_append_new(rows,
                              json_pack("{s:s, s:s}", "id", msg->options[i].id,
                                        "title", msg->options[i].title));
    return json_pack("{s:s, s:[{s:s, s:o}]}", "button", LIST_BUTTON, "sections",
                     "title", "Productos", "rows", rows);
}

static json_t *button_action(const struct orch_message *msg)
{
    json_t *buttons = json_array();

    for (size_t i = 0; buttons != NULL && i < msg->option_count; i++)
        json_array_append_new(buttons,
                              json_pack("{s:s, s:{s:s, s:s}}", "type", "reply",
                                        "reply", "id", msg->options[i].id,
                                        "title", msg->options[i].title));
    return json_pack("{s:o}", "buttons", buttons);
}

json_t *orch_whatsapp_body(const char *to, const struct orch_message *msg)
{
    json_t *action;

    if (msg->kind == ORCH_MESSAGE_TEXT)
        return json_pack("{s:s, s:s, s:s, s:{s:s}}", "messaging_product",
                         "whatsapp", "to", to, "type", "text", "text", "body",
                         msg->text);
    action =
        msg->kind == ORCH_MESSAGE_LIST ? list_action(msg) : button_action(msg);
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:{s:s}, s:o}}",
                     "messaging_product", "whatsapp", "to", to, "type",
                     "interactive", "interactive", "type",
                     msg->kind == ORCH_MESSAGE_LIST ? "list" : "button", "body",
                     "text", msg->text, "action", action);
}

/* The id of a sent message: "message_id", or the Cloud API's messages[0].id. */
static int read_message_id(const json_t *reply, char *message_id,
                           struct hito_error *err)
{
    const char *id = json_string_value(json_object_get(reply, "message_id"));

    if (id == NULL)
        id = json_string_value(json_object_get(
            json_array_get(json_object_get(reply, "messages"), 0), "id"));
    if (id == NULL)
        return hito_error_set(err, HITO_ERR_PROTOCOL,
                              "the WhatsApp service's reply has no message id");
    snprintf(message_id, ORCH_ID_SIZE, "%s", id);
    return HITO_OK;
}

static int send_message(void *self, const char *to,
                        const struct orch_message *msg,
                        const char *idempotency_key,
                        char message_id[ORCH_ID_SIZE], struct hito_error *err)
{
    json_t *body = orch_whatsapp_body(to, msg);
    json_t *reply = NULL;
    long status = 0;
    int rc;

    if (body == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the reply to %s could not be encoded", to);
    rc = orch_client_post(self, "/v1/messages", body, idempotency_key, &status,
                          &reply, err);
    if (rc == HITO_OK && (status < 200 || status > 299))
        rc = orch_client_status_error("the WhatsApp service", status, reply,
                                      err);
    if (rc == HITO_OK)
        rc = read_message_id(reply, message_id, err);
    json_decref(reply);
    json_decref(body);
    return rc;
}

static const struct orch_whatsapp_ops whatsapp_ops = { send_message };

struct orch_whatsapp orch_whatsapp_http(struct orch_client *client)
{
    return (struct orch_whatsapp){ &whatsapp_ops, client };
}

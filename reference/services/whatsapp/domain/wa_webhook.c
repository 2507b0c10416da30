#include "wa_webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hito/json_guard.h"

/* Room for a field path such as "entry[12].changes[3].value.messages[200]". */
#define WHERE_SIZE 96

/* Copies a required string member into out; names the field when absent. */
static int copy_string(json_t *obj, const char *key, char *out, size_t size,
                       const char *where, struct hito_error *err)
{
    const char *value = json_string_value(json_object_get(obj, key));

    if (value == NULL || value[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.%s is missing or not a string", where, key);
    if (strlen(value) >= size)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.%s is longer than %zu bytes", where, key,
                              size - 1);
    memcpy(out, value, strlen(value) + 1);
    return HITO_OK;
}

/* Copies an optional string member, cut to size - 1 bytes at a UTF-8
 * character boundary so the copy stays valid UTF-8. */
static void copy_optional(json_t *obj, const char *key, char *out, size_t size)
{
    const char *value = json_string_value(json_object_get(obj, key));
    size_t n = value ? strlen(value) : 0;

    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, value ? value : "", n);
    out[n] = '\0';
}

/* Reads Meta's timestamp: Unix seconds as a string of digits. */
static int read_timestamp(json_t *obj, const char *where, long long *out,
                          struct hito_error *err)
{
    const char *value = json_string_value(json_object_get(obj, "timestamp"));
    char *end = NULL;

    if (value == NULL || value[0] < '0' || value[0] > '9' || strlen(value) > 12)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.timestamp must be Unix seconds as a string",
                              where);
    *out = strtoll(value, &end, 10);
    if (*end != '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.timestamp must be Unix seconds as a string",
                              where);
    return HITO_OK;
}

static int copy_text(const char *value, struct wa_inbound *m, const char *where,
                     struct hito_error *err)
{
    if (value == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s has type %s but no text", where, m->type);
    if (strlen(value) > WA_TEXT_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s text is longer than %d bytes", where,
                              WA_TEXT_MAX);
    m->text = strdup(value);
    return m->text ? HITO_OK
                   : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

/* Reads a button_reply or list_reply {id, title}. */
static int read_interactive(json_t *msg, struct wa_inbound *m,
                            const char *where, struct hito_error *err)
{
    json_t *interactive = json_object_get(msg, "interactive");
    const char *type = json_string_value(json_object_get(interactive, "type"));
    json_t *reply;

    if (type == NULL ||
        (strcmp(type, "button_reply") != 0 && strcmp(type, "list_reply") != 0))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.interactive.type must be button_reply or "
                              "list_reply",
                              where);
    snprintf(m->reply_type, sizeof(m->reply_type), "%s", type);
    reply = json_object_get(interactive, type);
    if (!json_is_object(reply))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.interactive.%s is missing", where, type);
    copy_optional(reply, "title", m->reply_title, sizeof(m->reply_title));
    return copy_string(reply, "id", m->reply_id, sizeof(m->reply_id), where,
                       err);
}

/* Reads the content of the types the platform acts on; other types (image,
 * audio, location, ...) keep only their raw JSON. */
static int read_content(json_t *msg, struct wa_inbound *m, const char *where,
                        struct hito_error *err)
{
    if (strcmp(m->type, "text") == 0)
        return copy_text(json_string_value(json_object_get(
                             json_object_get(msg, "text"), "body")),
                         m, where, err);
    if (strcmp(m->type, "interactive") == 0)
        return read_interactive(msg, m, where, err);
    if (strcmp(m->type, "button") == 0)
        return copy_text(json_string_value(json_object_get(
                             json_object_get(msg, "button"), "text")),
                         m, where, err);
    return HITO_OK;
}

/* Finds the profile name of wa_id among value.contacts. */
static void contact_name(json_t *value, const char *wa_id, char *out,
                         size_t size)
{
    json_t *contacts = json_object_get(value, "contacts");
    size_t i;
    json_t *contact;

    out[0] = '\0';
    json_array_foreach(contacts, i, contact)
    {
        const char *id = json_string_value(json_object_get(contact, "wa_id"));

        if (id != NULL && strcmp(id, wa_id) == 0) {
            copy_optional(json_object_get(contact, "profile"), "name", out,
                          size);
            return;
        }
    }
}

static int read_message(json_t *value, json_t *msg, struct wa_inbound *m,
                        const char *where, struct hito_error *err)
{
    int rc;

    if (!json_is_object(msg))
        return hito_error_set(err, HITO_ERR_INVALID, "%s is not an object",
                              where);
    rc = copy_string(msg, "id", m->wamid, sizeof(m->wamid), where, err);
    if (rc == HITO_OK)
        rc = copy_string(msg, "from", m->from, sizeof(m->from), where, err);
    if (rc == HITO_OK)
        rc = copy_string(msg, "type", m->type, sizeof(m->type), where, err);
    if (rc == HITO_OK)
        rc = read_timestamp(msg, where, &m->timestamp, err);
    if (rc == HITO_OK)
        rc = read_content(msg, m, where, err);
    if (rc != HITO_OK)
        return rc;
    copy_optional(json_object_get(value, "metadata"), "phone_number_id",
                  m->phone_number_id, sizeof(m->phone_number_id));
    contact_name(value, m->from, m->contact_name, sizeof(m->contact_name));
    m->raw = json_dumps(msg, JSON_COMPACT);
    return m->raw ? HITO_OK
                  : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
}

static int read_status(json_t *st, struct wa_status_update *s,
                       const char *where, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(st, "status"));
    json_t *error = json_array_get(json_object_get(st, "errors"), 0);
    int rc;

    if (!json_is_object(st))
        return hito_error_set(err, HITO_ERR_INVALID, "%s is not an object",
                              where);
    s->status = wa_status_parse(name);
    if (s->status == WA_STATUS_NONE || s->status == WA_STATUS_ACCEPTED)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.status must be sent, delivered, read or "
                              "failed",
                              where);
    rc = copy_string(st, "id", s->wamid, sizeof(s->wamid), where, err);
    if (rc == HITO_OK)
        rc = copy_string(st, "recipient_id", s->recipient_id,
                         sizeof(s->recipient_id), where, err);
    if (rc == HITO_OK)
        rc = read_timestamp(st, where, &s->timestamp, err);
    s->error_code = (long)json_integer_value(json_object_get(error, "code"));
    copy_optional(error, "title", s->error_title, sizeof(s->error_title));
    return rc;
}

static int read_value(json_t *value, struct wa_notification *out,
                      const char *where, struct hito_error *err)
{
    json_t *messages = json_object_get(value, "messages");
    json_t *statuses = json_object_get(value, "statuses");
    char item[WHERE_SIZE + 48];
    size_t i;
    json_t *elem;
    int rc;

    if (!json_is_object(value))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.value is missing or not an object", where);
    if ((messages != NULL && !json_is_array(messages)) ||
        (statuses != NULL && !json_is_array(statuses)))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.value.messages and statuses must be arrays",
                              where);
    if (out->message_count + json_array_size(messages) >
            out->message_capacity ||
        out->status_count + json_array_size(statuses) > out->status_capacity)
        return hito_error_set(err, HITO_ERR_LIMIT,
                              "more than %d messages or %d statuses in one "
                              "notification",
                              WA_WEBHOOK_MAX_MESSAGES,
                              WA_WEBHOOK_MAX_STATUSES);
    json_array_foreach(messages, i, elem)
    {
        snprintf(item, sizeof(item), "%s.value.messages[%zu]", where, i);
        rc = read_message(value, elem, &out->messages[out->message_count++],
                          item, err);
        if (rc != HITO_OK)
            return rc;
    }
    json_array_foreach(statuses, i, elem)
    {
        snprintf(item, sizeof(item), "%s.value.statuses[%zu]", where, i);
        rc = read_status(elem, &out->statuses[out->status_count++], item, err);
        if (rc != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

static int read_entry(json_t *entry, size_t index, struct wa_notification *out,
                      struct hito_error *err)
{
    json_t *changes = json_object_get(entry, "changes");
    char where[WHERE_SIZE];
    size_t i;
    json_t *change;
    int rc;

    if (!json_is_array(changes))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "entry[%zu].changes is missing or not an array",
                              index);
    json_array_foreach(changes, i, change)
    {
        const char *field = json_string_value(json_object_get(change, "field"));

        snprintf(where, sizeof(where), "entry[%zu].changes[%zu]", index, i);
        if (field == NULL)
            return hito_error_set(err, HITO_ERR_INVALID, "%s.field is missing",
                                  where);
        if (strcmp(field, "messages") != 0)
            continue;
        rc = read_value(json_object_get(change, "value"), out, where, err);
        if (rc != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

static int read_root(json_t *root, struct wa_notification *out,
                     struct hito_error *err)
{
    const char *object = json_string_value(json_object_get(root, "object"));
    json_t *entries = json_object_get(root, "entry");
    size_t i;
    json_t *entry;
    int rc;

    if (object == NULL || strcmp(object, "whatsapp_business_account") != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "object must be whatsapp_business_account");
    if (!json_is_array(entries) || json_array_size(entries) == 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "entry is missing or empty");
    json_array_foreach(entries, i, entry)
    {
        rc = read_entry(entry, i, out, err);
        if (rc != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

/* Counts the messages and statuses of every "messages" change, so the
 * arrays are sized for this body. */
static void count_events(json_t *root, size_t *messages, size_t *statuses)
{
    size_t i, j;
    json_t *entry, *change;

    *messages = 0;
    *statuses = 0;
    json_array_foreach(json_object_get(root, "entry"), i, entry)
    {
        json_array_foreach(json_object_get(entry, "changes"), j, change)
        {
            json_t *value = json_object_get(change, "value");

            *messages += json_array_size(json_object_get(value, "messages"));
            *statuses += json_array_size(json_object_get(value, "statuses"));
        }
    }
}

int wa_json_object_parse(const char *body, size_t len, json_t **root,
                         struct hito_error *err)
{
    json_error_t jerr;

    *root = NULL;
    if (!json_guard_depth_ok(body, len, JSON_GUARD_MAX_DEPTH))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the body nests deeper than %d levels",
                              JSON_GUARD_MAX_DEPTH);
    *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*root == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the body is not JSON: %s at byte %d", jerr.text,
                              jerr.position);
    if (!json_is_object(*root)) {
        json_decref(*root);
        *root = NULL;
        return hito_error_set(err, HITO_ERR_INVALID,
                              "the body is not a JSON object");
    }
    return HITO_OK;
}

int wa_webhook_parse(const char *body, size_t len, struct wa_notification *out,
                     struct hito_error *err)
{
    json_t *root;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = wa_json_object_parse(body, len, &root, err);
    if (rc != HITO_OK)
        return rc;
    count_events(root, &out->message_capacity, &out->status_capacity);
    if (out->message_capacity > WA_WEBHOOK_MAX_MESSAGES ||
        out->status_capacity > WA_WEBHOOK_MAX_STATUSES) {
        json_decref(root);
        return hito_error_set(err, HITO_ERR_LIMIT,
                              "more than %d messages or %d statuses in one "
                              "notification",
                              WA_WEBHOOK_MAX_MESSAGES,
                              WA_WEBHOOK_MAX_STATUSES);
    }
    /* One element at least, so calloc never returns NULL for size 0. */
    out->messages = calloc(out->message_capacity + 1, sizeof(*out->messages));
    out->statuses = calloc(out->status_capacity + 1, sizeof(*out->statuses));
    if (out->messages == NULL || out->statuses == NULL)
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    else
        rc = read_root(root, out, err);
    json_decref(root);
    return rc;
}

void wa_notification_clear(struct wa_notification *n)
{
    for (size_t i = 0; n->messages != NULL && i < n->message_count; i++) {
        free(n->messages[i].text);
        free(n->messages[i].raw);
    }
    free(n->messages);
    free(n->statuses);
    memset(n, 0, sizeof(*n));
}

#include "wa_message.h"

#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

/* Meta's limits on a text body and on an interactive body text. */
#define TEXT_BODY_MAX 4096
#define INTERACTIVE_BODY_MAX 1024

int wa_phone_is_valid(const char *phone)
{
    size_t digits = 0;

    if (phone == NULL)
        return 0;
    if (*phone == '+')
        phone++;
    for (; *phone != '\0'; phone++, digits++) {
        if (*phone < '0' || *phone > '9')
            return 0;
    }
    return digits >= 6 && digits <= 15;
}

/* Counts the UTF-8 code points of s (continuation bytes are not counted). */
static size_t utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int check_string(json_t *obj, const char *key, size_t max_chars,
                        const char *where, struct hito_error *err)
{
    const char *value = json_string_value(json_object_get(obj, key));

    if (value == NULL || value[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID, "%s.%s is missing", where,
                              key);
    if (utf8_length(value) > max_chars)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s.%s is longer than %zu characters", where, key,
                              max_chars);
    return HITO_OK;
}

static int check_template(json_t *tpl, struct hito_error *err)
{
    json_t *components = json_object_get(tpl, "components");

    if (!json_is_object(tpl))
        return hito_error_set(err, HITO_ERR_INVALID, "template is missing");
    if (check_string(tpl, "name", 512, "template", err) != HITO_OK ||
        check_string(json_object_get(tpl, "language"), "code", 16,
                     "template.language", err) != HITO_OK)
        return HITO_ERR_INVALID;
    if (components != NULL && !json_is_array(components))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "template.components must be an array");
    return HITO_OK;
}

static int check_buttons(json_t *action, struct hito_error *err)
{
    json_t *buttons = json_object_get(action, "buttons");
    char where[64];
    size_t i;
    json_t *button;

    if (!json_is_array(buttons) || json_array_size(buttons) == 0 ||
        json_array_size(buttons) > WA_MAX_BUTTONS)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "interactive.action.buttons must hold 1 to %d "
                              "buttons",
                              WA_MAX_BUTTONS);
    json_array_foreach(buttons, i, button)
    {
        json_t *reply = json_object_get(button, "reply");

        snprintf(where, sizeof(where), "buttons[%zu].reply", i);
        if (check_string(reply, "id", 256, where, err) != HITO_OK ||
            check_string(reply, "title", WA_BUTTON_TITLE_MAX, where, err) !=
                HITO_OK)
            return HITO_ERR_INVALID;
    }
    return HITO_OK;
}

static int check_list(json_t *action, struct hito_error *err)
{
    json_t *sections = json_object_get(action, "sections");
    size_t rows_total = 0;
    char where[64];
    size_t i, j;
    json_t *section, *row;

    if (check_string(action, "button", WA_BUTTON_TITLE_MAX,
                     "interactive.action", err) != HITO_OK)
        return HITO_ERR_INVALID;
    if (!json_is_array(sections) || json_array_size(sections) == 0 ||
        json_array_size(sections) > WA_MAX_SECTIONS)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "interactive.action.sections must hold 1 to %d "
                              "sections",
                              WA_MAX_SECTIONS);
    json_array_foreach(sections, i, section)
    {
        json_t *rows = json_object_get(section, "rows");

        if (!json_is_array(rows) || json_array_size(rows) == 0)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "sections[%zu].rows must not be empty", i);
        rows_total += json_array_size(rows);
        json_array_foreach(rows, j, row)
        {
            snprintf(where, sizeof(where), "sections[%zu].rows[%zu]", i, j);
            if (check_string(row, "id", 200, where, err) != HITO_OK ||
                check_string(row, "title", WA_ROW_TITLE_MAX, where, err) !=
                    HITO_OK)
                return HITO_ERR_INVALID;
        }
    }
    if (rows_total > WA_MAX_LIST_ROWS)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "a list contains at most %d rows in all",
                              WA_MAX_LIST_ROWS);
    return HITO_OK;
}

static int check_interactive(json_t *in, struct wa_send_request *out,
                             struct hito_error *err)
{
    const char *type = json_string_value(json_object_get(in, "type"));
    json_t *action = json_object_get(in, "action");

    if (check_string(json_object_get(in, "body"), "text", INTERACTIVE_BODY_MAX,
                     "interactive.body", err) != HITO_OK)
        return HITO_ERR_INVALID;
    if (!json_is_object(action))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "interactive.action is missing");
    if (type != NULL && strcmp(type, "button") == 0) {
        out->kind = WA_KIND_BUTTONS;
        return check_buttons(action, err);
    }
    if (type != NULL && strcmp(type, "list") == 0) {
        out->kind = WA_KIND_LIST;
        return check_list(action, err);
    }
    return hito_error_set(err, HITO_ERR_INVALID,
                          "interactive.type must be button or list");
}

static int check_content(json_t *root, struct wa_send_request *out,
                         struct hito_error *err)
{
    const char *type = json_string_value(json_object_get(root, "type"));

    if (type != NULL && strcmp(type, "text") == 0) {
        out->kind = WA_KIND_TEXT;
        out->type = "text";
        return check_string(json_object_get(root, "text"), "body",
                            TEXT_BODY_MAX, "text", err);
    }
    if (type != NULL && strcmp(type, "template") == 0) {
        out->kind = WA_KIND_TEMPLATE;
        out->type = "template";
        return check_template(json_object_get(root, "template"), err);
    }
    if (type != NULL && strcmp(type, "interactive") == 0) {
        out->type = "interactive";
        return check_interactive(json_object_get(root, "interactive"), out,
                                 err);
    }
    return hito_error_set(err, HITO_ERR_INVALID,
                          "type must be text, template or interactive");
}

static void digest_hex(const char *body, size_t len,
                       char out[WA_DIGEST_HEX_SIZE])
{
    unsigned char md[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)body, len, md);
    for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int build_body(json_t *root, struct wa_send_request *out,
                      struct hito_error *err)
{
    const char *to = json_string_value(json_object_get(root, "to"));
    const char *product =
        json_string_value(json_object_get(root, "messaging_product"));
    int rc;

    if (product != NULL && strcmp(product, "whatsapp") != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "messaging_product must be whatsapp");
    if (!wa_phone_is_valid(to))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "to must be a phone number of 6 to 15 digits");
    snprintf(out->to, sizeof(out->to), "%s", to[0] == '+' ? to + 1 : to);
    rc = check_content(root, out, err);
    if (rc != HITO_OK)
        return rc;
    out->cloud_body = json_deep_copy(root);
    if (out->cloud_body == NULL ||
        json_object_set_new(out->cloud_body, "messaging_product",
                            json_string("whatsapp")) != 0 ||
        json_object_set_new(out->cloud_body, "recipient_type",
                            json_string("individual")) != 0 ||
        json_object_set_new(out->cloud_body, "to", json_string(out->to)) != 0)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    return HITO_OK;
}

int wa_message_parse(const char *body, size_t len, struct wa_send_request *out,
                     struct hito_error *err)
{
    json_t *root;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = wa_json_object_parse(body, len, &root, err);
    if (rc != HITO_OK)
        return rc;
    rc = build_body(root, out, err);
    json_decref(root);
    if (rc == HITO_OK)
        digest_hex(body, len, out->digest);
    return rc;
}

void wa_send_request_clear(struct wa_send_request *req)
{
    json_decref(req->cloud_body);
    memset(req, 0, sizeof(*req));
}

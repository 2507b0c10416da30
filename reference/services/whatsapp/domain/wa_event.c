#include "wa_event.h"

#include <stdio.h>
#include <time.h>

#include <jansson.h>

char *wa_event_json(const struct wa_inbound *m, long long received_at_ms)
{
    time_t t = (time_t)(received_at_ms / 1000);
    struct tm tm;
    char when[32];
    json_t *event;
    char *text = NULL;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    event = json_pack("{s:s, s:s, s:I, s:s, s:{s:s}, s:s, s:s, s:I}", "wamid",
                      m->wamid, "from", m->from, "timestamp",
                      (json_int_t)m->timestamp, "type", m->type, "contact",
                      "name", m->contact_name, "phone_number_id",
                      m->phone_number_id, "received_at", when, "received_at_ms",
                      (json_int_t)received_at_ms);
    if (event == NULL)
        return NULL;
    if (m->text != NULL)
        json_object_set_new(event, "text", json_string(m->text));
    if (m->reply_type[0] != '\0')
        json_object_set_new(event, "interactive",
                            json_pack("{s:s, s:s, s:s}", "type", m->reply_type,
                                      "id", m->reply_id, "title",
                                      m->reply_title));
    text = json_dumps(event, JSON_COMPACT);
    json_decref(event);
    return text;
}

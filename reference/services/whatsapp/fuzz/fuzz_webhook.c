/*
 * libFuzzer target of the webhook parser: any bytes go to wa_webhook_parse,
 * and each parsed message is turned into its RabbitMQ event. The same bytes
 * also go to wa_message_parse, the check of send requests. `make
 * fuzz-whatsapp` builds it with clang (-fsanitize=fuzzer,address) and runs
 * it from the valid fixtures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wa_event.h"
#include "wa_message.h"
#include "wa_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wa_notification n;
    struct wa_send_request req;
    struct hito_error err = { 0 };

    if (wa_webhook_parse((const char *)data, size, &n, &err) == HITO_OK) {
        for (size_t i = 0; i < n.message_count; i++)
            free(wa_event_json(&n.messages[i], 0));
    }
    wa_notification_clear(&n);
    wa_message_parse((const char *)data, size, &req, &err);
    wa_send_request_clear(&req);
    return 0;
}

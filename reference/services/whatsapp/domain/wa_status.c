#include "wa_status.h"

#include <string.h>

static const char *const names[] = { "none",      "accepted", "sent",
                                     "delivered", "read",     "failed" };

enum wa_status wa_status_parse(const char *name)
{
    if (name == NULL)
        return WA_STATUS_NONE;
    for (int i = WA_STATUS_ACCEPTED; i <= WA_STATUS_FAILED; i++) {
        if (strcmp(name, names[i]) == 0)
            return (enum wa_status)i;
    }
    return WA_STATUS_NONE;
}

const char *wa_status_name(enum wa_status status)
{
    if (status < WA_STATUS_NONE || status > WA_STATUS_FAILED)
        return "none";
    return names[status];
}

int wa_status_advances(enum wa_status current, enum wa_status next)
{
    if (next == WA_STATUS_NONE || current == WA_STATUS_FAILED)
        return 0;
    if (next == WA_STATUS_FAILED)
        return current < WA_STATUS_DELIVERED;
    return next > current;
}

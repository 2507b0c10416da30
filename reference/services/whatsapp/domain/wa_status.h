/*
 * wa_status.h - delivery states of an outbound message and the rule that
 * keeps them monotonic. Meta sends statuses at least once and in no
 * guaranteed order, and may skip "delivered", so a status is applied only
 * when it moves the message forward: accepted < sent < delivered < read.
 * "failed" is terminal: it replaces accepted or sent, and nothing replaces
 * it. A message already delivered or read does not turn failed.
 */
#ifndef WA_STATUS_H
#define WA_STATUS_H

enum wa_status {
    WA_STATUS_NONE = 0, /* no status recorded yet */
    WA_STATUS_ACCEPTED, /* the Cloud API returned a wamid for the send */
    WA_STATUS_SENT,
    WA_STATUS_DELIVERED,
    WA_STATUS_READ,
    WA_STATUS_FAILED
};

/* Parses "accepted", "sent", "delivered", "read" or "failed"; returns
 * WA_STATUS_NONE for anything else, including NULL. */
enum wa_status wa_status_parse(const char *name);

/* Returns the lower-case name of status ("none" for WA_STATUS_NONE). */
const char *wa_status_name(enum wa_status status);

/* Returns nonzero when next should replace current. */
int wa_status_advances(enum wa_status current, enum wa_status next);

#endif

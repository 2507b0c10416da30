/*
 * wa_ports.h - the interfaces the WhatsApp domain calls and the adapters
 * implement: the message store (PostgreSQL), the Cloud API client and the
 * clock.
 *
 * Each port is a table of function pointers (ops) plus the adapter's state
 * (self). Functions that can fail return 0 or a negative enum hito_err and
 * fill err when it is not NULL. Adapters must be safe to call from several
 * HTTP worker threads at once.
 */
#ifndef WA_PORTS_H
#define WA_PORTS_H

#include <stddef.h>

#include <jansson.h>

#include "hito/err.h"
#include "wa_message.h"
#include "wa_webhook.h"

#define WA_IDEMPOTENCY_KEY_MAX 255
#define WA_CLIENT_ID_SIZE 256
#define WA_CLOUD_MESSAGE_SIZE 256

/* A previous request with the same idempotency key. */
struct wa_idempotency_record {
    char digest[WA_DIGEST_HEX_SIZE];
    int response_status; /* 0 while the first request still runs */
    char *response_body; /* JSON; owned, NULL while it runs */
};

/* The outcome of a send, stored with the outbound message. */
struct wa_outbound_record {
    const struct wa_send_request *request;
    const char *client_id;
    const char *wamid; /* NULL when the Cloud API gave none */
    long error_code;   /* Cloud API error code, 0 on success */
    const char *error_message;
    int attempts;
};

/* One page of a customer's conversation, newest first. */
struct wa_history_query {
    const char *customer; /* digits */
    long long before_id;  /* 0: from the newest */
    int limit;
};

struct wa_store_ops {
    /*
     * Reserves (client_id, key) for a request with digest. Returns HITO_OK
     * when reserved, HITO_ERR_CONFLICT with *existing filled (the caller
     * frees existing->response_body) when the key is taken.
     */
    int (*idempotency_begin)(void *self, const char *client_id, const char *key,
                             const char *digest,
                             struct wa_idempotency_record *existing,
                             struct hito_error *err);
    /* Stores the response of a reserved key. */
    int (*idempotency_finish)(void *self, const char *client_id,
                              const char *key, int status, const char *body,
                              struct hito_error *err);
    /* Releases a reserved key after a failure worth retrying. */
    int (*idempotency_abort)(void *self, const char *client_id, const char *key,
                             struct hito_error *err);
    /* Stores in *at the Unix time of the customer's last inbound message,
     * 0 when there is none. */
    int (*last_inbound)(void *self, const char *customer, long long *at,
                        struct hito_error *err);
    int (*record_outbound)(void *self, const struct wa_outbound_record *rec,
                           struct hito_error *err);
    /*
     * Stores in one transaction every new message of n with its outbox
     * event (a wamid already stored is skipped) and every new status event
     * (a (wamid, status) pair already stored is skipped), applying each
     * status to its message by wa_status_advances. *stored and *applied
     * receive the counts of new messages and applied statuses.
     */
    int (*store_notification)(void *self, const struct wa_notification *n,
                              const char *correlation_id, size_t *stored,
                              size_t *applied, struct hito_error *err);
    /* Stores in *out {"messages":[...],"next_before":id|null}. */
    int (*history)(void *self, const struct wa_history_query *q, json_t **out,
                   struct hito_error *err);
    /* Stores in *out the message with its status events;
     * HITO_ERR_NOT_FOUND when the wamid is unknown. */
    int (*message)(void *self, const char *wamid, json_t **out,
                   struct hito_error *err);
};

struct wa_store {
    const struct wa_store_ops *ops;
    void *self;
};

/* Outcome of one Cloud API call. */
struct wa_cloud_result {
    long http_status;       /* 0 when no response arrived */
    char wamid[WA_ID_SIZE]; /* set on success */
    long error_code;        /* error.code of Meta's error body */
    char error_message[WA_CLOUD_MESSAGE_SIZE];
};

struct wa_cloud_ops {
    /*
     * Sends body (a Cloud API message) once. Returns HITO_OK when a response
     * arrived, whatever its status (see out); HITO_ERR_UNAVAILABLE when the
     * connection failed, HITO_ERR_TIMEOUT when the deadline passed (the
     * message may have gone out).
     */
    int (*send)(void *self, const char *body, struct wa_cloud_result *out,
                struct hito_error *err);
};

struct wa_cloud {
    const struct wa_cloud_ops *ops;
    void *self;
};

/* One pending event of the outbox. */
struct wa_outbox_event {
    long long id;
    char wamid[WA_ID_SIZE];
    char routing_key[WA_TYPE_SIZE + 16];
    char *body; /* owned */
    char correlation_id[WA_ID_SIZE];
};

/* The outbox of inbound-message events, drained by the relay. */
struct wa_outbox_ops {
    /* Fills out with up to max unpublished events, oldest first; the
     * caller frees each body. */
    int (*fetch)(void *self, size_t max, struct wa_outbox_event *out,
                 size_t *count, struct hito_error *err);
    /* Marks an event published once the broker confirmed it. */
    int (*mark_published)(void *self, long long id, struct hito_error *err);
    /* Stores in *count the number of unpublished events. */
    int (*depth)(void *self, long long *count, struct hito_error *err);
};

struct wa_outbox {
    const struct wa_outbox_ops *ops;
    void *self;
};

struct wa_clock {
    long long (*now)(void); /* Unix seconds */
    void (*sleep_ms)(long ms);
};

#endif

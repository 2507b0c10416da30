/*
 * cloud_mock_internal.h - the emulator's state, shared by the send API
 * (cloud_mock.c) and the control API (cloud_control.c).
 */
#ifndef CLOUD_MOCK_INTERNAL_H
#define CLOUD_MOCK_INTERNAL_H

#include <pthread.h>
#include <time.h>

#include <jansson.h>

#include "cloud_mock.h"
#include "hito/httpd.h"

#define CLOUD_MOCK_TEXT_SIZE 512
#define CLOUD_MOCK_ID_SIZE 64

#define CLOUD_MOCK_FAULT_TEXT_SIZE 256

struct cloud_fault {
    long code;
    long remaining;
    char to[CLOUD_MOCK_ID_SIZE]; /* recipient it applies to; "" for any */
    char text[CLOUD_MOCK_FAULT_TEXT_SIZE]; /* text body it applies to; "" for any */
};

struct cloud_template {
    char name[CLOUD_MOCK_ID_SIZE];
    int body_params;
};

struct cloud_customer {
    char wa_id[CLOUD_MOCK_ID_SIZE];
    time_t last_inbound;
};

struct cloud_mock {
    struct httpd *srv;
    char access_token[CLOUD_MOCK_TEXT_SIZE];
    char app_secret[CLOUD_MOCK_TEXT_SIZE];
    char webhook_url[CLOUD_MOCK_TEXT_SIZE];
    char phone_number_id[CLOUD_MOCK_ID_SIZE];
    struct cloud_template templates[CLOUD_MOCK_MAX_TEMPLATES];
    size_t template_count;

    pthread_mutex_t lock; /* guards everything below */
    long rate_per_second;
    time_t rate_second;
    long rate_count;
    struct cloud_fault faults[CLOUD_MOCK_MAX_FAULTS];
    size_t fault_count;
    struct cloud_customer customers[CLOUD_MOCK_MAX_CUSTOMERS];
    size_t customer_count;
    unsigned long next_id;
    json_t *sent;       /* array of send records */
    json_t *deliveries; /* array of webhook deliveries */
};

/* Appends record to list (under the lock), dropping it past the bound;
 * steals the reference. */
void cloud_mock_record(json_t *list, json_t *record);

/* Stores now as wa_id's last inbound message time minus age seconds. */
void cloud_mock_touch_customer(struct cloud_mock *mock, const char *wa_id,
                               long age_seconds);

/* Writes a new wamid into out. */
void cloud_mock_new_wamid(struct cloud_mock *mock, const char *wa_id, char *out,
                          size_t size);

/* Adds the control routes to mock->srv. */
int cloud_control_routes(struct cloud_mock *mock);

#endif

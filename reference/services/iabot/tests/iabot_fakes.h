/*
 * iabot_fakes.h - in-memory stand-ins for the IA bot's ports, for unit tests
 * of app/iabot_service.c without PostgreSQL or a language model.
 */
#ifndef IABOT_FAKES_H
#define IABOT_FAKES_H

#include <pthread.h>

#include "iabot_ports.h"

#define FAKE_MAX_MESSAGES 64
#define FAKE_MAX_MODELS 16
#define FAKE_MAX_RUNS 16

struct fake_message {
    char id[IABOT_ID_SIZE];
    char text[256];
    char intent[32];
    char corrected[32]; /* "" until feedback arrives */
};

struct fake_model {
    struct iabot_model_record rec;
    char status[16];
    int promoted_order; /* 0 never promoted, else the order of promotion */
};

struct fake_run {
    char id[IABOT_ID_SIZE];
    char status[16];
    char model_version[MODEL_VERSION_SIZE];
};

struct fake_store {
    pthread_mutex_t lock;
    struct fake_message messages[FAKE_MAX_MESSAGES];
    size_t message_count;
    struct fake_model models[FAKE_MAX_MODELS];
    size_t model_count;
    struct fake_run runs[FAKE_MAX_RUNS];
    size_t run_count;
    int promotions;
};

struct fake_llm {
    int calls;
    int fail; /* nonzero: classify returns HITO_ERR_TIMEOUT */
    enum intent reply;
    char last_text[256];
};

/* Initialises store and fills port with it. */
void fake_store_init(struct fake_store *store, struct iabot_store *port);
void fake_store_clear(struct fake_store *store);

/* Copies the status and model version of run id, both "" when unknown. */
void fake_store_run_status(struct fake_store *store, const char *id,
                           char status[16], char version[MODEL_VERSION_SIZE]);

/* Sets a stored model's held-out macro-F1, as if it had been scored so. */
void fake_store_set_f1(struct fake_store *store, const char *version,
                       double f1);

/* Fills port with llm. */
void fake_llm_port(struct fake_llm *llm, struct iabot_llm *port);

/*
 * Reads fixtures/<name> (relative to the repository root where `make unit`
 * runs, or to $IABOT_FIXTURES) into a malloc'd string; NULL when missing.
 */
char *fake_read_fixture(const char *name);

#endif

/*
 * iabot_app.h - wires the IA bot: PostgreSQL pool and migrations, the data
 * files, the optional language model, token checks, the service and its
 * HTTP server.
 */
#ifndef IABOT_APP_H
#define IABOT_APP_H

#include "hito/err.h"
#include "iabot_settings.h"

/* Largest data file read (train.tsv, test.tsv, catalogue.tsv). */
#define IABOT_MAX_DATA_FILE_BYTES (8 * 1024 * 1024)

struct iabot_app;

/*
 * Starts everything and listens on settings->listen (port 0: an ephemeral
 * port, see iabot_app_port). NULL with err filled on failure. settings is
 * copied.
 */
struct iabot_app *iabot_app_start(const struct iabot_settings *settings,
                                  struct hito_error *err);

/* Returns the port the HTTP server listens on. */
int iabot_app_port(const struct iabot_app *app);

/* Stops the server and the training worker and frees everything. */
void iabot_app_free(struct iabot_app *app);

#endif

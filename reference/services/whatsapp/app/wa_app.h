/*
 * wa_app.h - the WhatsApp service assembled: PostgreSQL store (migrated at
 * start), Cloud API client, outbox relay to RabbitMQ, authenticator and the
 * HTTP server.
 */
#ifndef WA_APP_H
#define WA_APP_H

#include "wa_settings.h"

struct wa_app;

/* Starts everything; NULL with err when a part fails. settings is copied. */
struct wa_app *wa_app_start(const struct wa_settings *settings,
                            struct hito_error *err);

/* Returns the port the HTTP server listens on. */
int wa_app_port(const struct wa_app *app);

/* Stops the server and the relay and frees everything. */
void wa_app_free(struct wa_app *app);

#endif

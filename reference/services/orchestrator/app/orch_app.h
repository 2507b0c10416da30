/*
 * orch_app.h - the orchestrator assembled: stores, service clients, the
 * use cases, the inbound consumer and the operator API.
 */
#ifndef ORCH_APP_H
#define ORCH_APP_H

#include "hito/err.h"
#include "orch_settings.h"

struct orch_app;

/*
 * Connects to PostgreSQL (applying the migrations), Redis and RabbitMQ,
 * starts consuming and serving. settings is copied. NULL with err when a
 * dependency cannot be reached or the port is taken.
 */
struct orch_app *orch_app_start(const struct orch_settings *settings,
                                struct hito_error *err);

/* Returns the port the operator API listens on. */
int orch_app_port(const struct orch_app *app);

/* Stops consuming and serving, and frees everything. */
void orch_app_free(struct orch_app *app);

#endif

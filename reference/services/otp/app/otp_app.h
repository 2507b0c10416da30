/*
 * otp_app.h - wires the OTP service together: Redis store and limiter,
 * PostgreSQL audit trail and TOTP store (migrated at start), WhatsApp
 * notifier, service-token authentication and the HTTP API.
 */
#ifndef OTP_APP_H
#define OTP_APP_H

#include "hito/err.h"
#include "otp_settings.h"

struct otp_app;

/*
 * Connects to Redis and PostgreSQL, applies the migrations and starts
 * listening on settings->listen. Returns NULL with err naming the failed
 * step. settings is copied.
 */
struct otp_app *otp_app_start(const struct otp_settings *settings,
                              struct hito_error *err);

/* Returns the port the API listens on. */
int otp_app_port(const struct otp_app *app);

/* Stops the server and releases everything. */
void otp_app_free(struct otp_app *app);

#endif

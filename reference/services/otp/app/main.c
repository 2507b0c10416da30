/*
 * otp: the OTP service. Settings come from stack/settings/$HITO_ENV.env,
 * run/$HITO_ENV/secrets.env, run/$HITO_ENV/zitadel.env and the environment
 * (see README.md), so the working directory must be the repository root.
 * It runs until SIGINT or SIGTERM.
 */
#include <stdlib.h>

#include "hito/config.h"
#include "hito/log.h"
#include "hito/service.h"
#include "otp_app.h"
#include "otp_settings.h"

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct otp_settings *settings = calloc(1, sizeof(*settings));
    struct otp_app *app = NULL;
    int status = 1;

    if (cfg == NULL || settings == NULL)
        goto out;
    service_log_init("otp", cfg);
    if (service_load_profile(cfg, &err) != HITO_OK ||
        otp_settings_load(cfg, settings, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    app = otp_app_start(settings, &err);
    if (app == NULL) {
        LOG_ERROR("the OTP service did not start", "error", err.message);
        goto out;
    }
    LOG_INFO("OTP service started", "listen", settings->listen);
    service_wait_for_stop();
    LOG_INFO("OTP service stopping");
    status = 0;

out:
    otp_app_free(app);
    if (settings != NULL)
        otp_settings_clear(settings);
    free(settings);
    config_free(cfg);
    return status;
}

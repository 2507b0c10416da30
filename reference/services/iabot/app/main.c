/*
 * iabot: the IA bot service. Settings come from stack/settings/$HITO_ENV.env,
 * run/$HITO_ENV/secrets.env, run/$HITO_ENV/zitadel.env and the environment
 * (app/iabot_settings.h). It runs until SIGINT or SIGTERM.
 */
#include <stdlib.h>

#include "hito/config.h"
#include "hito/log.h"
#include "hito/service.h"
#include "iabot_app.h"
#include "iabot_settings.h"

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = {0};
    struct iabot_settings *settings = calloc(1, sizeof(*settings));
    struct iabot_app *app = NULL;
    int status = 1;

    if (cfg == NULL || settings == NULL)
        goto out;
    service_log_init("iabot", cfg);
    if (service_load_profile(cfg, &err) != HITO_OK ||
        iabot_settings_load(cfg, settings, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    app = iabot_app_start(settings, &err);
    if (app == NULL) {
        LOG_ERROR("the IA bot did not start", "error", err.message);
        goto out;
    }
    LOG_INFO("IA bot started", "listen", settings->listen);
    service_wait_for_stop();
    LOG_INFO("IA bot stopping");
    status = 0;
out:
    iabot_app_free(app);
    if (settings != NULL)
        iabot_settings_clear(settings);
    free(settings);
    config_free(cfg);
    return status;
}

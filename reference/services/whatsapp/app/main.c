/*
 * whatsapp: the WhatsApp service. Settings come from
 * stack/settings/$HITO_ENV.env, run/$HITO_ENV/secrets.env,
 * run/$HITO_ENV/zitadel.env and the environment (see README.md), so the
 * working directory must be the repository root. It runs until SIGINT or
 * SIGTERM.
 */
#include <stdlib.h>

#include "hito/config.h"
#include "hito/log.h"
#include "hito/service.h"
#include "wa_app.h"
#include "wa_settings.h"

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct wa_settings *settings = calloc(1, sizeof(*settings));
    struct wa_app *app = NULL;
    int status = 1;

    if (cfg == NULL || settings == NULL)
        return 1;
    service_log_init("whatsapp", cfg);
    if (service_load_profile(cfg, &err) != HITO_OK ||
        wa_settings_load(cfg, settings, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    app = wa_app_start(settings, &err);
    if (app == NULL) {
        LOG_ERROR("the WhatsApp service did not start", "error", err.message);
        goto out;
    }
    LOG_INFO("WhatsApp service started", "listen", settings->listen);
    service_wait_for_stop();
    LOG_INFO("WhatsApp service stopping");
    status = 0;

out:
    wa_app_free(app);
    wa_settings_clear(settings);
    free(settings);
    config_free(cfg);
    return status;
}

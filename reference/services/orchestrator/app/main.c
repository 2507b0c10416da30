/*
 * orchestrator: consumes customer messages from RabbitMQ, conducts each
 * conversation with the IA bot, the OTP and the WhatsApp services, and
 * serves the operator API. Settings come from stack/settings/$HITO_ENV.env,
 * run/$HITO_ENV/secrets.env, run/$HITO_ENV/zitadel.env and the environment
 * (see README.md), so the working directory must be the repository root.
 * It runs until SIGINT or SIGTERM.
 */
#include <stdlib.h>

#include "hito/config.h"
#include "hito/log.h"
#include "hito/service.h"
#include "orch_app.h"
#include "orch_settings.h"

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct orch_settings *settings = calloc(1, sizeof(*settings));
    struct orch_app *app = NULL;
    int status = 1;

    if (cfg == NULL || settings == NULL)
        goto out;
    service_log_init("orchestrator", cfg);
    if (service_load_profile(cfg, &err) != HITO_OK ||
        orch_settings_load(cfg, settings, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    app = orch_app_start(settings, &err);
    if (app == NULL) {
        LOG_ERROR("the orchestrator did not start", "error", err.message);
        goto out;
    }
    LOG_INFO("orchestrator started", "listen", settings->listen, "queue",
             settings->inbound_queue);
    service_wait_for_stop();
    LOG_INFO("orchestrator stopping");
    status = 0;

out:
    orch_app_free(app);
    if (settings != NULL)
        orch_settings_clear(settings);
    free(settings);
    config_free(cfg);
    return status;
}

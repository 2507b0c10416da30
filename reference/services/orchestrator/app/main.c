/*
 * orchestrator: consumes customer messages from RabbitMQ, conducts each
 * conversation with the IA bot, the OTP and the WhatsApp services, and
 * serves the operator API. Settings come from stack/settings/$HITO_ENV.env,
 * run/$HITO_ENV/secrets.env, run/$HITO_ENV/zitadel.env and the environment
 * (see README.md), so the working directory must be the repository root.
 * It runs until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "hito/config.h"
#include "hito/log.h"
#include "orch_app.h"
#include "orch_settings.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct orch_settings *settings = calloc(1, sizeof(*settings));
    struct orch_app *app = NULL;
    int level;
    int status = 1;

    if (cfg == NULL || settings == NULL)
        goto out;
    level = log_level_parse(config_get_default(cfg, "LOG_LEVEL", "info"));
    log_init("orchestrator", level < 0 ? LOG_LEVEL_INFO : (enum log_level)level,
             NULL);
    if (orch_settings_load_profile(cfg, &err) != HITO_OK ||
        orch_settings_load(cfg, settings, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    app = orch_app_start(settings, &err);
    if (app == NULL) {
        LOG_ERROR("the orchestrator did not start", "error", err.message);
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    LOG_INFO("orchestrator started", "listen", settings->listen, "queue",
             settings->inbound_queue);
    while (!stop_requested)
        pause();
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

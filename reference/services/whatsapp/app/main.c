/*
 * whatsapp: the WhatsApp service. Settings come from
 * stack/settings/$HITO_ENV.env, run/$HITO_ENV/secrets.env,
 * run/$HITO_ENV/zitadel.env and the environment (see README.md), so the
 * working directory must be the repository root. It runs until SIGINT or
 * SIGTERM.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "hito/config.h"
#include "hito/log.h"
#include "wa_app.h"
#include "wa_settings.h"

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
    struct wa_settings *settings = calloc(1, sizeof(*settings));
    struct wa_app *app = NULL;
    int level;
    int status = 1;

    if (cfg == NULL || settings == NULL)
        return 1;
    level = log_level_parse(config_get_default(cfg, "LOG_LEVEL", "info"));
    log_init("whatsapp", level < 0 ? LOG_LEVEL_INFO : (enum log_level)level,
             NULL);
    if (wa_settings_load_profile(cfg, &err) != HITO_OK ||
        wa_settings_load(cfg, settings, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    app = wa_app_start(settings, &err);
    if (app == NULL) {
        LOG_ERROR("the WhatsApp service did not start", "error", err.message);
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    LOG_INFO("WhatsApp service started", "listen", settings->listen);
    while (!stop_requested)
        pause();
    LOG_INFO("WhatsApp service stopping");
    status = 0;

out:
    wa_app_free(app);
    wa_settings_clear(settings);
    free(settings);
    config_free(cfg);
    return status;
}

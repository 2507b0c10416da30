/*
 * llm-mock: the chat-completions emulator (llm_mock.h) as a program for the
 * local stack. It listens on HITO_HOST:LLM_MOCK_PORT and answers every
 * completion with LLM_MOCK_REPLY (default "talk_to_human") until SIGINT or
 * SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "hito/config.h"
#include "hito/log.h"
#include "llm_mock.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = {0};
    struct llm_mock_options opts = {0};
    struct llm_mock *mock = NULL;
    char listen[64];
    long port = 0;
    int status = 1;

    if (cfg == NULL)
        return 1;
    log_init("llm-mock", LOG_LEVEL_INFO, NULL);
    if (config_load_profile(cfg, NULL, &err) != HITO_OK ||
        config_get_int(cfg, "LLM_MOCK_PORT", 0, 1, 65535, &port, &err) !=
            HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    snprintf(listen, sizeof(listen), "%s:%ld",
             config_get_default(cfg, "HITO_HOST", "127.0.0.1"), port);
    opts.listen = listen;
    opts.reply = config_get_default(cfg, "LLM_MOCK_REPLY", "talk_to_human");
    mock = llm_mock_start(&opts, &err);
    if (mock == NULL) {
        LOG_ERROR("the LLM emulator did not start", "error", err.message);
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    LOG_INFO("LLM emulator started", "listen", listen);
    while (!stop_requested)
        pause();
    status = 0;
out:
    llm_mock_free(mock);
    config_free(cfg);
    return status;
}

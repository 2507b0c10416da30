/*
 * llm-mock: the chat-completions emulator (llm_mock.h) as a program for the
 * local stack. It listens on HITO_HOST:LLM_MOCK_PORT and replies to every
 * completion request with LLM_MOCK_REPLY (default "talk_to_human") until
 * SIGINT or SIGTERM.
 */
#include "hito/config.h"
#include "hito/log.h"
#include "hito/service.h"
#include "llm_mock.h"

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = {0};
    struct llm_mock_options opts = {0};
    struct llm_mock *mock = NULL;
    char listen[SERVICE_LISTEN_MAX];
    int status = 1;

    if (cfg == NULL)
        return 1;
    log_init("llm-mock", LOG_LEVEL_INFO, NULL);
    if (config_load_profile(cfg, NULL, &err) != HITO_OK ||
        service_listen_address(cfg, "LLM_MOCK_PORT", listen, sizeof(listen),
                               &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    opts.listen = listen;
    opts.reply = config_get_default(cfg, "LLM_MOCK_REPLY", "talk_to_human");
    mock = llm_mock_start(&opts, &err);
    if (mock == NULL) {
        LOG_ERROR("the LLM emulator did not start", "error", err.message);
        goto out;
    }
    LOG_INFO("LLM emulator started", "listen", listen);
    service_wait_for_stop();
    status = 0;
out:
    llm_mock_free(mock);
    config_free(cfg);
    return status;
}

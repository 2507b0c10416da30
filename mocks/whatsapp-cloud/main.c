/*
 * whatsapp-cloud: the Cloud API emulator (cloud_mock.h) as a program for the
 * local stack. It listens on HITO_HOST:WHATSAPP_CLOUD_PORT, checks
 * WHATSAPP_ACCESS_TOKEN, signs webhooks with WHATSAPP_APP_SECRET (both from
 * run/$HITO_ENV/secrets.env) and delivers them to WHATSAPP_CLOUD_WEBHOOK_URL,
 * by default the stack's WhatsApp service. It runs until SIGINT or SIGTERM.
 */
#include <stdio.h>

#include "cloud_mock.h"
#include "hito/config.h"
#include "hito/log.h"
#include "hito/service.h"

static int load_options(const struct config *cfg,
                        struct cloud_mock_options *opts, char *listen,
                        char *webhook, size_t size, struct hito_error *err)
{
    const char *host = config_get_default(cfg, "HITO_HOST", "127.0.0.1");
    long rate = 0;
    int rc;

    rc = service_listen_address(cfg, "WHATSAPP_CLOUD_PORT", listen, size, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_CLOUD_RATE_PER_SECOND", 80, 0,
                            100000, &rate, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "WHATSAPP_ACCESS_TOKEN", &opts->access_token,
                            err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "WHATSAPP_APP_SECRET", &opts->app_secret, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(webhook, size, "http://%.64s:%.8s/v1/whatsapp/webhook", host,
             config_get_default(cfg, "WHATSAPP_PORT", "0"));
    opts->listen = listen;
    opts->webhook_url =
        config_get_default(cfg, "WHATSAPP_CLOUD_WEBHOOK_URL", webhook);
    opts->phone_number_id =
        config_get_default(cfg, "WHATSAPP_PHONE_NUMBER_ID", "106540352242922");
    opts->rate_per_second = rate;
    opts->templates = config_get_default(cfg, "WHATSAPP_CLOUD_TEMPLATES",
                                         "otp_code:1,order_update:2");
    return HITO_OK;
}

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = { 0 };
    struct cloud_mock_options opts = { 0 };
    struct cloud_mock *mock = NULL;
    char listen[128], webhook[128];
    int status = 1;

    if (cfg == NULL)
        return 1;
    log_init("whatsapp-cloud", LOG_LEVEL_INFO, NULL);
    if (config_load_profile(cfg, NULL, &err) != HITO_OK ||
        load_options(cfg, &opts, listen, webhook, sizeof(listen), &err) !=
            HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    mock = cloud_mock_start(&opts, &err);
    if (mock == NULL) {
        LOG_ERROR("the Cloud API emulator did not start", "error", err.message);
        goto out;
    }
    LOG_INFO("Cloud API emulator started", "listen", listen, "webhook_url",
             opts.webhook_url);
    service_wait_for_stop();
    status = 0;
out:
    cloud_mock_free(mock);
    config_free(cfg);
    return status;
}

#include "wa_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* The roles the gateway lets through to POST /v1/whatsapp/messages
 * (krakend/routes.json). */
#define DEFAULT_CALLER_ROLES "svc-orchestrator,svc-iabot,svc-otp,admin"
/* Graph API version of the send URL. */
#define DEFAULT_CLOUD_VERSION "v21.0"

/* Copies a required secret of secrets.env. */
static int copy_secret(const struct config *cfg, const char *key, char *out,
                       size_t size, struct hito_error *err)
{
    const char *value = config_get(cfg, key);

    if (value == NULL || value[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s is missing: set it in run/$HITO_ENV/"
                              "secrets.env (make up generates it)",
                              key);
    return service_setting_copy(cfg, key, NULL, out, size, err);
}

static int load_endpoints(const struct config *cfg, struct wa_settings *out,
                          struct hito_error *err)
{
    int rc;

    rc = service_listen_address(cfg, "WHATSAPP_PORT", out->listen,
                                sizeof(out->listen), err);
    if (rc == HITO_OK)
        rc = service_pg_conninfo(cfg, "whatsapp", out->pg_conninfo,
                                 sizeof(out->pg_conninfo), err);
    if (rc == HITO_OK)
        rc = service_mq_options(cfg, "whatsapp-outbox-relay", &out->mq, err);
    if (rc == HITO_OK)
        rc = service_migrations_dir(cfg, "whatsapp", out->migrations_dir,
                                    sizeof(out->migrations_dir), err);
    return rc;
}

/*
 * The Cloud API: WHATSAPP_CLOUD_URL, else the stack's emulator on
 * WHATSAPP_CLOUD_PORT. Production sets https://graph.facebook.com.
 */
static int load_cloud(const struct config *cfg, struct wa_settings *out,
                      struct hito_error *err)
{
    int rc;

    rc = service_peer_url(cfg, "WHATSAPP_CLOUD_URL", "WHATSAPP_CLOUD_PORT",
                          out->cloud_url, sizeof(out->cloud_url), err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "WHATSAPP_API_VERSION",
                                  DEFAULT_CLOUD_VERSION, out->cloud_version,
                                  sizeof(out->cloud_version), err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "WHATSAPP_PHONE_NUMBER_ID",
                                  "106540352242922", out->phone_number_id,
                                  sizeof(out->phone_number_id), err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_CLOUD_TIMEOUT_MS", 10000, 100, 60000,
                            &out->cloud_timeout_ms, err);
    if (rc == HITO_OK)
        rc = copy_secret(cfg, "WHATSAPP_ACCESS_TOKEN", out->access_token,
                         sizeof(out->access_token), err);
    return rc;
}

static int load_webhook_and_retries(const struct config *cfg,
                                    struct wa_service_options *s,
                                    struct hito_error *err)
{
    char secret[WA_SECRET_MAX];
    long attempts = 0;
    int rc;

    rc = copy_secret(cfg, "WHATSAPP_APP_SECRET", secret, sizeof(secret), err);
    if (rc == HITO_OK) {
        s->app_secret_len = strlen(secret);
        memcpy(s->app_secret, secret, s->app_secret_len);
        OPENSSL_cleanse(secret, sizeof(secret));
        rc = copy_secret(cfg, "WHATSAPP_VERIFY_TOKEN", s->verify_token,
                         sizeof(s->verify_token), err);
    }
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_SEND_MAX_ATTEMPTS", 4, 1, 10,
                            &attempts, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_RETRY_BASE_MS", 500, 1, 60000,
                            &s->backoff_base_ms, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_RETRY_MAX_MS", 8000, 1, 300000,
                            &s->backoff_max_ms, err);
    s->max_attempts = (int)attempts;
    return rc;
}

int wa_settings_load(const struct config *cfg, struct wa_settings *out,
                     struct hito_error *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = load_endpoints(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_cloud(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_webhook_and_retries(cfg, &out->service, err);
    if (rc == HITO_OK)
        rc = service_auth_settings_load(cfg, "WHATSAPP", &out->auth, err);
    if (rc == HITO_OK)
        rc = service_roles_load(cfg, "WHATSAPP_AUTH_ROLES",
                                DEFAULT_CALLER_ROLES, &out->roles, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_THREADS", 16, 2, 256, &out->threads,
                            err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "WHATSAPP_MAX_BODY_BYTES", 256 * 1024, 1024,
                            4 * 1024 * 1024, &out->max_body_bytes, err);
    if (rc != HITO_OK)
        wa_settings_clear(out);
    return rc;
}

void wa_settings_clear(struct wa_settings *settings)
{
    OPENSSL_cleanse(settings->pg_conninfo, sizeof(settings->pg_conninfo));
    OPENSSL_cleanse(settings->access_token, sizeof(settings->access_token));
    OPENSSL_cleanse(&settings->service, sizeof(settings->service));
}

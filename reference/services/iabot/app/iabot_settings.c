#include "iabot_settings.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static int load_endpoints(const struct config *cfg, struct iabot_settings *out,
                          struct hito_error *err)
{
    const char *root = config_get_default(cfg, "HITO_ROOT", ".");
    char fixtures[IABOT_SETTINGS_TEXT];
    int rc;

    rc = service_listen_address(cfg, "IABOT_PORT", out->listen,
                                sizeof(out->listen), err);
    if (rc == HITO_OK)
        rc = service_pg_conninfo(cfg, "iabot", out->pg_conninfo,
                                 sizeof(out->pg_conninfo), err);
    if (rc == HITO_OK)
        rc = service_migrations_dir(cfg, "iabot", out->migrations_dir,
                                    sizeof(out->migrations_dir), err);
    if (rc != HITO_OK)
        return rc;
    if (snprintf(fixtures, sizeof(fixtures),
                 "%s/reference/services/iabot/fixtures",
                 root) >= (int)sizeof(fixtures))
        return hito_error_set(err, HITO_ERR_INVALID, "HITO_ROOT is too long");
    return service_setting_copy(cfg, "IABOT_DATA_DIR", fixtures,
                                out->data_dir, sizeof(out->data_dir), err);
}

static int load_llm(const struct config *cfg, struct iabot_settings *out,
                    struct hito_error *err)
{
    int rc = service_setting_copy(cfg, "LLM_BASE_URL", "", out->llm_base_url,
                                  sizeof(out->llm_base_url), err);

    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "LLM_API_KEY", "", out->llm_api_key,
                                  sizeof(out->llm_api_key), err);
    if (rc == HITO_OK)
        rc = service_setting_copy(cfg, "LLM_MODEL", "hito-intent",
                                  out->llm_model, sizeof(out->llm_model), err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "LLM_TIMEOUT_MS", 2000, 50, 60000,
                            &out->llm_timeout_ms, err);
    return rc;
}

/* Service tokens: see service_auth_settings_load for the defaults. */
static int load_auth(const struct config *cfg, struct iabot_settings *out,
                     struct hito_error *err)
{
    const char *mode = config_get_default(cfg, "IABOT_AUTH", "jwt");

    if (strcmp(mode, "jwt") != 0 && strcmp(mode, "off") != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "IABOT_AUTH must be jwt or off, got %s", mode);
    out->auth_enabled = strcmp(mode, "jwt") == 0;
    return service_auth_settings_load(cfg, "IABOT", &out->auth, err);
}

int iabot_settings_load(const struct config *cfg, struct iabot_settings *out,
                        struct hito_error *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = load_endpoints(cfg, out, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "IABOT_HANDOVER_THRESHOLD_PERCENT", 40, 0, 100,
                            &out->threshold_percent, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "IABOT_TRAINING_SEED", 1, 0, 2147483647L,
                            &out->training_seed, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "IABOT_THREADS", 16, 2, 256, &out->threads,
                            err);
    if (rc == HITO_OK)
        rc = load_llm(cfg, out, err);
    if (rc == HITO_OK)
        rc = load_auth(cfg, out, err);
    if (rc != HITO_OK)
        iabot_settings_clear(out);
    return rc;
}

void iabot_settings_clear(struct iabot_settings *settings)
{
    OPENSSL_cleanse(settings->pg_conninfo, sizeof(settings->pg_conninfo));
    OPENSSL_cleanse(settings->llm_api_key, sizeof(settings->llm_api_key));
}

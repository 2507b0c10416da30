#include "iabot_settings.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static int copy_setting(const char *value, char *out, size_t size,
                        const char *key, struct hito_error *err)
{
    if (strlen(value) >= size)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s is longer than %zu bytes", key, size - 1);
    memcpy(out, value, strlen(value) + 1);
    return HITO_OK;
}

static int load_endpoints(const struct config *cfg, struct iabot_settings *out,
                          struct hito_error *err)
{
    const char *root = config_get_default(cfg, "HITO_ROOT", ".");
    int rc;

    rc = service_listen_address(cfg, "IABOT_PORT", out->listen,
                                sizeof(out->listen), err);
    if (rc == HITO_OK)
        rc = service_pg_conninfo(cfg, "iabot", out->pg_conninfo,
                                 sizeof(out->pg_conninfo), err);
    if (rc != HITO_OK)
        return rc;
    if (snprintf(out->migrations_dir, sizeof(out->migrations_dir),
                 "%s/reference/services/iabot/migrations",
                 root) >= (int)sizeof(out->migrations_dir))
        return hito_error_set(err, HITO_ERR_INVALID, "HITO_ROOT is too long");
    if (config_get(cfg, "IABOT_DATA_DIR") != NULL)
        return copy_setting(config_get(cfg, "IABOT_DATA_DIR"), out->data_dir,
                            sizeof(out->data_dir), "IABOT_DATA_DIR", err);
    if (snprintf(out->data_dir, sizeof(out->data_dir),
                 "%s/reference/services/iabot/fixtures",
                 root) >= (int)sizeof(out->data_dir))
        return hito_error_set(err, HITO_ERR_INVALID, "HITO_ROOT is too long");
    return HITO_OK;
}

static int load_llm(const struct config *cfg, struct iabot_settings *out,
                    struct hito_error *err)
{
    int rc = copy_setting(config_get_default(cfg, "LLM_BASE_URL", ""),
                          out->llm_base_url, sizeof(out->llm_base_url),
                          "LLM_BASE_URL", err);

    if (rc == HITO_OK)
        rc = copy_setting(config_get_default(cfg, "LLM_API_KEY", ""),
                          out->llm_api_key, sizeof(out->llm_api_key),
                          "LLM_API_KEY", err);
    if (rc == HITO_OK)
        rc = copy_setting(config_get_default(cfg, "LLM_MODEL", "hito-intent"),
                          out->llm_model, sizeof(out->llm_model), "LLM_MODEL",
                          err);
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

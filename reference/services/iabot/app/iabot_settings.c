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
    const char *host = config_get_default(cfg, "HITO_HOST", "127.0.0.1");
    const char *root = config_get_default(cfg, "HITO_ROOT", ".");
    const char *password = NULL;
    long port = 0, pg_port = 0;
    int rc;

    rc = config_get_int(cfg, "IABOT_PORT", 0, 0, 65535, &port, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "PG_PORT", 5432, 1, 65535, &pg_port, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "PG_PASSWORD_IABOT", &password, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(out->listen, sizeof(out->listen), "%s:%ld", host, port);
    if (db_conninfo(out->pg_conninfo, sizeof(out->pg_conninfo), host,
                    (int)pg_port, "iabot", "iabot", password) != HITO_OK)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "PG_PASSWORD_IABOT is too long");
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

/*
 * Service tokens come from the stack's ZITADEL unless IABOT_AUTH_ISSUER and
 * IABOT_AUTH_JWKS_URL are set. NOTE: /oauth/v2/keys is ZITADEL v2's
 * JWKS path; the audience (the project id) has no default, and without it
 * every token is rejected.
 */
static int load_auth(const struct config *cfg, struct iabot_settings *out,
                     struct hito_error *err)
{
    const char *mode = config_get_default(cfg, "IABOT_AUTH", "jwt");
    int rc;

    if (strcmp(mode, "jwt") != 0 && strcmp(mode, "off") != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "IABOT_AUTH must be jwt or off, got %s", mode);
    out->auth_enabled = strcmp(mode, "jwt") == 0;
    if (config_get(cfg, "IABOT_AUTH_ISSUER") != NULL)
        rc =
            copy_setting(config_get(cfg, "IABOT_AUTH_ISSUER"), out->auth_issuer,
                         sizeof(out->auth_issuer), "IABOT_AUTH_ISSUER", err);
    else
        rc =
            snprintf(out->auth_issuer, sizeof(out->auth_issuer), "http://%s:%s",
                     config_get_default(cfg, "HITO_HOST", "127.0.0.1"),
                     config_get_default(cfg, "ZITADEL_PORT", "8080")) <
                    (int)sizeof(out->auth_issuer)
                ? HITO_OK
                : hito_error_set(err, HITO_ERR_INVALID,
                                 "ZITADEL_PORT is too long");
    if (rc == HITO_OK && config_get(cfg, "IABOT_AUTH_JWKS_URL") != NULL)
        rc = copy_setting(config_get(cfg, "IABOT_AUTH_JWKS_URL"),
                          out->auth_jwks_url, sizeof(out->auth_jwks_url),
                          "IABOT_AUTH_JWKS_URL", err);
    else if (rc == HITO_OK &&
             snprintf(out->auth_jwks_url, sizeof(out->auth_jwks_url),
                      "%s/oauth/v2/keys",
                      out->auth_issuer) >= (int)sizeof(out->auth_jwks_url))
        rc = hito_error_set(err, HITO_ERR_INVALID,
                            "IABOT_AUTH_ISSUER is too long");
    if (rc == HITO_OK)
        rc = copy_setting(config_get_default(cfg, "IABOT_AUTH_AUDIENCE", ""),
                          out->auth_audience, sizeof(out->auth_audience),
                          "IABOT_AUTH_AUDIENCE", err);
    return rc;
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

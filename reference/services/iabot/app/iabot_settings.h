/*
 * iabot_settings.h - the IA bot's settings, read from a hito/config.h
 * configuration (settings file, secrets file and environment).
 *
 * Keys: IABOT_PORT, HITO_HOST, PG_PORT, PG_PASSWORD_IABOT (secret),
 * IABOT_DATA_DIR (train.tsv, test.tsv, catalogue.tsv; default the fixtures
 * folder under HITO_ROOT), IABOT_HANDOVER_THRESHOLD_PERCENT (40),
 * IABOT_TRAINING_SEED (1), IABOT_THREADS (16), LLM_BASE_URL (unset: no
 * language model), LLM_API_KEY (secret, optional), LLM_MODEL, LLM_TIMEOUT_MS
 * (2000), IABOT_AUTH ("jwt" or "off"), IABOT_AUTH_ISSUER, IABOT_AUTH_JWKS_URL,
 * IABOT_AUTH_AUDIENCE (defaults in hito/service_auth.h).
 */
#ifndef IABOT_SETTINGS_H
#define IABOT_SETTINGS_H

#include "hito/config.h"
#include "hito/db.h"
#include "hito/err.h"
#include "hito/service.h"
#include "hito/service_auth.h"

#define IABOT_SETTINGS_TEXT 512

struct iabot_settings {
    char listen[SERVICE_LISTEN_MAX];
    char pg_conninfo[DB_CONNINFO_MAX];
    char migrations_dir[IABOT_SETTINGS_TEXT];
    char data_dir[IABOT_SETTINGS_TEXT];
    long threshold_percent;
    long training_seed;
    long threads;
    char llm_base_url[IABOT_SETTINGS_TEXT]; /* "" when no language model */
    char llm_api_key[IABOT_SETTINGS_TEXT];
    char llm_model[128];
    long llm_timeout_ms;
    int auth_enabled;
    struct service_auth_settings auth; /* IABOT_AUTH_*: service tokens */
};

/*
 * Reads the settings. Errors: HITO_ERR_INVALID naming the key that is
 * missing, out of range or too long.
 */
int iabot_settings_load(const struct config *cfg, struct iabot_settings *out,
                        struct hito_error *err);

/* Wipes the secrets held in settings. */
void iabot_settings_clear(struct iabot_settings *settings);

#endif

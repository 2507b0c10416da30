/*
 * wa_settings.h - the WhatsApp service's settings, read from the stack
 * profile (stack/settings/$HITO_ENV.env), run/$HITO_ENV/secrets.env,
 * run/$HITO_ENV/zitadel.env and the environment. README.md lists the keys.
 */
#ifndef WA_SETTINGS_H
#define WA_SETTINGS_H

#include "hito/config.h"
#include "hito/db.h"
#include "wa_service.h"

#define WA_SETTINGS_TEXT_SIZE 512

struct wa_settings {
    char listen[64];
    char pg_conninfo[DB_CONNINFO_MAX];
    char migrations_dir[WA_SETTINGS_TEXT_SIZE];
    char amqp_host[64];
    long amqp_port;
    char amqp_user[WA_SETTINGS_TEXT_SIZE];
    char amqp_password[WA_SETTINGS_TEXT_SIZE];
    char amqp_vhost[WA_SETTINGS_TEXT_SIZE];
    char cloud_url[WA_SETTINGS_TEXT_SIZE];
    char cloud_version[32];
    char phone_number_id[64];
    char access_token[1025];
    long cloud_timeout_ms;
    struct wa_service_options service; /* secret, verify token, retries */
    char auth_issuer[WA_SETTINGS_TEXT_SIZE];
    char auth_jwks_url[WA_SETTINGS_TEXT_SIZE];
    char auth_audience[WA_SETTINGS_TEXT_SIZE];
    char auth_roles[WA_SETTINGS_TEXT_SIZE];
    long threads;
    long max_body_bytes;
};

/* Loads the profile files into cfg (run/$HITO_ENV/zitadel.env when it
 * exists). Errors as config_load_profile. */
int wa_settings_load_profile(struct config *cfg, struct hito_error *err);

/* Reads and checks every setting; HITO_ERR_INVALID naming the key. */
int wa_settings_load(const struct config *cfg, struct wa_settings *out,
                     struct hito_error *err);

/* Wipes the secrets of settings. */
void wa_settings_clear(struct wa_settings *settings);

#endif

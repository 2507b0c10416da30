/*
 * wa_settings.h - the WhatsApp service's settings, read from the stack
 * profile (stack/settings/$HITO_ENV.env), run/$HITO_ENV/secrets.env,
 * run/$HITO_ENV/zitadel.env and the environment. README.md lists the keys.
 */
#ifndef WA_SETTINGS_H
#define WA_SETTINGS_H

#include "hito/config.h"
#include "hito/db.h"
#include "hito/mq.h"
#include "hito/service.h"
#include "hito/service_auth.h"
#include "wa_service.h"

#define WA_SETTINGS_TEXT_SIZE 512

struct wa_settings {
    char listen[SERVICE_LISTEN_MAX];
    char pg_conninfo[DB_CONNINFO_MAX];
    char migrations_dir[WA_SETTINGS_TEXT_SIZE];
    struct mq_options mq; /* strings belong to the config */
    char cloud_url[WA_SETTINGS_TEXT_SIZE];
    char cloud_version[32];
    char phone_number_id[64];
    char access_token[1025];
    long cloud_timeout_ms;
    struct wa_service_options service; /* secret, verify token, retries */
    struct service_auth_settings auth;
    struct service_roles roles; /* callers need one of them */
    long threads;
    long max_body_bytes;
};

/*
 * Reads and checks every setting; HITO_ERR_INVALID naming the key. cfg must
 * outlive out, which points to some of its strings.
 */
int wa_settings_load(const struct config *cfg, struct wa_settings *out,
                     struct hito_error *err);

/* Wipes the secrets of settings. */
void wa_settings_clear(struct wa_settings *settings);

#endif

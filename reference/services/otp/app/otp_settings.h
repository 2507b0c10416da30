/*
 * otp_settings.h - the OTP service's settings, read from the settings
 * profile (stack/settings/$HITO_ENV.env), the secrets file
 * (run/$HITO_ENV/secrets.env), ZITADEL's provisioning output
 * (run/$HITO_ENV/zitadel.env) and the environment.
 */
#ifndef OTP_SETTINGS_H
#define OTP_SETTINGS_H

#include <stddef.h>

#include "hito/config.h"
#include "hito/err.h"
#include "hito/service_auth.h"
#include "otp_policy.h"

#define OTP_SETTINGS_TEXT_SIZE 256
#define OTP_SETTINGS_KEY_MAX 1024
/* Request bodies are small JSON objects; anything larger is rejected. */
#define OTP_DEFAULT_MAX_BODY_BYTES 4096

struct otp_settings {
    struct otp_policy policy;
    char listen[OTP_SETTINGS_TEXT_SIZE]; /* HITO_HOST:OTP_PORT */
    char redis_host[OTP_SETTINGS_TEXT_SIZE];
    long redis_port;
    char redis_password[OTP_SETTINGS_TEXT_SIZE]; /* REDIS_PASSWORD, may be empty
                                                  */
    char pg_conninfo[4 * OTP_SETTINGS_TEXT_SIZE]; /* database otp, role otp */
    char whatsapp_url[OTP_SETTINGS_TEXT_SIZE];    /* WHATSAPP_SERVICE_URL */
    char whatsapp_template[OTP_SETTINGS_TEXT_SIZE];
    char whatsapp_language[OTP_SETTINGS_TEXT_SIZE];
    long whatsapp_timeout_ms;
    /* Client credentials of the OTP service's own ZITADEL user, for the
     * token it sends to the WhatsApp service; no token when the id is empty. */
    struct service_client_settings client;
    struct service_auth_settings auth; /* OTP_AUTH_*: service tokens */
    struct service_roles callers;      /* OTP_AUTH_ROLES */
    struct service_roles enrollers;    /* OTP_TOTP_ENROL_ROLES */
    char migrations_dir[2 * OTP_SETTINGS_TEXT_SIZE];
    unsigned char hmac_key[OTP_SETTINGS_KEY_MAX]; /* OTP_HMAC_KEY */
    size_t hmac_key_len;
    unsigned char proof_key[OTP_SETTINGS_KEY_MAX]; /* OTP_PROOF_KEY */
    size_t proof_key_len;
    long max_body_bytes;
    long threads;
};

/*
 * Reads every setting into out and checks the policy. Missing secrets
 * (OTP_HMAC_KEY, OTP_PROOF_KEY, PG_PASSWORD_OTP) and a code lifetime above
 * OTP_TTL_CEILING_SECONDS give HITO_ERR_INVALID naming the key. Messages
 * never contain a secret's value.
 */
int otp_settings_load(const struct config *cfg, struct otp_settings *out,
                      struct hito_error *err);

/* Overwrites the secrets that settings contains. */
void otp_settings_clear(struct otp_settings *settings);

#endif

#include "otp_app.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hito/db.h"
#include "hito/httpd.h"
#include "hito/log.h"
#include "hito/service_auth.h"
#include "hito/token_cache.h"
#include "http/otp_http.h"
#include "postgres/otp_pg.h"
#include "redis/otp_redis.h"
#include "system/otp_system.h"
#include "whatsapp/otp_whatsapp.h"

#define OTP_DB_POOL_SIZE 4
/* Label of the key that seals TOTP secrets, derived from OTP_HMAC_KEY. */
#define OTP_SEAL_KEY_LABEL "hito otp totp secret sealing v1"

struct otp_app {
    struct otp_settings settings;
    struct otp_redis *redis;
    struct db_pool *db;
    struct otp_pg *pg;
    struct token_cache *tokens;
    struct otp_whatsapp *whatsapp;
    struct service_auth *auth;
    struct otp_service *service;
    struct otp_totp_deps totp;
    struct httpd *srv;
    struct otp_http *http;
};

static int ready(void *user, char *reason, size_t size)
{
    struct otp_app *app = user;
    struct hito_error err = { 0 };

    if (otp_redis_ping(app->redis, &err) != HITO_OK) {
        snprintf(reason, size, "%s", err.message);
        return -1;
    }
    return 0;
}

static int open_stores(struct otp_app *app, struct hito_error *err)
{
    unsigned char seal_key[EVP_MAX_MD_SIZE];
    unsigned int seal_len = 0;
    int rc;

    app->redis =
        otp_redis_new(app->settings.redis_host, (int)app->settings.redis_port,
                      app->settings.redis_password, err);
    if (app->redis == NULL)
        return err->code;
    app->db = db_pool_new(app->settings.pg_conninfo, OTP_DB_POOL_SIZE, err);
    if (app->db == NULL)
        return err->code;
    rc = db_migrate(app->db, app->settings.migrations_dir, err);
    if (rc != HITO_OK)
        return rc;

    if (HMAC(EVP_sha256(), app->settings.hmac_key,
             (int)app->settings.hmac_key_len,
             (const unsigned char *)OTP_SEAL_KEY_LABEL,
             strlen(OTP_SEAL_KEY_LABEL), seal_key, &seal_len) == NULL)
        return hito_error_set(err, HITO_ERR_IO,
                              "deriving the sealing key failed");
    app->pg = otp_pg_new(app->db, seal_key, err);
    OPENSSL_cleanse(seal_key, sizeof(seal_key));
    return app->pg == NULL ? err->code : HITO_OK;
}

static int build_domain(struct otp_app *app, struct hito_error *err)
{
    const struct otp_settings *s = &app->settings;
    struct token_cache_options token_opts = { s->client.token_url,
                                              s->client.client_id,
                                              s->client.client_secret,
                                              s->client.scope,
                                              0,
                                              s->whatsapp_timeout_ms };
    struct otp_whatsapp_options wa = { s->whatsapp_url, s->whatsapp_template,
                                       s->whatsapp_language,
                                       s->whatsapp_timeout_ms, NULL };
    struct otp_service_deps deps;

    if (s->client.client_id[0] != '\0') {
        app->tokens = token_cache_new(&token_opts, err);
        if (app->tokens == NULL)
            return err->code;
        wa.tokens = app->tokens;
    } else {
        LOG_WARN("OTP_CLIENT_ID is not set: calls to the WhatsApp service "
                 "carry no token");
    }
    app->whatsapp = otp_whatsapp_new(&wa, err);
    if (app->whatsapp == NULL)
        return err->code;
    app->auth = service_auth_new(&s->auth, err);
    if (app->auth == NULL)
        return err->code;
    if (s->auth.audience[0] == '\0')
        LOG_WARN("OTP_AUTH_AUDIENCE is not set: every API request is rejected "
                 "with 401");

    deps = (struct otp_service_deps){
        .store = otp_redis_store(app->redis),
        .limiter = otp_redis_rate_limiter(app->redis),
        .notifier = otp_whatsapp_notifier(app->whatsapp),
        .audit = otp_pg_audit(app->pg),
        .random = otp_system_random,
        .clock = otp_system_clock,
        .hmac_key = s->hmac_key,
        .hmac_key_len = s->hmac_key_len,
        .proof_key = s->proof_key,
        .proof_key_len = s->proof_key_len,
    };
    app->service = otp_service_new(&s->policy, &deps, err);
    if (app->service == NULL)
        return err->code;
    app->totp = (struct otp_totp_deps){
        .store = otp_pg_totp_store(app->pg),
        .limiter = otp_redis_rate_limiter(app->redis),
        .audit = otp_pg_audit(app->pg),
        .random = otp_system_random,
        .clock = otp_system_clock,
        .proof_key = s->proof_key,
        .proof_key_len = s->proof_key_len,
        .proof_ttl_seconds = s->policy.proof_ttl_seconds,
    };
    return HITO_OK;
}

/*
 * Checks a caller against roles and copies its client id. Returns the
 * results of service_auth_check: a valid token without a needed role gets
 * HITO_ERR_FORBIDDEN (403), as in the other services and the gateway.
 */
static int check_caller(struct otp_app *app, const struct service_roles *roles,
                        const char *authorization, char *client_id,
                        size_t size, struct hito_error *err)
{
    struct service_caller caller;
    int rc;

    rc = service_auth_check(app->auth, authorization, roles, &caller, err);
    if (rc == HITO_OK && strlen(caller.sub) >= size)
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "the token's sub is longer than %zu bytes",
                            size - 1);
    if (rc == HITO_OK)
        memcpy(client_id, caller.sub, strlen(caller.sub) + 1);
    return rc;
}

/* Implements otp_http_authenticate_fn for the OTP routes. */
static int authenticate(void *user, const char *authorization, char *client_id,
                        size_t size, struct hito_error *err)
{
    struct otp_app *app = user;

    return check_caller(app, &app->settings.callers, authorization, client_id,
                        size, err);
}

/* Implements otp_http_authenticate_fn for TOTP enrolment. */
static int authenticate_enrol(void *user, const char *authorization,
                              char *client_id, size_t size,
                              struct hito_error *err)
{
    struct otp_app *app = user;

    return check_caller(app, &app->settings.enrollers, authorization,
                        client_id, size, err);
}

static int serve(struct otp_app *app, struct hito_error *err)
{
    struct httpd_options opts = {
        .service = "otp",
        .listen = app->settings.listen,
        .threads = (int)app->settings.threads,
        .max_body_bytes = (size_t)app->settings.max_body_bytes,
        .ready = ready,
        .ready_user = app,
    };
    struct otp_http_deps deps = { app->service, &app->totp, authenticate,
                                  authenticate_enrol, app };

    otp_http_define_metrics();
    app->srv = httpd_new(&opts, err);
    if (app->srv == NULL)
        return err->code;
    app->http = otp_http_new(app->srv, &deps, err);
    if (app->http == NULL)
        return err->code;
    return httpd_start(app->srv, err);
}

struct otp_app *otp_app_start(const struct otp_settings *settings,
                              struct hito_error *err)
{
    struct otp_app *app = calloc(1, sizeof(*app));
    struct hito_error local = { 0 };

    if (app == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    app->settings = *settings;
    if (open_stores(app, &local) != HITO_OK ||
        build_domain(app, &local) != HITO_OK || serve(app, &local) != HITO_OK) {
        if (err != NULL)
            *err = local;
        otp_app_free(app);
        return NULL;
    }
    return app;
}

int otp_app_port(const struct otp_app *app)
{
    return httpd_port(app->srv);
}

void otp_app_free(struct otp_app *app)
{
    if (app == NULL)
        return;
    httpd_free(app->srv);
    otp_http_free(app->http);
    otp_service_free(app->service);
    service_auth_free(app->auth);
    otp_whatsapp_free(app->whatsapp);
    token_cache_free(app->tokens);
    otp_pg_free(app->pg);
    db_pool_free(app->db);
    otp_redis_free(app->redis);
    otp_settings_clear(&app->settings);
    free(app);
}

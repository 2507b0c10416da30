#include "orch_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "hito/db.h"
#include "hito/httpd.h"
#include "hito/log.h"
#include "hito/redisc.h"
#include "hito/service_auth.h"
#include "hito/token_cache.h"
#include "client/orch_client.h"
#include "http/orch_http.h"
#include "iabot/orch_iabot.h"
#include "orch_service.h"
#include "orch_worker.h"
#include "otp/orch_otp.h"
#include "rabbitmq/orch_inbound.h"
#include "store/orch_store.h"
#include "whatsapp/orch_whatsapp.h"

#define ORCH_DB_POOL_SIZE 4
/* One consumer handles one message at a time, so a customer's messages
 * are handled in the order they were queued. */
#define ORCH_PREFETCH 1

struct orch_app {
    struct orch_settings settings;
    struct db_pool *db;
    struct redisc *redis;
    struct orch_pg_store *store;
    struct token_cache *tokens;
    struct orch_client *iabot;
    struct orch_client *otp;
    struct orch_client *whatsapp;
    struct orch_service *service;
    struct orch_worker worker;
    struct orch_inbound_consumer *consumer;
    struct service_auth *auth;
    struct httpd *srv;
    struct orch_http *http;
};

static long long clock_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int ready(void *user, char *reason, size_t size)
{
    struct orch_app *app = user;
    struct hito_error err = { 0 };

    if (redisc_command(app->redis, NULL, &err, "PING") != HITO_OK) {
        snprintf(reason, size, "Redis: %s", err.message);
        return -1;
    }
    if (!orch_inbound_running(app->consumer)) {
        snprintf(reason, size, "the inbound consumer stopped");
        return -1;
    }
    return 0;
}

static int open_stores(struct orch_app *app, struct hito_error *err)
{
    const struct orch_settings *s = &app->settings;
    struct redisc_options redis;
    int rc;

    app->db = db_pool_new(s->pg_conninfo, ORCH_DB_POOL_SIZE, err);
    if (app->db == NULL)
        return err->code;
    rc = db_migrate(app->db, s->migrations_dir, err);
    if (rc != HITO_OK)
        return rc;
    orch_settings_redis(s, &redis);
    app->redis = redisc_new(&redis, err);
    if (app->redis == NULL)
        return err->code;
    app->store = orch_store_new(app->db, app->redis, err);
    return app->store == NULL ? err->code : HITO_OK;
}

static struct orch_client *client(struct orch_app *app, const char *url,
                                  struct hito_error *err)
{
    struct orch_client_options opts = { url, app->settings.call_timeout_ms,
                                        app->tokens };

    return orch_client_new(&opts, err);
}

static int open_clients(struct orch_app *app, struct hito_error *err)
{
    const struct orch_settings *s = &app->settings;
    struct token_cache_options tokens = {
        .token_url = s->client.token_url,
        .client_id = s->client.client_id,
        .client_secret = s->client.client_secret,
        .scope = s->client.scope,
        .timeout_ms = s->call_timeout_ms,
    };

    if (s->client.client_id[0] != '\0') {
        app->tokens = token_cache_new(&tokens, err);
        if (app->tokens == NULL)
            return err->code;
    } else {
        LOG_WARN("ORCH_CLIENT_ID is not set: calls to other services carry "
                 "no token");
    }
    app->iabot = client(app, s->iabot_url, err);
    if (app->iabot != NULL)
        app->otp = client(app, s->otp_url, err);
    if (app->otp != NULL)
        app->whatsapp = client(app, s->whatsapp_url, err);
    return app->whatsapp == NULL ? err->code : HITO_OK;
}

static int build_service(struct orch_app *app, struct hito_error *err)
{
    struct orch_service_deps deps = {
        .iabot = orch_iabot_http(app->iabot),
        .otp = orch_otp_http(app->otp),
        .whatsapp = orch_whatsapp_http(app->whatsapp),
        .store = orch_store_port(app->store),
        .clock = clock_ms,
        .policy = { app->settings.min_confidence },
    };

    app->service = orch_service_new(&deps, err);
    return app->service == NULL ? err->code : HITO_OK;
}

static int consume(struct orch_app *app, struct hito_error *err)
{
    const struct orch_settings *s = &app->settings;
    struct mq_options mq = {
        .host = s->host,
        .port = (int)s->amqp_port,
        .user = s->amqp_user,
        .password = s->amqp_password,
        .vhost = s->amqp_vhost,
        .name = "orchestrator",
    };
    struct orch_inbound_options opts = { &mq, s->inbound_queue, ORCH_PREFETCH,
                                         orch_worker_handle, &app->worker };

    app->worker =
        (struct orch_worker){ app->service, app->redis, s->max_attempts,
                              s->retry_base_ms, s->retry_max_ms };
    app->consumer = orch_inbound_start(&opts, err);
    return app->consumer == NULL ? err->code : HITO_OK;
}

static int serve(struct orch_app *app, struct hito_error *err)
{
    const struct orch_settings *s = &app->settings;
    struct httpd_options opts = {
        .service = "orchestrator",
        .listen = s->listen,
        .threads = (int)s->threads,
        .ready = ready,
        .ready_user = app,
    };
    struct orch_http_deps deps;

    app->auth = service_auth_new(&s->auth, err);
    if (app->auth == NULL)
        return err->code;
    app->srv = httpd_new(&opts, err);
    if (app->srv == NULL)
        return err->code;
    deps = (struct orch_http_deps){ app->service, app->auth,
                                    &app->settings.operators };
    app->http = orch_http_new(app->srv, &deps, err);
    if (app->http == NULL)
        return err->code;
    return httpd_start(app->srv, err);
}

struct orch_app *orch_app_start(const struct orch_settings *settings,
                                struct hito_error *err)
{
    struct orch_app *app = calloc(1, sizeof(*app));
    struct hito_error local = { 0 };

    if (app == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    app->settings = *settings;
    orch_worker_define_metrics();
    if (open_stores(app, &local) != HITO_OK ||
        open_clients(app, &local) != HITO_OK ||
        build_service(app, &local) != HITO_OK ||
        consume(app, &local) != HITO_OK || serve(app, &local) != HITO_OK) {
        if (err != NULL)
            *err = local;
        orch_app_free(app);
        return NULL;
    }
    return app;
}

int orch_app_port(const struct orch_app *app)
{
    return httpd_port(app->srv);
}

void orch_app_free(struct orch_app *app)
{
    if (app == NULL)
        return;
    httpd_free(app->srv);
    orch_http_free(app->http);
    service_auth_free(app->auth);
    orch_inbound_stop(app->consumer);
    orch_service_free(app->service);
    orch_client_free(app->whatsapp);
    orch_client_free(app->otp);
    orch_client_free(app->iabot);
    token_cache_free(app->tokens);
    orch_store_free(app->store);
    redisc_free(app->redis);
    db_pool_free(app->db);
    orch_settings_clear(&app->settings);
    free(app);
}

#include "wa_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloud/wa_cloud.h"
#include "hito/httpd.h"
#include "hito/log.h"
#include "hito/service_auth.h"
#include "http/wa_http.h"
#include "postgres/wa_pg.h"
#include "rabbitmq/wa_relay.h"

#define DB_POOL_SIZE 8
#define RELAY_POLL_MS 1000
#define RELAY_RETRY_MAX_MS 5000

struct wa_app {
    struct wa_settings settings;
    struct db_pool *db;
    struct wa_pg *pg;
    struct wa_cloud_client *cloud;
    struct wa_relay *relay;
    struct service_auth *auth;
    struct wa_service *service;
    struct httpd *srv;
    struct wa_http *http;
};

static long long clock_now(void)
{
    return (long long)time(NULL);
}

static void clock_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Ready once PostgreSQL replies. RabbitMQ may be down, since the outbox
 * keeps inbound messages until it is back. */
static int ready(void *user, char *reason, size_t size)
{
    struct wa_app *app = user;
    struct hito_error err = { 0 };
    PGconn *conn = NULL;

    if (db_acquire(app->db, 1000, &conn, &err) != HITO_OK ||
        db_exec(conn, "SELECT 1", 0, NULL, NULL, &err) != HITO_OK) {
        if (conn != NULL)
            db_release(app->db, conn);
        snprintf(reason, size, "%s", err.message);
        return -1;
    }
    db_release(app->db, conn);
    return 0;
}

static void on_stored(void *user)
{
    wa_relay_notify(user);
}

static int open_adapters(struct wa_app *app, struct hito_error *err)
{
    const struct wa_settings *s = &app->settings;
    struct wa_cloud_options cloud = { s->cloud_url, s->cloud_version,
                                      s->phone_number_id, s->access_token,
                                      s->cloud_timeout_ms };
    struct wa_relay_options relay = { 0 };

    app->db = db_pool_new(s->pg_conninfo, DB_POOL_SIZE, err);
    if (app->db == NULL || db_migrate(app->db, s->migrations_dir, err) != 0)
        return HITO_ERR_UNAVAILABLE;
    app->pg = wa_pg_new(app->db, err);
    app->cloud = app->pg ? wa_cloud_new(&cloud, err) : NULL;
    app->auth = app->cloud ? service_auth_new(&s->auth, err) : NULL;
    if (app->auth == NULL)
        return HITO_ERR_INVALID;
    if (s->auth.audience[0] == '\0')
        LOG_WARN("WHATSAPP_AUTH_AUDIENCE is not set: every send and query is "
                 "rejected with 401");
    relay.mq = s->mq;
    relay.poll_ms = RELAY_POLL_MS;
    relay.retry_max_ms = RELAY_RETRY_MAX_MS;
    relay.publish_timeout_ms = MQ_DEFAULT_PUBLISH_TIMEOUT_MS;
    app->relay = wa_relay_start(&relay, wa_pg_outbox(app->pg), err);
    return app->relay ? HITO_OK : HITO_ERR_IO;
}

static int serve(struct wa_app *app, struct hito_error *err)
{
    struct wa_service_deps deps = { wa_pg_store(app->pg),
                                    wa_cloud_port(app->cloud),
                                    { clock_now, clock_sleep_ms } };
    struct httpd_options opts = {
        .service = "whatsapp",
        .listen = app->settings.listen,
        .threads = (int)app->settings.threads,
        .max_body_bytes = (size_t)app->settings.max_body_bytes,
        .ready = ready,
        .ready_user = app,
    };
    struct wa_http_deps http = { NULL,      wa_pg_store(app->pg),
                                 app->auth, &app->settings.roles,
                                 on_stored, app->relay };

    wa_service_define_metrics();
    app->service = wa_service_new(&app->settings.service, &deps, err);
    if (app->service == NULL)
        return HITO_ERR_INVALID;
    http.service = app->service;
    app->srv = httpd_new(&opts, err);
    if (app->srv == NULL)
        return HITO_ERR_INVALID;
    app->http = wa_http_new(app->srv, &http, err);
    if (app->http == NULL)
        return HITO_ERR_NOMEM;
    return httpd_start(app->srv, err);
}

struct wa_app *wa_app_start(const struct wa_settings *settings,
                            struct hito_error *err)
{
    struct wa_app *app = calloc(1, sizeof(*app));
    struct hito_error local = { 0 };

    if (app == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    app->settings = *settings;
    if (open_adapters(app, &local) != HITO_OK ||
        serve(app, &local) != HITO_OK) {
        if (err != NULL)
            *err = local;
        wa_app_free(app);
        return NULL;
    }
    return app;
}

int wa_app_port(const struct wa_app *app)
{
    return httpd_port(app->srv);
}

void wa_app_free(struct wa_app *app)
{
    if (app == NULL)
        return;
    httpd_free(app->srv);
    wa_http_free(app->http);
    wa_service_free(app->service);
    wa_relay_free(app->relay);
    service_auth_free(app->auth);
    wa_cloud_free(app->cloud);
    wa_pg_free(app->pg);
    db_pool_free(app->db);
    wa_settings_clear(&app->settings);
    free(app);
}

#include "iabot_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/db.h"
#include "hito/httpd.h"
#include "hito/log.h"
#include "http/iabot_http.h"
#include "iabot_service.h"
#include "llm/iabot_llm.h"
#include "postgres/iabot_pg.h"

#define IABOT_DB_POOL_SIZE 4
#define IABOT_MAX_BODY_BYTES (64 * 1024)

struct iabot_app {
    struct iabot_settings settings;
    struct db_pool *db;
    struct stemmer *stemmer;
    struct catalogue *catalogue;
    struct dataset *seed;
    struct dataset *heldout;
    struct iabot_llm_client *llm_client;
    struct iabot_llm llm;
    struct service_auth *auth;
    struct iabot_service *service;
    struct iabot_http_options http;
    struct httpd *srv;
};

/* Reads dir/name into a malloc'd NUL-terminated buffer. */
static char *read_data_file(const char *dir, const char *name,
                            struct hito_error *err)
{
    char path[IABOT_SETTINGS_TEXT + 64];
    char *buf = NULL;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        hito_error_set(err, HITO_ERR_IO, "cannot open %s", path);
        return NULL;
    }
    buf = malloc(IABOT_MAX_DATA_FILE_BYTES + 1);
    if (buf == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory reading %s", path);
    } else {
        n = fread(buf, 1, IABOT_MAX_DATA_FILE_BYTES + 1, f);
        if (n > IABOT_MAX_DATA_FILE_BYTES) {
            hito_error_set(err, HITO_ERR_LIMIT, "%s is over %d bytes", path,
                           IABOT_MAX_DATA_FILE_BYTES);
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

static int load_dataset(const char *dir, const char *name, struct dataset **out,
                        struct hito_error *err)
{
    char *text = read_data_file(dir, name, err);
    int rc;

    if (text == NULL)
        return err->code;
    *out = dataset_new();
    rc = *out != NULL ? dataset_parse(*out, text, err)
                      : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    free(text);
    return rc;
}

static int load_data(struct iabot_app *app, struct hito_error *err)
{
    const char *dir = app->settings.data_dir;
    char *text;
    int rc;

    app->stemmer = stemmer_new();
    app->catalogue = catalogue_new();
    if (app->stemmer == NULL || app->catalogue == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    text = read_data_file(dir, "catalogue.tsv", err);
    if (text == NULL)
        return err->code;
    rc = catalogue_parse(app->catalogue, app->stemmer, text, err);
    free(text);
    if (rc == HITO_OK)
        rc = load_dataset(dir, "train.tsv", &app->seed, err);
    if (rc == HITO_OK)
        rc = load_dataset(dir, "test.tsv", &app->heldout, err);
    return rc;
}

static int open_ports(struct iabot_app *app, struct hito_error *err)
{
    struct iabot_llm_options llm = {
        app->settings.llm_base_url, app->settings.llm_api_key,
        app->settings.llm_model, app->settings.llm_timeout_ms};

    app->db = db_pool_new(app->settings.pg_conninfo, IABOT_DB_POOL_SIZE, err);
    if (app->db == NULL ||
        db_migrate(app->db, app->settings.migrations_dir, err) != HITO_OK)
        return err->code;
    if (app->settings.llm_base_url[0] != '\0') {
        app->llm_client = iabot_llm_new(&llm, err);
        if (app->llm_client == NULL)
            return err->code;
        iabot_llm_port(app->llm_client, &app->llm);
    }
    if (app->settings.auth_enabled) {
        app->auth = service_auth_new(&app->settings.auth, err);
        if (app->auth == NULL)
            return err->code;
    } else {
        LOG_WARN("IABOT_AUTH=off: requests are not authenticated");
    }
    return HITO_OK;
}

static int start_service(struct iabot_app *app, struct hito_error *err)
{
    struct iabot_service_options opts = {0};

    iabot_pg_store(app->db, &opts.store);
    opts.llm = app->llm_client != NULL ? &app->llm : NULL;
    opts.catalogue = app->catalogue;
    opts.seed = app->seed;
    opts.heldout = app->heldout;
    model_params_default(&opts.params);
    opts.params.seed = (uint64_t)app->settings.training_seed;
    opts.params.threshold = app->settings.threshold_percent / 100.0;
    app->service = iabot_service_new(&opts, err);
    return app->service != NULL ? HITO_OK : err->code;
}

/* Implements iabot_http_authorise_fn with the service's tokens. */
static int authorise(void *user, const char *authorization,
                     const struct service_roles *roles, struct hito_error *err)
{
    return service_auth_check(user, authorization, roles, NULL, err);
}

static int start_http(struct iabot_app *app, struct hito_error *err)
{
    struct httpd_options opts = {0};

    opts.service = "iabot";
    opts.listen = app->settings.listen;
    opts.threads = (int)app->settings.threads;
    opts.max_body_bytes = IABOT_MAX_BODY_BYTES;
    app->srv = httpd_new(&opts, err);
    if (app->srv == NULL)
        return err->code;
    app->http.service = app->service;
    app->http.authorise = app->auth != NULL ? authorise : NULL;
    app->http.authorise_user = app->auth;
    if (iabot_http_routes(app->srv, &app->http, err) != HITO_OK)
        return err->code;
    return httpd_start(app->srv, err);
}

struct iabot_app *iabot_app_start(const struct iabot_settings *settings,
                                  struct hito_error *err)
{
    struct iabot_app *app = calloc(1, sizeof(*app));

    if (app == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    app->settings = *settings;
    if (load_data(app, err) != HITO_OK || open_ports(app, err) != HITO_OK ||
        start_service(app, err) != HITO_OK || start_http(app, err) != HITO_OK) {
        iabot_app_free(app);
        return NULL;
    }
    return app;
}

int iabot_app_port(const struct iabot_app *app)
{
    return httpd_port(app->srv);
}

void iabot_app_free(struct iabot_app *app)
{
    if (app == NULL)
        return;
    httpd_free(app->srv);
    iabot_service_free(app->service);
    service_auth_free(app->auth);
    iabot_llm_free(app->llm_client);
    db_pool_free(app->db);
    dataset_free(app->seed);
    dataset_free(app->heldout);
    catalogue_free(app->catalogue);
    stemmer_free(app->stemmer);
    iabot_settings_clear(&app->settings);
    free(app);
}

/*
 * main.c - hito-zitadel-emulator: an emulator of ZITADEL v2.40's HTTP API
 * for the local stack and the tests.
 *
 * Settings come from stack/settings/$HITO_ENV.env (the environment
 * overrides them); flags override the listen address and the file paths.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hito/config.h"
#include "hito/log.h"
#include "server.h"

#define SERVICE "zitadel-emulator"
#define PATH_SIZE 1024
#define HTTP_THREADS 32
/* Maximum token lifetime a setting may request: 30 days (seconds). */
#define MAX_LIFETIME_S (30L * 24 * 3600)

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hito-zitadel-emulator [--settings FILE] [--listen HOST:PORT]\n"
            "                             [--state FILE] [--pat-path FILE] [--log-level LEVEL]\n"
            "  --settings   settings file (default stack/settings/$HITO_ENV.env)\n"
            "  --listen     listen address (default 127.0.0.1:$ZITADEL_PORT; port 0 picks one)\n"
            "  --state      state file (default run/$HITO_ENV/zitadel/state.json)\n"
            "  --pat-path   where the first instance's admin PAT is written\n"
            "               (default run/$HITO_ENV/zitadel/admin.pat)\n"
            "  --log-level  debug, info, warn or error (default info)\n");
}

struct options {
    const char *settings;
    const char *listen;
    const char *state;
    const char *pat_path;
    const char *log_level;
};

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"settings", required_argument, NULL, 's'}, {"listen", required_argument, NULL, 'l'},
        {"state", required_argument, NULL, 'f'},    {"pat-path", required_argument, NULL, 'p'},
        {"log-level", required_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': o->settings = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'f': o->state = optarg; break;
        case 'p': o->pat_path = optarg; break;
        case 'v': o->log_level = optarg; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    return 0;
}

/* Reads the emulator's settings; lifetimes are in seconds. */
static int load_settings(const struct config *cfg, struct zsrv_settings *s,
                         struct hito_error *err)
{
    const char *ignore;

    s->domain = config_get_default(cfg, "ZITADEL_EXTERNAL_DOMAIN", "localhost");
    s->org_name = config_get_default(cfg, "ZITADEL_ORG_NAME", "ZITADEL");
    s->admin_username = config_get_default(cfg, "ZITADEL_ADMIN_USERNAME", "zitadel-admin-sa");
    if (config_get_int(cfg, "ZITADEL_ACCESS_TOKEN_LIFETIME_S", 12 * 3600, 1, MAX_LIFETIME_S,
                       &s->access_token_lifetime_s, err) != HITO_OK ||
        config_get_int(cfg, "ZITADEL_ID_TOKEN_LIFETIME_S", 12 * 3600, 1, MAX_LIFETIME_S,
                       &s->id_token_lifetime_s, err) != HITO_OK ||
        config_get_int(cfg, "ZITADEL_REFRESH_TOKEN_IDLE_S", 720 * 3600, 1, MAX_LIFETIME_S,
                       &s->refresh_idle_s, err) != HITO_OK ||
        config_get_int(cfg, "ZITADEL_AUTH_CODE_LIFETIME_S", 600, 1, 3600, &s->code_lifetime_s,
                       err) != HITO_OK)
        return HITO_ERR_INVALID;
    ignore = config_get_default(cfg, "ZITADEL_EMULATOR_SESSION_IGNORES_LOCKOUT", "false");
    if (strcmp(ignore, "true") != 0 && strcmp(ignore, "false") != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "ZITADEL_EMULATOR_SESSION_IGNORES_LOCKOUT=%s: expected true or false",
                              ignore);
    s->session_ignores_lockout = strcmp(ignore, "true") == 0;
    return HITO_OK;
}

/* Creates the folder of a file (mode 0700) when it is missing. */
static void make_parent(const char *path)
{
    char buf[PATH_SIZE];

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0700);
            *p = '/';
        }
    }
}

static int register_routes(struct zsrv *srv)
{
    if (zsrv_routes_oidc(srv) != HITO_OK || zsrv_routes_mgmt(srv) != HITO_OK ||
        zsrv_routes_users(srv) != HITO_OK || zsrv_routes_policies(srv) != HITO_OK ||
        zsrv_routes_login(srv) != HITO_OK)
        return HITO_ERR_LIMIT;
    return HITO_OK;
}

static int run(const struct options *o, const struct config *cfg)
{
    struct zsrv srv = {0};
    struct hito_error err = {0};
    const char *env = config_get_default(cfg, "HITO_ENV", "dev");
    char state[PATH_SIZE];
    char pat[PATH_SIZE];
    char listen[PATH_SIZE];
    struct httpd_options hopts = {.service = "zitadel", .threads = HTTP_THREADS,
                                  .max_body_bytes = ZSRV_MAX_BODY};
    int rc;

    snprintf(state, sizeof(state), "%s", o->state ? o->state : "");
    if (o->state == NULL)
        snprintf(state, sizeof(state), "run/%s/zitadel/state.json", env);
    snprintf(pat, sizeof(pat), "%s", o->pat_path ? o->pat_path : "");
    if (o->pat_path == NULL)
        snprintf(pat, sizeof(pat), "run/%s/zitadel/admin.pat", env);
    snprintf(listen, sizeof(listen), "%s", o->listen ? o->listen : "");
    if (o->listen == NULL)
        snprintf(listen, sizeof(listen), "127.0.0.1:%s",
                 config_get_default(cfg, "ZITADEL_PORT", "8080"));
    rc = load_settings(cfg, &srv.settings, &err);
    srv.settings.pat_path = pat;
    make_parent(state);
    if (rc == HITO_OK)
        rc = store_open(state, &srv.store, &err);
    srv.keys = jose_keyring_new();
    hopts.listen = listen;
    if (rc == HITO_OK)
        srv.http = httpd_new(&hopts, &err);
    if (rc == HITO_OK && (srv.keys == NULL || srv.http == NULL))
        rc = err.code != 0 ? err.code : HITO_ERR_NOMEM;
    if (rc == HITO_OK)
        rc = zsrv_instance_init(&srv, &err);
    if (rc == HITO_OK && (rc = register_routes(&srv)) != HITO_OK)
        hito_error_set(&err, rc, "too many routes");
    if (rc == HITO_OK)
        rc = httpd_start(srv.http, &err);
    if (rc != HITO_OK) {
        LOG_ERROR("start failed", "error", err.message);
        goto out;
    }
    {
        char port[16];

        snprintf(port, sizeof(port), "%d", httpd_port(srv.http));
        LOG_INFO("listening", "listen", listen, "port", port, "state", state, "domain",
                 srv.settings.domain);
        /* Tests that start the emulator on port 0 read this line from stdout. */
        printf("port=%s\n", port);
        fflush(stdout);
    }
    while (!stop_requested)
        pause();
    LOG_INFO("stopping");
out:
    httpd_free(srv.http);
    jose_keyring_free(srv.keys);
    store_free(srv.store);
    return rc == HITO_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    struct config *cfg = config_new();
    struct hito_error err = {0};
    char settings[PATH_SIZE];
    struct sigaction sa = {0};
    int level;
    int rc;

    if (cfg == NULL || parse_args(argc, argv, &o) < 0)
        return 2;
    level = log_level_parse(o.log_level ? o.log_level : "info");
    log_init(SERVICE, level < 0 ? LOG_LEVEL_INFO : (enum log_level)level, NULL);
    snprintf(settings, sizeof(settings), "stack/settings/%s.env",
             getenv("HITO_ENV") ? getenv("HITO_ENV") : "dev");
    if (o.settings != NULL)
        snprintf(settings, sizeof(settings), "%s", o.settings);
    if (config_load_file(cfg, settings, &err) != HITO_OK) {
        LOG_ERROR("settings not loaded", "file", settings, "error", err.message);
        config_free(cfg);
        return 2;
    }
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = run(&o, cfg);
    config_free(cfg);
    return rc;
}

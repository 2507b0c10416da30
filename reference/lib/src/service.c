#include "hito/service.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hito/db.h"
#include "hito/log.h"

#define SERVICE_PATH_MAX 256
/* Maximum delay between a stop signal and service_wait_for_stop's return. */
#define SERVICE_STOP_CHECK_MS 500
/* "PG_PASSWORD_" and an upper-case service name. */
#define SERVICE_KEY_MAX (16 + SERVICE_NAME_MAX)

static volatile sig_atomic_t stop_signal;

static const char *host_of(const struct config *cfg)
{
    return config_get_default(cfg, "HITO_HOST", "127.0.0.1");
}

int service_load_profile(struct config *cfg, struct hito_error *err)
{
    const char *env = getenv("HITO_ENV");
    char path[SERVICE_PATH_MAX];
    int rc;

    rc = config_load_profile(cfg, NULL, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(path, sizeof(path), "run/%.64s/zitadel.env",
             env != NULL && env[0] != '\0' ? env : "dev");
    if (access(path, R_OK) != 0)
        return HITO_OK;
    return config_load_file(cfg, path, err);
}

void service_log_init(const char *service, const struct config *cfg)
{
    int level = log_level_parse(config_get_default(cfg, "LOG_LEVEL", "info"));

    log_init(service, level < 0 ? LOG_LEVEL_INFO : (enum log_level)level,
             NULL);
}

int service_listen_address(const struct config *cfg, const char *port_key,
                           char *out, size_t size, struct hito_error *err)
{
    long port = 0;
    int rc;

    rc = config_get_int(cfg, port_key, 0, 0, 65535, &port, err);
    if (rc != HITO_OK)
        return rc;
    if (snprintf(out, size, "%s:%ld", host_of(cfg), port) >= (int)size)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "HITO_HOST is too long for a listen address");
    return HITO_OK;
}

int service_setting_copy(const struct config *cfg, const char *key,
                         const char *fallback, char *out, size_t size,
                         struct hito_error *err)
{
    const char *value = config_get_default(cfg, key, fallback);

    if (value == NULL)
        return hito_error_set(err, HITO_ERR_INVALID, "%s is missing", key);
    if (strlen(value) >= size)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s is longer than %zu bytes", key, size - 1);
    memcpy(out, value, strlen(value) + 1);
    return HITO_OK;
}

int service_peer_url(const struct config *cfg, const char *url_key,
                     const char *port_key, char *out, size_t size,
                     struct hito_error *err)
{
    const char *url = config_get(cfg, url_key);
    const char *port = config_get(cfg, port_key);

    if (url != NULL && url[0] != '\0')
        return service_setting_copy(cfg, url_key, "", out, size, err);
    if (port == NULL || port[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID,
                              "%s and %s are both missing", url_key,
                              port_key);
    if (snprintf(out, size, "http://%s:%s", host_of(cfg), port) >= (int)size)
        return hito_error_set(err, HITO_ERR_INVALID, "%s is too long",
                              port_key);
    return HITO_OK;
}

int service_migrations_dir(const struct config *cfg, const char *name,
                           char *out, size_t size, struct hito_error *err)
{
    if (snprintf(out, size, "%s/reference/services/%s/migrations",
                 config_get_default(cfg, "HITO_ROOT", "."), name) >= (int)size)
        return hito_error_set(err, HITO_ERR_INVALID, "HITO_ROOT is too long");
    return HITO_OK;
}

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

int service_wait_for_stop(void)
{
    struct sigaction action;

    memset(&action, 0, sizeof(action));
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /*
     * The kernel may run the handler on another thread, which does not
     * interrupt this sleep, so the flag is checked at least every
     * SERVICE_STOP_CHECK_MS.
     */
    while (stop_signal == 0) {
        struct timespec pause_time = { 0, SERVICE_STOP_CHECK_MS * 1000000L };

        nanosleep(&pause_time, NULL);
    }
    return (int)stop_signal;
}

int service_pg_conninfo(const struct config *cfg, const char *name, char *out,
                        size_t size, struct hito_error *err)
{
    char key[SERVICE_KEY_MAX];
    const char *password = NULL;
    long port = 0;
    size_t n;
    int rc;

    if (strlen(name) >= SERVICE_NAME_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "service name %s is longer than %d bytes", name,
                              SERVICE_NAME_MAX - 1);
    n = (size_t)snprintf(key, sizeof(key), "PG_PASSWORD_%s", name);
    for (size_t i = 0; i < n; i++)
        key[i] = (char)toupper((unsigned char)key[i]);

    rc = config_get_int(cfg, "PG_PORT", 5432, 1, 65535, &port, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, key, &password, err);
    if (rc != HITO_OK)
        return rc;
    if (db_conninfo(out, size, host_of(cfg), (int)port, name, name,
                    password) != HITO_OK)
        return hito_error_set(err, HITO_ERR_INVALID, "%s is too long", key);
    return HITO_OK;
}

int service_redis_options(const struct config *cfg, struct redisc_options *out,
                          struct hito_error *err)
{
    long port = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = config_get_int(cfg, "REDIS_PORT", 6379, 1, 65535, &port, err);
    if (rc != HITO_OK)
        return rc;
    out->host = host_of(cfg);
    out->port = (int)port;
    out->password = config_get_default(cfg, "REDIS_PASSWORD", "");
    return HITO_OK;
}

int service_mq_options(const struct config *cfg, const char *name,
                       struct mq_options *out, struct hito_error *err)
{
    long port = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = config_get_int(cfg, "AMQP_PORT", 5672, 1, 65535, &port, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "AMQP_USER", &out->user, err);
    if (rc == HITO_OK)
        rc = config_require(cfg, "AMQP_PASSWORD", &out->password, err);
    if (rc != HITO_OK)
        return rc;
    out->host = host_of(cfg);
    out->port = (int)port;
    out->vhost = config_get_default(cfg, "AMQP_VHOST", "/");
    out->name = name;
    return HITO_OK;
}

/*
 * echo-backend: the echo backend server (see echo.h). Settings come from
 * stack/settings/$HITO_ENV.env and the environment:
 *   ECHO_BACKEND_PORT       port on 127.0.0.1 (required)
 *   ECHO_MAX_BODY_BYTES     request-body limit in bytes (default 65536)
 *   ECHO_THREADS            worker threads, the maximum of concurrent
 *                           connections (default 64)
 *   LOG_LEVEL               debug, info, warn or error (default info)
 * It runs until SIGINT or SIGTERM.
 */
#include <stdio.h>

#include "echo.h"
#include "hito/config.h"
#include "hito/log.h"
#include "hito/service.h"

#define ECHO_MAX_THREADS 1024

static int read_settings(struct config *cfg, char *listen, size_t size, long *max_body,
                         long *threads, struct hito_error *err)
{
    long port;
    int rc;

    rc = config_load_profile(cfg, NULL, err);
    if (rc != HITO_OK && rc != HITO_ERR_NOT_FOUND)
        return rc;
    if (config_get(cfg, "ECHO_BACKEND_PORT") == NULL)
        return hito_error_set(err, HITO_ERR_INVALID, "ECHO_BACKEND_PORT is not set");
    rc = config_get_int(cfg, "ECHO_BACKEND_PORT", 0, 1, 65535, &port, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ECHO_MAX_BODY_BYTES", ECHO_DEFAULT_MAX_BODY, 1,
                            64L * 1024 * 1024, max_body, err);
    if (rc == HITO_OK)
        rc = config_get_int(cfg, "ECHO_THREADS", HTTPD_DEFAULT_THREADS, 1, ECHO_MAX_THREADS,
                            threads, err);
    if (rc == HITO_OK)
        snprintf(listen, size, "127.0.0.1:%ld", port);
    return rc;
}

int main(void)
{
    struct config *cfg = config_new();
    struct hito_error err = {0};
    struct httpd_options opts = {.service = "echo-backend"};
    struct httpd *srv = NULL;
    char listen[32];
    long max_body = 0;
    long threads = 0;
    int status = 1;

    if (cfg == NULL)
        return 1;
    service_log_init("echo-backend", cfg);
    if (read_settings(cfg, listen, sizeof(listen), &max_body, &threads, &err) != HITO_OK) {
        LOG_ERROR("invalid settings", "error", err.message);
        goto out;
    }
    opts.listen = listen;
    opts.threads = (int)threads;
    opts.max_body_bytes = (size_t)max_body;
    srv = httpd_new(&opts, &err);
    if (srv == NULL) {
        LOG_ERROR("server creation failed", "error", err.message);
        goto out;
    }
    httpd_set_not_found(srv, echo_handle, NULL);
    if (httpd_start(srv, &err) != HITO_OK) {
        LOG_ERROR("server start failed", "listen", listen, "error", err.message);
        goto out;
    }
    LOG_INFO("echo backend started", "listen", listen);
    service_wait_for_stop();
    LOG_INFO("echo backend stopping");
    status = 0;

out:
    httpd_free(srv);
    config_free(cfg);
    return status;
}

/*
 * service.h - what every service program does around its own logic: load
 * the settings of $HITO_ENV, start logging, build the PostgreSQL, Redis and
 * RabbitMQ client options from the settings, and run until SIGINT or
 * SIGTERM.
 *
 * The settings are read relative to the working directory, so a service
 * runs from the repository root.
 */
#ifndef HITO_SERVICE_H
#define HITO_SERVICE_H

#include <stddef.h>

#include "hito/config.h"
#include "hito/err.h"
#include "hito/mq.h"
#include "hito/redisc.h"

/* Size of a "host:port" listen address. */
#define SERVICE_LISTEN_MAX 64
/* Bytes of a service name, which names its database, role and secrets. */
#define SERVICE_NAME_MAX 32

/*
 * Loads the profile of $HITO_ENV (config_load_profile) and, when it exists,
 * run/$HITO_ENV/zitadel.env, which ZITADEL provisioning writes (project id,
 * client credentials). Errors as config_load_profile and config_load_file.
 */
int service_load_profile(struct config *cfg, struct hito_error *err);

/*
 * Starts logging as service at the level of LOG_LEVEL (debug, info, warn or
 * error; info when unset or not one of those).
 */
void service_log_init(const char *service, const struct config *cfg);

/*
 * Writes "HITO_HOST:<port_key>" into out (SERVICE_LISTEN_MAX bytes are
 * enough). HITO_HOST defaults to 127.0.0.1; a missing port is 0, which
 * httpd replaces with an ephemeral port. Returns HITO_ERR_INVALID naming
 * the key when the port is not in 0..65535 or the address does not fit.
 */
int service_listen_address(const struct config *cfg, const char *port_key,
                           char *out, size_t size, struct hito_error *err);

/*
 * Copies the value of setting key, or fallback when the key is unset or
 * empty, into out (size bytes). A NULL fallback makes the key required.
 * Returns HITO_ERR_INVALID naming the key when it is missing or its value
 * does not fit; the message never contains the value.
 */
int service_setting_copy(const struct config *cfg, const char *key,
                         const char *fallback, char *out, size_t size,
                         struct hito_error *err);

/*
 * Writes the base URL of another service into out: the value of url_key,
 * else http://HITO_HOST:<port_key>. Returns HITO_ERR_INVALID when both keys
 * are missing or the URL does not fit in size bytes.
 */
int service_peer_url(const struct config *cfg, const char *url_key,
                     const char *port_key, char *out, size_t size,
                     struct hito_error *err);

/*
 * Writes HITO_ROOT/reference/services/<name>/migrations into out (HITO_ROOT
 * defaults to "."). Returns HITO_ERR_INVALID when it does not fit.
 */
int service_migrations_dir(const struct config *cfg, const char *name,
                           char *out, size_t size, struct hito_error *err);

/*
 * Installs handlers for SIGINT and SIGTERM and blocks until one arrives.
 * Returns the signal's number. Call it from the main thread once the
 * service runs.
 */
int service_wait_for_stop(void);

/*
 * Writes the libpq connection string of service name into out: database
 * and role name, password PG_PASSWORD_<NAME> (upper case), host HITO_HOST,
 * port PG_PORT (5432). Returns HITO_ERR_INVALID naming the key that is
 * missing, out of range or too long. err never contains the password.
 */
int service_pg_conninfo(const struct config *cfg, const char *name, char *out,
                        size_t size, struct hito_error *err);

/*
 * Fills out for the stack's Redis: host HITO_HOST, port REDIS_PORT (6379),
 * password REDIS_PASSWORD (may be empty). The strings belong to cfg, so
 * cfg must outlive out. Returns HITO_ERR_INVALID for a bad port.
 */
int service_redis_options(const struct config *cfg, struct redisc_options *out,
                          struct hito_error *err);

/*
 * Fills out for the stack's RabbitMQ: host HITO_HOST, port AMQP_PORT
 * (5672), AMQP_USER and AMQP_PASSWORD (both required), AMQP_VHOST ("/"),
 * and name as the connection name. The strings belong to cfg and name,
 * which must outlive out. Returns HITO_ERR_INVALID naming the key that is
 * missing or out of range.
 */
int service_mq_options(const struct config *cfg, const char *name,
                       struct mq_options *out, struct hito_error *err);

#endif

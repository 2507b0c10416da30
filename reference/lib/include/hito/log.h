/*
 * log.h - one structured log format for every hito program.
 *
 * Each event is one JSON line on stderr (or a file) with the fields
 * time (RFC 3339, UTC, milliseconds), level, service, request_id (when the
 * calling thread has one), msg, and the key/value pairs the caller adds.
 * The level is checked before anything is formatted. Values of keys that
 * look like secrets (password, secret, token, authorization, ...) are
 * replaced with "[REDACTED]" by log_event itself.
 */
#ifndef HITO_LOG_H
#define HITO_LOG_H

#include <stdio.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* Sets the service name, the minimum level and the stream (NULL: stderr). */
void log_init(const char *service, enum log_level min_level, FILE *stream);

/* Parses "debug", "info", "warn" or "error"; returns -1 for anything else. */
int log_level_parse(const char *name);

/* Returns nonzero when events at level would be written. */
int log_enabled(enum log_level level);

/*
 * Binds a request id to the calling thread (NULL clears it); every event the
 * thread logs carries it until cleared. The string is copied.
 */
void log_set_request_id(const char *request_id);
const char *log_request_id(void);

/*
 * Returns nonzero when key looks like it names a secret: it contains one of
 * password, passwd, secret, token, authorization, api_key, apikey, cookie,
 * credential or private_key, in any case. log_event redacts such values.
 */
int log_key_is_secret(const char *key);

/*
 * Writes one event. The variable part is pairs of const char * key and value
 * strings ended by NULL, for example
 *   log_event(LOG_LEVEL_INFO, "server started", "port", "8080", NULL);
 */
void log_event(enum log_level level, const char *msg, ...);

#define LOG_DEBUG(...) \
    do { if (log_enabled(LOG_LEVEL_DEBUG)) log_event(LOG_LEVEL_DEBUG, __VA_ARGS__, NULL); } while (0)
#define LOG_INFO(...) \
    do { if (log_enabled(LOG_LEVEL_INFO)) log_event(LOG_LEVEL_INFO, __VA_ARGS__, NULL); } while (0)
#define LOG_WARN(...) \
    do { if (log_enabled(LOG_LEVEL_WARN)) log_event(LOG_LEVEL_WARN, __VA_ARGS__, NULL); } while (0)
#define LOG_ERROR(...) \
    do { if (log_enabled(LOG_LEVEL_ERROR)) log_event(LOG_LEVEL_ERROR, __VA_ARGS__, NULL); } while (0)

#endif

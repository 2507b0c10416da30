/* log.c - JSON-lines events with a per-thread request id and redaction. */
#include "hito/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_SERVICE_MAX 64
#define LOG_REQUEST_ID_MAX 128
#define LOG_TIME_MAX 64

static char log_service[LOG_SERVICE_MAX] = "hito";
/* Atomic because every event reads it, without the lock, from any thread. */
static atomic_int log_min_level = LOG_LEVEL_INFO;
static FILE *log_stream;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local char log_thread_request_id[LOG_REQUEST_ID_MAX + 1];

/* Substrings that mark a key as secret, matched case-insensitively. */
static const char *const secret_markers[] = {
    "password", "passwd", "secret", "token", "authorization", "api_key",
    "apikey", "cookie", "credential", "private_key",
};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *service, enum log_level min_level, FILE *stream)
{
    pthread_mutex_lock(&log_lock);
    snprintf(log_service, sizeof(log_service), "%s", service ? service : "hito");
    atomic_store(&log_min_level, (int)min_level);
    log_stream = stream;
    pthread_mutex_unlock(&log_lock);
}

int log_level_parse(const char *name)
{
    size_t i;

    if (name == NULL)
        return -1;
    for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(name, level_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

int log_enabled(enum log_level level)
{
    return (int)level >= atomic_load_explicit(&log_min_level, memory_order_relaxed);
}

void log_set_request_id(const char *request_id)
{
    if (request_id == NULL) {
        log_thread_request_id[0] = '\0';
        return;
    }
    snprintf(log_thread_request_id, sizeof(log_thread_request_id), "%s", request_id);
}

const char *log_request_id(void)
{
    return log_thread_request_id[0] ? log_thread_request_id : NULL;
}

int log_key_is_secret(const char *key)
{
    size_t i;
    size_t k;
    size_t key_len;

    if (key == NULL)
        return 0;
    key_len = strlen(key);
    for (i = 0; i < sizeof(secret_markers) / sizeof(secret_markers[0]); i++) {
        size_t marker_len = strlen(secret_markers[i]);

        for (k = 0; k + marker_len <= key_len; k++) {
            if (strncasecmp(key + k, secret_markers[i], marker_len) == 0)
                return 1;
        }
    }
    return 0;
}

static void format_time(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    char seconds[LOG_TIME_MAX / 2];
    int millis;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(seconds, sizeof(seconds), "%Y-%m-%dT%H:%M:%S", &tm);
    millis = (int)(ts.tv_nsec / 1000000L) % 1000;
    snprintf(buf, size, "%s.%03dZ", seconds, millis);
}

/* Returns a JSON string for value; invalid UTF-8 becomes a marker. */
static json_t *string_value(const char *value)
{
    json_t *string = json_string(value);

    return string ? string : json_string("[invalid UTF-8]");
}

/* Adds the key/value pairs of ap to event, redacting secret-looking keys. */
static void add_fields(json_t *event, va_list ap)
{
    const char *key;

    while ((key = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);

        if (log_key_is_secret(key))
            value = "[REDACTED]";
        json_object_set_new(event, key, value ? string_value(value) : json_null());
    }
}

void log_event(enum log_level level, const char *msg, ...)
{
    char now[LOG_TIME_MAX];
    json_t *event;
    char *line;
    va_list ap;
    const char *request_id = log_request_id();
    int index = (int)level;

    if (!log_enabled(level))
        return;
    if (index < 0 || index > LOG_LEVEL_ERROR)
        index = LOG_LEVEL_ERROR;
    format_time(now, sizeof(now));
    event = json_object();
    if (event == NULL)
        return;
    json_object_set_new(event, "time", json_string(now));
    json_object_set_new(event, "level", json_string(level_names[index]));
    pthread_mutex_lock(&log_lock);
    json_object_set_new(event, "service", json_string(log_service));
    pthread_mutex_unlock(&log_lock);
    if (request_id != NULL)
        json_object_set_new(event, "request_id", string_value(request_id));
    json_object_set_new(event, "msg", string_value(msg ? msg : ""));
    va_start(ap, msg);
    add_fields(event, ap);
    va_end(ap);

    line = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(event);
    if (line == NULL)
        return;
    pthread_mutex_lock(&log_lock);
    fprintf(log_stream ? log_stream : stderr, "%s\n", line);
    fflush(log_stream ? log_stream : stderr);
    pthread_mutex_unlock(&log_lock);
    free(line);
}

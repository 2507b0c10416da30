/* store.c - the emulator's state document and its atomic persistence. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zjson.h"

/* First id handed out: ZITADEL's snowflake ids have 18 digits. */
#define STORE_FIRST_ID 240000000000000001LL

struct store {
    pthread_mutex_t lock;
    json_t *doc;
    char *path;
};

double store_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int store_open(const char *path, struct store **out, struct hito_error *err)
{
    struct store *st = calloc(1, sizeof(*st));
    json_error_t jerr;

    *out = NULL;
    if (st == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&st->lock, NULL);
    st->path = strdup(path);
    if (access(path, F_OK) == 0) {
        st->doc = json_load_file(path, 0, &jerr);
        if (!json_is_object(st->doc)) {
            hito_error_set(err, HITO_ERR_INVALID, "%s:%d: state file is not a JSON object: %s",
                           path, jerr.line, jerr.text);
            store_free(st);
            return HITO_ERR_INVALID;
        }
    } else {
        st->doc = json_object();
    }
    if (st->path == NULL || st->doc == NULL) {
        store_free(st);
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    *out = st;
    return HITO_OK;
}

void store_free(struct store *st)
{
    if (st == NULL)
        return;
    json_decref(st->doc);
    free(st->path);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

void store_lock(struct store *st)
{
    pthread_mutex_lock(&st->lock);
}

void store_unlock(struct store *st)
{
    pthread_mutex_unlock(&st->lock);
}

json_t *store_doc(struct store *st)
{
    return st->doc;
}

json_t *store_coll(struct store *st, const char *name)
{
    json_t *coll = json_object_get(st->doc, name);

    if (!json_is_object(coll)) {
        coll = json_object();
        json_object_set_new(st->doc, name, coll);
    }
    return coll;
}

int store_has_room(struct store *st, const char *name)
{
    return json_object_size(store_coll(st, name)) < STORE_MAX_OBJECTS;
}

static long long counter_next(struct store *st, const char *key, long long first)
{
    json_int_t v = json_integer_value(json_object_get(st->doc, key));

    if (v < first)
        v = first;
    json_object_set_new(st->doc, key, json_integer(v + 1));
    return v;
}

void store_next_id(struct store *st, char *buf, size_t size)
{
    snprintf(buf, size, "%lld", counter_next(st, "_nextId", STORE_FIRST_ID));
}

long long store_next_sequence(struct store *st)
{
    return counter_next(st, "_sequence", 1);
}

void store_stamp_new(struct store *st, json_t *obj, const char *resource_owner)
{
    double now = store_now();

    json_object_set_new(obj, "_sequence", json_integer(store_next_sequence(st)));
    json_object_set_new(obj, "_created", json_real(now));
    json_object_set_new(obj, "_changed", json_real(now));
    json_object_set_new(obj, "_owner", json_string(resource_owner ? resource_owner : ""));
}

void store_stamp_change(struct store *st, json_t *obj)
{
    json_object_set_new(obj, "_sequence", json_integer(store_next_sequence(st)));
    json_object_set_new(obj, "_changed", json_real(store_now()));
}

json_t *store_details(const json_t *obj)
{
    return zjson_details(json_integer_value(json_object_get(obj, "_sequence")),
                         json_number_value(json_object_get(obj, "_created")),
                         json_number_value(json_object_get(obj, "_changed")),
                         json_string_value(json_object_get(obj, "_owner")));
}

int store_save(struct store *st, struct hito_error *err)
{
    char tmp[4096];
    int fd;
    char *text;
    size_t len;
    size_t off = 0;
    int rc = HITO_OK;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", st->path) >= (int)sizeof(tmp))
        return hito_error_set(err, HITO_ERR_INVALID, "state path is too long");
    text = json_dumps(st->doc, JSON_COMPACT);
    if (text == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "state serialisation failed");
    len = strlen(text);
    /* The state holds secrets and signing keys: owner-only. */
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = hito_error_set(err, HITO_ERR_IO, "open %s: %s", tmp, strerror(errno));
        goto out;
    }
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = hito_error_set(err, HITO_ERR_IO, "write %s: %s", tmp, strerror(errno));
            break;
        }
        off += (size_t)n;
    }
    if (rc == HITO_OK && fsync(fd) < 0)
        rc = hito_error_set(err, HITO_ERR_IO, "fsync %s: %s", tmp, strerror(errno));
    close(fd);
    if (rc == HITO_OK && rename(tmp, st->path) < 0)
        rc = hito_error_set(err, HITO_ERR_IO, "rename %s: %s", tmp, strerror(errno));
out:
    free(text);
    return rc;
}

void store_prune_expired(struct store *st, const char *name, double now)
{
    json_t *coll = store_coll(st, name);
    const char *key;
    json_t *value;
    void *tmp;

    json_object_foreach_safe(coll, tmp, key, value) {
        json_t *exp = json_object_get(value, "exp");

        if (json_is_number(exp) && json_number_value(exp) < now)
            json_object_del(coll, key);
    }
}

/* zjson.c - ZITADEL's JSON conventions: errors, key case, omitted defaults. */
#include "zjson.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Enum values numbered 0 in the v2.40 protos that the emulator emits. */
static const char *const default_enums[] = {
    "OIDC_TOKEN_TYPE_BEARER",     "OIDC_APP_TYPE_WEB",
    "OIDC_AUTH_METHOD_TYPE_BASIC", "API_AUTH_METHOD_TYPE_BASIC",
    "ACCESS_TOKEN_TYPE_BEARER",   "OIDC_VERSION_1_0",
    "TEXT_QUERY_METHOD_EQUALS",   "OIDC_RESPONSE_TYPE_CODE",
    "OIDC_GRANT_TYPE_AUTHORIZATION_CODE",
    NULL,
};

int zjson_http_status(int grpc_code)
{
    switch (grpc_code) {
    case ZGRPC_INVALID_ARGUMENT:
    case ZGRPC_FAILED_PRECONDITION:
        return 400;
    case ZGRPC_UNAUTHENTICATED:
        return 401;
    case ZGRPC_PERMISSION_DENIED:
        return 403;
    case ZGRPC_NOT_FOUND:
        return 404;
    case ZGRPC_ALREADY_EXISTS:
        return 409;
    case ZGRPC_RESOURCE_EXHAUSTED:
        return 429;
    case ZGRPC_UNIMPLEMENTED:
        return 501;
    case ZGRPC_UNAVAILABLE:
        return 503;
    default:
        return 500;
    }
}

json_t *zjson_error(int grpc_code, const char *id, const char *text)
{
    char message[512];

    if (id == NULL)
        return json_pack("{s:i, s:s}", "code", grpc_code, "message", text);
    snprintf(message, sizeof(message), "%s (%s)", text, id);
    return json_pack("{s:i, s:s, s:[{s:s, s:s, s:s}]}", "code", grpc_code, "message",
                     message, "details", "@type", "type.googleapis.com/zitadel.v1.ErrorDetail",
                     "id", id, "message", text);
}

/* Writes the lowerCamelCase form of key into out; -1 when it does not fit. */
static int camel_key(const char *key, char *out, size_t size)
{
    size_t n = 0;
    int upper = 0;

    for (const char *p = key; *p != '\0'; p++) {
        if (*p == '_' && n > 0) {
            upper = 1;
            continue;
        }
        if (n + 1 >= size)
            return -1;
        out[n++] = upper ? (char)toupper((unsigned char)*p) : *p;
        upper = 0;
    }
    out[n] = '\0';
    return 0;
}

static int camel_keys(json_t *doc, int depth)
{
    if (depth > ZJSON_MAX_DEPTH)
        return -1;
    if (json_is_array(doc)) {
        size_t i;
        json_t *item;

        json_array_foreach(doc, i, item) {
            if (camel_keys(item, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    if (!json_is_object(doc))
        return 0;

    const char *key;
    json_t *value;
    void *tmp;
    char camel[ZJSON_MAX_KEY + 1];

    json_object_foreach_safe(doc, tmp, key, value) {
        if (camel_keys(value, depth + 1) < 0)
            return -1;
        if (strchr(key, '_') == NULL)
            continue;
        if (camel_key(key, camel, sizeof(camel)) < 0)
            return -1;
        if (strcmp(camel, key) == 0)
            continue;
        json_object_set(doc, camel, value);
        json_object_del(doc, key);
    }
    return 0;
}

int zjson_camel_keys(json_t *doc)
{
    return camel_keys(doc, 0);
}

int zjson_is_default_enum(const char *s)
{
    size_t len = strlen(s);
    static const char unspecified[] = "_UNSPECIFIED";

    if (len > sizeof(unspecified) - 1 &&
        strcmp(s + len - (sizeof(unspecified) - 1), unspecified) == 0)
        return 1;
    for (size_t i = 0; default_enums[i] != NULL; i++) {
        if (strcmp(s, default_enums[i]) == 0)
            return 1;
    }
    return 0;
}

/* Returns nonzero when a member value is one grpc-gateway leaves out. */
static int is_zero(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return 1;
    case JSON_INTEGER:
        return json_integer_value(v) == 0;
    case JSON_REAL:
        return json_real_value(v) == 0.0;
    case JSON_STRING:
        return json_string_length(v) == 0 || zjson_is_default_enum(json_string_value(v));
    case JSON_ARRAY:
        return json_array_size(v) == 0;
    case JSON_OBJECT:
        return json_object_size(v) == 0;
    default:
        return 0;
    }
}

json_t *zjson_public(const json_t *value)
{
    if (json_is_array(value)) {
        json_t *out = json_array();
        size_t i;
        json_t *item;

        json_array_foreach(value, i, item) {
            json_array_append_new(out, zjson_public(item));
        }
        return out;
    }
    if (!json_is_object(value))
        return json_deep_copy(value);

    json_t *out = json_object();
    const char *key;
    json_t *member;

    json_object_foreach((json_t *)value, key, member) {
        json_t *copy;

        if (key[0] == '_')
            continue;
        copy = zjson_public(member);
        if (copy == NULL || is_zero(copy)) {
            json_decref(copy);
            continue;
        }
        json_object_set_new(out, key, copy);
    }
    return out;
}

void zjson_time(double t, char *buf, size_t size)
{
    time_t secs = (time_t)t;
    struct tm tm;
    char base[32];

    gmtime_r(&secs, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%06ldZ", base, (long)((t - (double)secs) * 1e6));
}

json_t *zjson_details(long long sequence, double created, double changed,
                      const char *resource_owner)
{
    char seq[32];
    char c[64];
    char m[64];

    snprintf(seq, sizeof(seq), "%lld", sequence);
    zjson_time(created, c, sizeof(c));
    zjson_time(changed, m, sizeof(m));
    return json_pack("{s:s, s:s, s:s, s:s}", "sequence", seq, "creationDate", c,
                     "changeDate", m, "resourceOwner", resource_owner ? resource_owner : "");
}

const char *zjson_str(const json_t *obj, const char *key, const char *fallback)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s != NULL ? s : fallback;
}

long long zjson_uint(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    long long n = 0;

    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v) && sscanf(json_string_value(v), "%lld", &n) == 1)
        return n;
    return 0;
}

int zjson_bool(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

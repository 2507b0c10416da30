/* api.c - shared helpers of the Management and Admin API handlers. */
#define _GNU_SOURCE /* strcasestr */
#include "api.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jose.h"
#include "zjson.h"

/* A search query: its JSON name, the member with the value, the object field. */
struct query_def {
    const char *query;
    const char *value_key;
    const char *field;
};

static const struct query_def query_defs[] = {
    {"nameQuery", "name", "name"},
    {"projectNameQuery", "name", "name"},
    {"appNameQuery", "name", "name"},
    {"userNameQuery", "userName", "userName"},
    {"loginNameQuery", "loginName", "preferredLoginName"},
    {"keyQuery", "key", "key"},
    {"roleKeyQuery", "roleKey", "roleKeys"},
    {"displayNameQuery", "displayName", "displayName"},
    {"projectIdQuery", "projectId", "projectId"},
    {"userIdQuery", "userId", "userId"},
    {"domainQuery", "domain", "primaryDomain"},
    {"actionNameQuery", "name", "name"},
    {"typeQuery", "type", "_type"},
    {"emailQuery", "emailAddress", "_email"},
    {NULL, NULL, NULL},
};

json_t *api_object(const json_t *obj)
{
    json_t *out = zjson_public(obj);

    json_object_set_new(out, "details", store_details(obj));
    return out;
}

void api_search_org(struct zreq *z, const char *collection)
{
    json_t *body = zreq_body(z);
    json_t *list = json_array();
    const char *id;
    json_t *obj;

    if (body != NULL) {
        json_object_foreach(json_object_get(z->doc, collection), id, obj) {
            if (api_in_org(z, obj))
                json_array_append(list, obj);
        }
        api_list_reply(z, body, list);
    }
    json_decref(list);
    json_decref(body);
}

void api_details_reply(struct zreq *z, const json_t *obj)
{
    zreq_json(z, 200, json_pack("{s:o}", "details", store_details(obj)));
}

void api_created_reply(struct zreq *z, const char *id_key, const json_t *obj)
{
    zreq_json(z, 200, json_pack("{s:s, s:o}", id_key, zjson_str(obj, "id", ""), "details",
                                store_details(obj)));
}

json_t *api_get(struct zreq *z, const char *collection, const char *param)
{
    const char *id = httpd_param(z->http, param);

    return json_object_get(json_object_get(z->doc, collection), id != NULL ? id : "");
}

int api_in_org(const struct zreq *z, const json_t *obj)
{
    return obj != NULL && strcmp(zjson_str(obj, "_owner", ""), z->org_id) == 0;
}

void api_conflict(struct zreq *z, const char *what)
{
    zreq_error(z, ZGRPC_ALREADY_EXISTS, "EMU-EXIST", "%s already exists", what);
}

void api_not_found(struct zreq *z, const char *what)
{
    zreq_error(z, ZGRPC_NOT_FOUND, "EMU-NOTFD", "%s not found", what);
}

void api_not_changed(struct zreq *z, const char *what)
{
    zreq_error(z, ZGRPC_FAILED_PRECONDITION, "EMU-NOCHG", "%s has not been changed", what);
}

void api_apply_update(struct zreq *z, json_t *current, const json_t *next, const char *what)
{
    json_t *merged = json_deep_copy(current);

    json_object_update(merged, (json_t *)next);
    if (json_equal(merged, current)) {
        api_not_changed(z, what);
    } else {
        json_object_update(current, (json_t *)next);
        store_stamp_change(z->srv->store, current);
        z->dirty = 1;
        api_details_reply(z, current);
    }
    json_decref(merged);
}

void api_apply_update_new(struct zreq *z, json_t *current, json_t *next, const char *what)
{
    api_apply_update(z, current, next, what);
    json_decref(next);
}

json_t *api_insert(struct zreq *z, const char *collection, json_t *obj, const char *owner)
{
    char id[STORE_ID_SIZE];

    store_next_id(z->srv->store, id, sizeof(id));
    json_object_set_new(obj, "id", json_string(id));
    store_stamp_new(z->srv->store, obj, owner);
    json_object_set_new(store_coll(z->srv->store, collection), id, obj);
    z->dirty = 1;
    return obj;
}

int api_check_room(struct zreq *z, const char *collection)
{
    if (store_has_room(z->srv->store, collection))
        return 0;
    zreq_error(z, ZGRPC_RESOURCE_EXHAUSTED, "EMU-FULL1", "the emulator stores at most %d %s",
               STORE_MAX_OBJECTS, collection);
    return -1;
}

int api_new_secret(json_t *obj, char *out, size_t size)
{
    char hash[65];

    if (jose_random_token(out, size, 48) != HITO_OK)
        return -1;
    jose_sha256_hex(out, strlen(out), hash);
    json_object_set_new(obj, "_secretHash", json_string(hash));
    return 0;
}

/* Compares value with want by the rule of ZITADEL's TextQueryMethod. */
static int text_match(const char *value, const char *want, const char *method)
{
    size_t vlen = strlen(value);
    size_t wlen = strlen(want);
    int icase = strstr(method, "IGNORE_CASE") != NULL;

    if (strncmp(method, "TEXT_QUERY_METHOD_STARTS_WITH", 29) == 0)
        return vlen >= wlen && (icase ? strncasecmp(value, want, wlen)
                                      : strncmp(value, want, wlen)) == 0;
    if (strncmp(method, "TEXT_QUERY_METHOD_ENDS_WITH", 27) == 0)
        return vlen >= wlen && (icase ? strcasecmp(value + vlen - wlen, want)
                                      : strcmp(value + vlen - wlen, want)) == 0;
    if (strncmp(method, "TEXT_QUERY_METHOD_CONTAINS", 26) == 0)
        return (icase ? strcasestr(value, want) : strstr(value, want)) != NULL;
    return (icase ? strcasecmp(value, want) : strcmp(value, want)) == 0;
}

/* Returns nonzero when the field (a string or an array of strings) matches. */
static int field_match(const json_t *field, const char *want, const char *method)
{
    size_t i;
    json_t *item;

    if (json_is_string(field))
        return text_match(json_string_value(field), want, method);
    json_array_foreach(field, i, item) {
        if (json_is_string(item) && text_match(json_string_value(item), want, method))
            return 1;
    }
    return 0;
}

/* Returns 1 on match, 0 on no match, -1 for an unknown or malformed query. */
static int query_match(const json_t *obj, const json_t *query)
{
    const char *name;
    json_t *q;

    json_object_foreach((json_t *)query, name, q) {
        const struct query_def *d = query_defs;
        const char *want;

        while (d->query != NULL && strcmp(d->query, name) != 0)
            d++;
        want = zjson_str(q, d->value_key ? d->value_key : "", NULL);
        if (d->query == NULL || want == NULL)
            return -1;
        if (!field_match(json_object_get(obj, d->field), want,
                         zjson_str(q, "method", "TEXT_QUERY_METHOD_EQUALS")))
            return 0;
    }
    return 1;
}

/* Sets a 400 and returns nonzero when queries is not an array of known queries. */
static int queries_invalid(struct zreq *z, const json_t *queries)
{
    json_t *empty;
    size_t i;
    json_t *q;
    int bad = 0;

    if (queries == NULL || json_is_null(queries))
        return 0;
    if (!json_is_array(queries) || json_array_size(queries) > ZSRV_MAX_ITEMS) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-QUERY", "invalid queries: expected an array");
        return 1;
    }
    empty = json_object();
    json_array_foreach(queries, i, q) {
        if (!json_is_object(q) || query_match(empty, q) < 0) {
            zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-QUERY",
                       "invalid queries[%zu]: unknown query or missing value", i);
            bad = 1;
            break;
        }
    }
    json_decref(empty);
    return bad;
}

int api_list_reply(struct zreq *z, const json_t *body, json_t *objects)
{
    json_t *queries = json_object_get(body, "queries");
    json_t *page = json_object_get(body, "query");
    long long offset = zjson_uint(page, "offset");
    long long limit = zjson_uint(page, "limit");
    json_t *result = json_array();
    json_t *details;
    char now[64];
    char total[32];
    long long matched = 0;
    size_t i;
    json_t *obj;

    if (limit <= 0 || limit > API_MAX_LIMIT)
        limit = API_MAX_LIMIT;
    if (queries_invalid(z, queries)) {
        json_decref(result);
        return -1;
    }
    json_array_foreach(objects, i, obj) {
        size_t j;
        json_t *q;
        int keep = 1;

        json_array_foreach(queries, j, q) {
            keep = keep && query_match(obj, q) == 1;
        }
        if (!keep)
            continue;
        if (matched >= offset && (long long)json_array_size(result) < limit)
            json_array_append_new(result, api_object(obj));
        matched++;
    }
    zjson_time(store_now(), now, sizeof(now));
    details = json_pack("{s:s}", "viewTimestamp", now);
    if (matched > 0) {
        snprintf(total, sizeof(total), "%lld", matched);
        json_object_set_new(details, "totalResult", json_string(total));
    }
    zreq_json(z, 200, json_pack("{s:o}", "details", details));
    if (json_array_size(result) > 0)
        json_object_set_new(z->reply, "result", result);
    else
        json_decref(result);
    return 0;
}

/* server.c - dispatch, ZITADEL-shaped replies, issuer resolution and API auth. */
#define _GNU_SOURCE /* asprintf, strcasestr */
#include "server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hito/json_guard.h"
#include "hito/httpc.h"
#include "hito/log.h"
#include "claims.h"
#include "zjson.h"

#include <openssl/crypto.h>

#define ZSRV_MAX_GROUPS 128
#define ZSRV_MAX_METHODS 4
#define ZSRV_MAX_HOST 256

struct method_entry {
    const char *method;
    int flags;
    zsrv_handler handler;
};

/* All handlers of one path pattern. */
struct route_group {
    struct zsrv *srv;
    char pattern[256];
    struct method_entry methods[ZSRV_MAX_METHODS];
    size_t count;
};

static struct route_group groups[ZSRV_MAX_GROUPS];
static size_t group_count;

void zreq_json(struct zreq *z, int status, json_t *body)
{
    json_decref(z->reply);
    z->status = status;
    z->reply = body != NULL ? body : json_object();
}

void zreq_error(struct zreq *z, int grpc_code, const char *id, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    zreq_json(z, zjson_http_status(grpc_code), zjson_error(grpc_code, id, text));
}

void zreq_oauth_error(struct zreq *z, int status, const char *error, const char *description)
{
    zreq_json(z, status, json_pack("{s:s, s:s}", "error", error, "error_description",
                                   description));
}

void zreq_text(struct zreq *z, int status, const char *content_type, const char *text)
{
    free(z->text);
    z->status = status;
    z->content_type = content_type;
    z->text = strdup(text);
}

void zreq_redirect(struct zreq *z, const char *location)
{
    free(z->location);
    z->location = strdup(location);
    zreq_text(z, 302, "text/html; charset=utf-8", "");
}

json_t *zreq_body(struct zreq *z)
{
    size_t len;
    const char *body = httpd_body(z->http, &len);
    const char *type = httpd_header(z->http, "Content-Type");
    json_error_t jerr;
    json_t *doc;

    if (body == NULL || len == 0)
        return json_object();
    /* NOTE: grpc-gateway in 2.40 may parse other content types as JSON too; strict here. */
    if (type != NULL && strncasecmp(type, "application/json", 16) != 0) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, NULL,
                   "unsupported content type %.64s, expected application/json", type);
        z->status = 415;
        return NULL;
    }
    /* jansson recurses per level, so a deep body would overflow the worker's stack. */
    if (!json_guard_depth_ok(body, len, JSON_GUARD_MAX_DEPTH)) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, NULL,
                   "invalid JSON body: nests deeper than %d levels", JSON_GUARD_MAX_DEPTH);
        json_object_set_new(z->reply, "details", json_array());
        return NULL;
    }
    doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc)) {
        json_decref(doc);
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, NULL, "invalid JSON body: %s", jerr.text);
        json_object_set_new(z->reply, "details", json_array());
        return NULL;
    }
    if (zjson_camel_keys(doc) < 0) {
        json_decref(doc);
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, NULL, "JSON body nests too deep or has a long key");
        return NULL;
    }
    return doc;
}

int zreq_string(struct zreq *z, const json_t *body, const char *key, size_t max,
                int required, const char **out)
{
    json_t *v = json_object_get(body, key);

    *out = NULL;
    if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        if (!required)
            return 0;
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG01", "invalid %s: value is required", key);
        return -1;
    }
    if (!json_is_string(v) || json_string_length(v) > max) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG02",
                   "invalid %s: expected a string of at most %zu bytes", key, max);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int zreq_bool(struct zreq *z, const json_t *body, const char *key, int *out)
{
    json_t *v = json_object_get(body, key);

    *out = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG03", "invalid %s: expected a boolean", key);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

json_t *zreq_strings(struct zreq *z, const json_t *body, const char *key, size_t max)
{
    json_t *v = json_object_get(body, key);
    size_t i;
    json_t *item;

    if (v == NULL || json_is_null(v))
        return json_array();
    if (!json_is_array(v) || json_array_size(v) > ZSRV_MAX_ITEMS)
        goto bad;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item) || json_string_length(item) == 0 ||
            json_string_length(item) > max)
            goto bad;
    }
    return json_deep_copy(v);
bad:
    zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG04",
               "invalid %s: expected at most %d non-empty strings of at most %zu bytes", key,
               ZSRV_MAX_ITEMS, max);
    return NULL;
}

char *zsrv_url_add(const char *url, const char *key, const char *value)
{
    char *escaped = httpc_escape(value);
    char *out = NULL;

    if (escaped == NULL)
        return NULL;
    if (asprintf(&out, "%s%c%s=%s", url, strchr(url, '?') ? '&' : '?', key, escaped) < 0)
        out = NULL;
    free(escaped);
    return out;
}

/*
 * Resolves the host of the request as ZITADEL does: RFC 7239 Forwarded
 * host=, else the Host header with its port. Returns 0 when its name (port
 * removed) is the instance's domain.
 */
static int resolve_issuer(struct zreq *z)
{
    const char *fwd = httpd_header(z->http, "Forwarded");
    const char *host = httpd_header(z->http, "Host");
    char buf[ZSRV_MAX_HOST];
    char name[ZSRV_MAX_HOST];
    const char *p;

    buf[0] = '\0';
    if (fwd != NULL && (p = strcasestr(fwd, "host=")) != NULL) {
        size_t n;

        p += 5;
        if (*p == '"')
            p++;
        n = strcspn(p, "\";, ");
        if (n > 0 && n < sizeof(buf))
            snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
    }
    if (buf[0] == '\0' && host != NULL && strlen(host) < sizeof(buf))
        snprintf(buf, sizeof(buf), "%s", host);
    snprintf(name, sizeof(name), "%s", buf);
    if (name[0] == '[') {
        char *end = strchr(name, ']');

        if (end != NULL)
            end[1] = '\0';
    } else if (strchr(name, ':') != NULL) {
        *strchr(name, ':') = '\0';
    }
    snprintf(z->issuer, sizeof(z->issuer), "http://%s", buf);
    return name[0] != '\0' && strcasecmp(name, z->srv->settings.domain) == 0 ? 0 : -1;
}

/* Drops the "Bearer " prefix; NULL when the header is absent or another scheme. */
static const char *bearer_token(struct zreq *z)
{
    const char *auth = httpd_header(z->http, "Authorization");

    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
        return NULL;
    auth += 7;
    while (*auth == ' ')
        auth++;
    return *auth != '\0' ? auth : NULL;
}

json_t *zsrv_token_user(struct zsrv *srv, json_t *doc, const char *token, json_t **tctx)
{
    json_t *users = json_object_get(doc, STORE_USERS);
    double now = store_now();
    char hash[65];
    json_t *entry;
    json_t *claims = NULL;

    *tctx = NULL;
    if (strlen(token) > JOSE_MAX_TOKEN)
        return NULL;
    jose_sha256_hex(token, strlen(token), hash);
    entry = json_object_get(json_object_get(doc, STORE_PATS), hash);
    if (entry != NULL) {
        if (json_number_value(json_object_get(entry, "exp")) < now)
            return NULL;
        return json_object_get(users, zjson_str(entry, "userId", ""));
    }
    entry = json_object_get(json_object_get(doc, STORE_TOKENS), hash);
    if (entry != NULL) {
        if (strcmp(zjson_str(entry, "type", ""), "access") != 0 ||
            json_number_value(json_object_get(entry, "exp")) < now)
            return NULL;
        *tctx = json_incref(json_object_get(entry, "ctx"));
        return json_object_get(users, zjson_str(*tctx, "sub", ""));
    }
    if (jose_verify(srv->keys, token, &claims, NULL) != HITO_OK)
        return NULL;
    entry = zsrv_jwt_entry(doc, claims);
    json_decref(claims);
    if (entry == NULL || json_number_value(json_object_get(entry, "exp")) < now)
        return NULL;
    *tctx = json_incref(json_object_get(entry, "ctx"));
    return json_object_get(users, zjson_str(*tctx, "sub", ""));
}

json_t *zsrv_jwt_entry(json_t *doc, const json_t *claims)
{
    char key[128];

    if (snprintf(key, sizeof(key), "jti:%s", zjson_str(claims, "jti", "")) >= (int)sizeof(key))
        return NULL;
    return json_object_get(json_object_get(doc, STORE_TOKENS), key);
}

int zsrv_can_admin(const json_t *caller, const char *org_id)
{
    if (zjson_bool(caller, "_iamOwner"))
        return 1;
    return org_id != NULL && strcmp(zjson_str(caller, "_orgOwner", ""), org_id) == 0;
}

/* Authenticates a Management or Admin API call and sets the org context. */
static int authenticate(struct zreq *z)
{
    const char *token = bearer_token(z);
    const char *org_header = httpd_header(z->http, "x-zitadel-orgid");
    const char *zitadel_project = zjson_str(z->doc, "_zitadelProjectId", "");

    if (token == NULL) {
        zreq_error(z, ZGRPC_UNAUTHENTICATED, NULL, "auth header missing");
        return -1;
    }
    z->caller = zsrv_token_user(z->srv, z->doc, token, &z->caller_token);
    if (z->caller == NULL) {
        zreq_error(z, ZGRPC_UNAUTHENTICATED, "AUTH-7fs1e", "Errors.Token.Invalid");
        return -1;
    }
    /* An access token reaches the APIs only with the ZITADEL project in its aud. */
    if (z->caller_token != NULL &&
        !claims_scope_has(json_object_get(z->caller_token, "aud"), zitadel_project)) {
        zreq_error(z, ZGRPC_UNAUTHENTICATED, "AUTH-Zxfako", "invalid audience");
        return -1;
    }
    z->org_id = org_header != NULL ? org_header : zjson_str(z->caller, "_owner", "");
    if (json_object_get(json_object_get(z->doc, STORE_ORGS), z->org_id) == NULL) {
        zreq_error(z, ZGRPC_NOT_FOUND, "QUERY-8sKJd", "Organisation not found");
        return -1;
    }
    if (!zsrv_can_admin(z->caller, z->org_id)) {
        zreq_error(z, ZGRPC_PERMISSION_DENIED, "AUTH-5mWD2", "No matching permissions found");
        return -1;
    }
    return 0;
}

/* Saves the state when changed, then sends the reply. */
static void send_reply(struct zreq *z)
{
    struct hito_error err = {0};

    if (z->dirty && store_save(z->srv->store, &err) != HITO_OK) {
        LOG_ERROR("state save failed", "error", err.message);
        zreq_error(z, ZGRPC_INTERNAL, "EMU-SAVE1", "saving the state failed");
    }
    if (z->location != NULL)
        httpd_set_header(z->http, "Location", z->location);
    if (z->reply != NULL) {
        httpd_set_header(z->http, "Cache-Control", "no-store");
        httpd_reply_json(z->http, z->status, z->reply);
        z->reply = NULL;
        return;
    }
    if (z->text != NULL) {
        httpd_reply(z->http, z->status, z->content_type, z->text, strlen(z->text));
        return;
    }
    httpd_reply_json(z->http, 500, zjson_error(ZGRPC_INTERNAL, "EMU-NOREP", "no reply"));
}

static void dispatch(struct httpd_req *http, void *user)
{
    struct route_group *g = user;
    struct zreq z = {.http = http, .srv = g->srv, .status = 500};
    const char *method = httpd_method(http);
    const struct method_entry *m = NULL;

    for (size_t i = 0; i < g->count; i++) {
        if (strcmp(g->methods[i].method, method) == 0)
            m = &g->methods[i];
    }
    store_lock(z.srv->store);
    z.doc = store_doc(z.srv->store);
    if (m == NULL) {
        zreq_error(&z, ZGRPC_UNIMPLEMENTED, NULL, "Method Not Allowed");
        z.status = 405;
    } else if (resolve_issuer(&z) < 0 && (m->flags & ZROUTE_INSTANCE)) {
        zreq_error(&z, ZGRPC_NOT_FOUND, "QUERY-1kIjX", "Instance not found");
    } else if (!(m->flags & ZROUTE_AUTH) || authenticate(&z) == 0) {
        m->handler(&z);
    }
    send_reply(&z);
    store_unlock(z.srv->store);
    json_decref(z.caller_token);
    json_decref(z.reply);
    free(z.text);
    free(z.location);
}

static void not_found(struct httpd_req *http, void *user)
{
    (void)user;
    httpd_reply_json(http, 404, zjson_error(ZGRPC_NOT_FOUND, NULL, "Not Found"));
}

int zsrv_route(struct zsrv *srv, const char *method, const char *pattern, int flags,
               zsrv_handler handler)
{
    struct route_group *g = NULL;

    for (size_t i = 0; i < group_count; i++) {
        if (groups[i].srv == srv && strcmp(groups[i].pattern, pattern) == 0)
            g = &groups[i];
    }
    if (g == NULL) {
        if (group_count == ZSRV_MAX_GROUPS || strlen(pattern) >= sizeof(g->pattern))
            return HITO_ERR_LIMIT;
        g = &groups[group_count++];
        memset(g, 0, sizeof(*g));
        g->srv = srv;
        snprintf(g->pattern, sizeof(g->pattern), "%s", pattern);
        httpd_set_not_found(srv->http, not_found, NULL);
        if (httpd_route(srv->http, "*", pattern, dispatch, g) != HITO_OK)
            return HITO_ERR_LIMIT;
    }
    if (g->count == ZSRV_MAX_METHODS)
        return HITO_ERR_LIMIT;
    g->methods[g->count++] = (struct method_entry){method, flags, handler};
    return HITO_OK;
}

/* Percent-decodes src[0..len) into out; '+' is a space in form encoding. */
static int url_decode(const char *src, size_t len, char *out, size_t size)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        char c = src[i];

        if (c == '%') {
            int hi;
            int lo;

            if (i + 2 >= len)
                return -1;
            hi = OPENSSL_hexchar2int((unsigned char)src[i + 1]);
            lo = OPENSSL_hexchar2int((unsigned char)src[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (n + 1 >= size)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return (int)n;
}

int zsrv_form_value(const char *data, size_t len, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    size_t i = 0;

    while (data != NULL && i < len) {
        size_t end = i;

        while (end < len && data[end] != '&')
            end++;
        if (end - i > klen && strncmp(data + i, key, klen) == 0 && data[i + klen] == '=')
            return url_decode(data + i + klen + 1, end - i - klen - 1, out, size);
        i = end + 1;
    }
    return -1;
}

int zsrv_client_credentials(struct zreq *z, char *id, size_t id_size, char *secret,
                            size_t secret_size)
{
    const char *auth = httpd_header(z->http, "Authorization");
    size_t len;
    const char *body = httpd_body(z->http, &len);

    secret[0] = '\0';
    if (auth != NULL && strncasecmp(auth, "Basic ", 6) == 0) {
        size_t raw_len;
        unsigned char *raw = jose_b64_decode(auth + 6, &raw_len);
        char *colon;
        int rc = -1;

        if (raw == NULL)
            return -1;
        colon = memchr(raw, ':', raw_len);
        if (colon != NULL &&
            url_decode((char *)raw, (size_t)(colon - (char *)raw), id, id_size) > 0 &&
            url_decode(colon + 1, raw_len - (size_t)(colon + 1 - (char *)raw), secret,
                       secret_size) >= 0)
            rc = 0;
        free(raw);
        return rc;
    }
    if (zsrv_form_value(body, len, "client_id", id, id_size) <= 0)
        return -1;
    if (zsrv_form_value(body, len, "client_secret", secret, secret_size) < 0)
        secret[0] = '\0';
    return 0;
}

json_t *zsrv_app_by_client_id(json_t *doc, const char *client_id)
{
    const char *id;
    json_t *app;

    json_object_foreach(json_object_get(doc, STORE_APPS), id, app) {
        json_t *cfg = json_object_get(app, "oidcConfig");

        if (cfg == NULL)
            cfg = json_object_get(app, "apiConfig");
        if (strcmp(zjson_str(cfg, "clientId", ""), client_id) == 0)
            return app;
    }
    return NULL;
}

/* Returns nonzero when login_name is "<userName>@<primary domain of the user's org>". */
static int domain_login_matches(json_t *doc, const json_t *user, const char *login_name)
{
    const char *name = zjson_str(user, "userName", "");
    size_t len = strlen(name);
    json_t *org = json_object_get(json_object_get(doc, STORE_ORGS), zjson_str(user, "_owner", ""));

    return strncmp(login_name, name, len) == 0 && login_name[len] == '@' &&
           strcmp(login_name + len + 1, zjson_str(org, "primaryDomain", "")) == 0;
}

json_t *zsrv_user_by_login_name(json_t *doc, const char *login_name)
{
    const char *id;
    json_t *user;

    json_object_foreach(json_object_get(doc, STORE_USERS), id, user) {
        if (claims_scope_has(json_object_get(user, "loginNames"), login_name) ||
            strcmp(zjson_str(user, "userName", ""), login_name) == 0 ||
            domain_login_matches(doc, user, login_name))
            return user;
    }
    return NULL;
}

int zsrv_secret_ok(const char *hash_hex, const char *secret)
{
    char hex[65];

    if (hash_hex == NULL || secret == NULL)
        return 0;
    jose_sha256_hex(secret, strlen(secret), hex);
    return CRYPTO_memcmp(hex, hash_hex, 64) == 0 && strlen(hash_hex) == 64;
}

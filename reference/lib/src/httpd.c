/* httpd.c - router, JSON replies, request ids, limits and metrics on civetweb. */
#include "hito/httpd.h"
#include "hito/json_guard.h"

#include <civetweb.h>
#include <ctype.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hito/log.h"
#include "hito/metrics.h"

#define HTTPD_MAX_ROUTES 256
#define HTTPD_MAX_SEGMENTS 32
#define HTTPD_MAX_RESPONSE_HEADERS 16
#define HTTPD_REQUEST_ID_MAX 128
#define HTTPD_LABELS_MAX 512
#define HTTPD_PARAM_MAX 1024
#define HTTPD_LOGGED_QUERY_MAX 1024
#define HTTPD_ERROR_MESSAGE_MAX 1024
/* civetweb's header table size: a request that fills it may have lost some. */
#define HTTPD_MAX_REQUEST_HEADERS MG_MAX_HEADERS
/* First buffer size for a request body; it doubles up to the body limit. */
#define HTTPD_BODY_INITIAL 16384
/* Idle time a kept-alive connection keeps its worker thread (civetweb's default is 500). */
#define HTTPD_KEEP_ALIVE_MS "5000"

#define REQUESTS_TOTAL "http_requests_total"
#define REQUEST_DURATION "http_request_duration_seconds"
/* Route label of requests that match no route, so raw paths never become labels. */
#define UNMATCHED_ROUTE "unmatched"

struct route {
    char method[16];
    char *pattern;
    char *label;                      /* pattern escaped for a metric label */
    char *segments[HTTPD_MAX_SEGMENTS];
    size_t segment_count;
    httpd_handler handler;
    void *user;
};

struct httpd {
    char *service;
    char *service_label;              /* service="..." */
    char *listen;
    int threads;
    size_t max_body;
    int request_timeout_ms;
    httpd_ready_check ready;
    void *ready_user;
    struct route routes[HTTPD_MAX_ROUTES];
    size_t route_count;
    httpd_handler not_found;
    void *not_found_user;
    struct mg_context *ctx;
    int port;
};

struct response_header {
    char *name;
    char *value;
};

struct httpd_req {
    struct httpd *srv;
    struct mg_connection *conn;
    const struct mg_request_info *info;
    const struct route *route;
    char request_id[HTTPD_REQUEST_ID_MAX + 1];
    const char *param_names[HTTPD_MAX_PATH_PARAMS];
    char *param_values[HTTPD_MAX_PATH_PARAMS];
    size_t param_count;
    char *body;
    size_t body_len;
    struct response_header headers[HTTPD_MAX_RESPONSE_HEADERS];
    size_t header_count;
    int status;
    size_t bytes_sent;
    int close_connection;
};

static pthread_once_t civetweb_once = PTHREAD_ONCE_INIT;

static void init_civetweb(void)
{
    mg_init_library(0);
}

/* ---- request ids ---- */

static int request_id_valid(const char *id)
{
    size_t len;

    if (id == NULL)
        return 0;
    len = strlen(id);
    if (len == 0 || len > HTTPD_REQUEST_ID_MAX)
        return 0;
    for (; *id != '\0'; id++) {
        if (*id < 0x21 || *id > 0x7e)
            return 0;
    }
    return 1;
}

/* Writes a random (version 4) UUID into out, a buffer of 37 bytes or more. */
static void generate_request_id(char *out, size_t size)
{
    static atomic_ulong fallback_counter;
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1) {
        /* The OpenSSL generator failed: a time and counter id is still unique. */
        snprintf(out, size, "t%lx-%lx", (unsigned long)time(NULL),
                 (unsigned long)atomic_fetch_add(&fallback_counter, 1));
        return;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, size,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
             b[12], b[13], b[14], b[15]);
}

/* ---- routes ---- */

/* Splits path into its '/'-separated segments in place. Returns -1 past HTTPD_MAX_SEGMENTS. */
static int split_path(char *path, char **segments, size_t *count)
{
    char *save = NULL;
    char *segment;

    *count = 0;
    for (segment = strtok_r(path, "/", &save); segment != NULL;
         segment = strtok_r(NULL, "/", &save)) {
        if (*count == HTTPD_MAX_SEGMENTS)
            return -1;
        segments[(*count)++] = segment;
    }
    return 0;
}

static int is_param_segment(const char *segment)
{
    size_t len = strlen(segment);

    return len > 2 && segment[0] == '{' && segment[len - 1] == '}';
}

static char *escaped_label(const char *value)
{
    char buf[HTTPD_LABELS_MAX];

    metrics_escape_label(value, buf, sizeof(buf));
    return strdup(buf);
}

static void route_free(struct route *r)
{
    size_t i;

    for (i = 0; i < r->segment_count; i++)
        free(r->segments[i]);
    free(r->pattern);
    free(r->label);
}

int httpd_route(struct httpd *srv, const char *method, const char *pattern,
                httpd_handler handler, void *user)
{
    struct route *r;
    char *copy;
    char *parts[HTTPD_MAX_SEGMENTS];
    size_t i;
    size_t params = 0;
    int rc = HITO_OK;

    if (srv->ctx != NULL || srv->route_count == HTTPD_MAX_ROUTES || pattern[0] != '/'
        || strlen(method) >= sizeof(r->method))
        return srv->route_count == HTTPD_MAX_ROUTES ? HITO_ERR_LIMIT : HITO_ERR_INVALID;
    copy = strdup(pattern);
    if (copy == NULL)
        return HITO_ERR_NOMEM;
    r = &srv->routes[srv->route_count];
    memset(r, 0, sizeof(*r));
    if (split_path(copy, parts, &r->segment_count) != 0) {
        rc = HITO_ERR_LIMIT;
        goto out;
    }
    for (i = 0; i < r->segment_count; i++) {
        if (is_param_segment(parts[i]) && ++params > HTTPD_MAX_PATH_PARAMS) {
            rc = HITO_ERR_LIMIT;
            goto out;
        }
        r->segments[i] = strdup(parts[i]);
        if (r->segments[i] == NULL)
            rc = HITO_ERR_NOMEM;
    }
    snprintf(r->method, sizeof(r->method), "%s", method);
    r->pattern = strdup(pattern);
    r->label = escaped_label(pattern);
    r->handler = handler;
    r->user = user;
    if (r->pattern == NULL || r->label == NULL)
        rc = HITO_ERR_NOMEM;
out:
    free(copy);
    if (rc == HITO_OK)
        srv->route_count++;
    else
        route_free(r);
    return rc;
}

void httpd_set_not_found(struct httpd *srv, httpd_handler handler, void *user)
{
    srv->not_found = handler;
    srv->not_found_user = user;
}

/* Returns 1 when the request's path segments match the pattern of r. */
static int route_matches(const struct route *r, char **segments, size_t count)
{
    size_t i;

    if (count != r->segment_count)
        return 0;
    for (i = 0; i < count; i++) {
        if (!is_param_segment(r->segments[i]) && strcmp(r->segments[i], segments[i]) != 0)
            return 0;
    }
    return 1;
}

/* Returns 1 when a route of route_method serves method; GET routes also serve HEAD. */
static int method_matches(const char *route_method, const char *method)
{
    if (strcmp(route_method, "*") == 0 || strcmp(route_method, method) == 0)
        return 1;
    return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

/* Stores the URL-decoded path parameters of the matched route r. */
static int capture_params(const struct route *r, char **segments, struct httpd_req *req)
{
    size_t i;

    for (i = 0; i < r->segment_count; i++) {
        char value[HTTPD_PARAM_MAX];

        if (!is_param_segment(r->segments[i]))
            continue;
        if (mg_url_decode(segments[i], (int)strlen(segments[i]), value, (int)sizeof(value), 0)
            < 0)
            return HITO_ERR_LIMIT;
        req->param_names[req->param_count] = r->segments[i];
        req->param_values[req->param_count] = strdup(value);
        if (req->param_values[req->param_count] == NULL)
            return HITO_ERR_NOMEM;
        req->param_count++;
    }
    return HITO_OK;
}

/*
 * Finds the route of req and captures its parameters. Returns NULL when none
 * matches; allow then lists the methods of routes whose pattern matches, and
 * *too_long is set when the path or a parameter is over the limits.
 */
static const struct route *find_route(struct httpd *srv, struct httpd_req *req, char *allow,
                                      size_t allow_size, int *too_long)
{
    char path[HTTPD_PARAM_MAX * 4];
    char *segments[HTTPD_MAX_SEGMENTS];
    size_t count;
    size_t i;
    const char *method = req->info->request_method;

    allow[0] = '\0';
    *too_long = 0;
    if (strlen(httpd_path(req)) >= sizeof(path)) {
        *too_long = 1;
        return NULL;
    }
    snprintf(path, sizeof(path), "%s", httpd_path(req));
    if (split_path(path, segments, &count) != 0)
        return NULL;
    for (i = 0; i < srv->route_count; i++) {
        const struct route *r = &srv->routes[i];

        if (!route_matches(r, segments, count))
            continue;
        if (method_matches(r->method, method)) {
            int rc = capture_params(r, segments, req);

            *too_long = rc == HITO_ERR_LIMIT;
            return rc == HITO_OK ? r : NULL;
        }
        if (strstr(allow, r->method) == NULL
            && strlen(allow) + strlen(r->method) + 3 < allow_size) {
            if (allow[0] != '\0')
                strcat(allow, ", ");
            strcat(allow, r->method);
        }
    }
    return NULL;
}

/* ---- replies ---- */

void httpd_set_header(struct httpd_req *req, const char *name, const char *value)
{
    struct response_header *h;

    if (req->header_count == HTTPD_MAX_RESPONSE_HEADERS) {
        LOG_WARN("response header dropped", "name", name);
        return;
    }
    h = &req->headers[req->header_count];
    h->name = strdup(name);
    h->value = strdup(value);
    if (h->name == NULL || h->value == NULL) {
        free(h->name);
        free(h->value);
        return;
    }
    req->header_count++;
}

void httpd_reply(struct httpd_req *req, int status, const char *content_type,
                 const char *body, size_t len)
{
    char length[32];
    size_t i;

    if (req->status != 0) {
        LOG_ERROR("second reply to one request ignored", "path", httpd_path(req));
        return;
    }
    req->status = status;
    snprintf(length, sizeof(length), "%zu", len);
    mg_response_header_start(req->conn, status);
    mg_response_header_add(req->conn, "Content-Type", content_type, -1);
    mg_response_header_add(req->conn, "Content-Length", length, -1);
    mg_response_header_add(req->conn, "X-Request-Id", req->request_id, -1);
    for (i = 0; i < req->header_count; i++)
        mg_response_header_add(req->conn, req->headers[i].name, req->headers[i].value, -1);
    if (req->close_connection) {
        /*
         * Without mg_disable_keep_alive, civetweb would read and discard the
         * unread body after the reply. NOTE: the function is a Debian patch
         * (civetweb 1.15+dfsg-4); upstream 1.15 does not export it.
         */
        mg_disable_keep_alive(req->conn);
        mg_response_header_add(req->conn, "Connection", "close", -1);
    }
    mg_response_header_send(req->conn);
    if (len > 0 && strcmp(req->info->request_method, "HEAD") != 0
        && mg_write(req->conn, body, len) > 0)
        req->bytes_sent = len;
}

void httpd_reply_json(struct httpd_req *req, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

    json_decref(body);
    if (text == NULL) {
        httpd_reply_error(req, 500, "internal", "reply could not be serialised");
        return;
    }
    httpd_reply(req, status, "application/json", text, strlen(text));
    free(text);
}

void httpd_reply_error(struct httpd_req *req, int status, const char *code,
                       const char *fmt, ...)
{
    char message[HTTPD_ERROR_MESSAGE_MAX];
    json_t *body;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    body = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "message", message,
                     "request_id", req->request_id);
    if (body == NULL) {
        static const char fallback[] = "{\"error\":{\"code\":\"internal\","
                                       "\"message\":\"error reply could not be built\"}}";

        httpd_reply(req, status, "application/json", fallback, sizeof(fallback) - 1);
        return;
    }
    httpd_reply_json(req, status, body);
}

/* ---- request body ---- */

static int is_chunked(const struct httpd_req *req)
{
    const char *te = httpd_header(req, "Transfer-Encoding");

    return te != NULL && strcasecmp(te, "chunked") == 0;
}

/* Grows req->body by doubling *capacity, up to max bytes (plus the NUL). */
static int grow_body(struct httpd_req *req, size_t *capacity, size_t max)
{
    size_t next = *capacity > 0 ? *capacity * 2 : HTTPD_BODY_INITIAL;
    char *grown;

    if (next > max)
        next = max;
    grown = realloc(req->body, next + 1);
    if (grown == NULL)
        return -1;
    req->body = grown;
    *capacity = next;
    return 0;
}

/*
 * Reads up to max bytes of body into req->body. Returns 0, 1 when more than
 * max bytes arrived, or -1 when out of memory.
 */
static int receive_body(struct httpd_req *req, size_t max)
{
    size_t capacity = 0;

    if (grow_body(req, &capacity, max) != 0)
        return -1;
    for (;;) {
        char probe;
        int n;

        if (req->body_len == capacity && capacity < max && grow_body(req, &capacity, max) != 0)
            return -1;
        if (req->body_len == capacity) {
            /* Reading one more byte distinguishes a body at the limit from one over it. */
            if (mg_read(req->conn, &probe, 1) > 0)
                return 1;
            break;
        }
        n = mg_read(req->conn, req->body + req->body_len, capacity - req->body_len);
        if (n <= 0)
            break;
        req->body_len += (size_t)n;
    }
    req->body[req->body_len] = '\0';
    return 0;
}

/*
 * Reads the whole body before the handler runs, so a handler never blocks on
 * the network and the limit applies to chunked bodies too. A declared
 * Content-Length over the limit is rejected before one byte of it is read.
 * Returns 0, or -1 after replying with an error.
 */
static int read_body(struct httpd_req *req)
{
    long long declared = req->info->content_length;
    size_t limit = req->srv->max_body;
    int rc;

    if (declared < 0 && !is_chunked(req))
        return 0;
    req->close_connection = 1;
    if (declared > (long long)limit) {
        httpd_reply_error(req, 413, "payload_too_large",
                          "request body of %lld bytes is over the limit of %zu bytes", declared,
                          limit);
        return -1;
    }
    /*
     * NOTE: no "100 Continue" is sent for "Expect: 100-continue". civetweb
     * 1.15 counts any byte written before mg_response_header_start as the
     * start of the response, so the real status line would be lost. RFC 9110
     * lets a client send the body after a short wait (curl waits 1 s), and a
     * body over the limit is rejected above before the client sends it.
     */
    rc = receive_body(req, declared >= 0 ? (size_t)declared : limit);
    if (rc < 0) {
        httpd_reply_error(req, 500, "internal", "out of memory for the request body");
        return -1;
    }
    if (rc > 0) {
        httpd_reply_error(req, 413, "payload_too_large",
                          "chunked request body is over the limit of %zu bytes", limit);
        return -1;
    }
    if (declared >= 0 && req->body_len != (size_t)declared) {
        httpd_reply_error(req, 400, "bad_request", "request body ended after %zu of %lld bytes",
                          req->body_len, declared);
        return -1;
    }
    /* The body was read to its end, so the connection can stay open. */
    req->close_connection = 0;
    return 0;
}

const char *httpd_body(const struct httpd_req *req, size_t *len)
{
    if (len != NULL)
        *len = req->body_len;
    return req->body ? req->body : "";
}

static int is_json_type(const char *type)
{
    size_t len;
    const char *end;

    if (type == NULL)
        return 0;
    end = strchr(type, ';');
    len = end ? (size_t)(end - type) : strlen(type);
    while (len > 0 && type[len - 1] == ' ')
        len--;
    if (len == strlen("application/json") && strncasecmp(type, "application/json", len) == 0)
        return 1;
    /* Structured syntax suffix types such as application/problem+json. */
    return len > 5 && strncasecmp(type, "application/", 12) == 0
           && strncasecmp(type + len - 5, "+json", 5) == 0;
}

json_t *httpd_body_json(struct httpd_req *req)
{
    json_error_t error;
    json_t *value;

    if (!is_json_type(httpd_header(req, "Content-Type"))) {
        httpd_reply_error(req, 415, "unsupported_media_type",
                          "Content-Type must be application/json");
        return NULL;
    }
    if (!json_guard_depth_ok(httpd_body(req, NULL), req->body_len, JSON_GUARD_MAX_DEPTH)) {
        httpd_reply_error(req, 400, "invalid_json", "JSON body nests deeper than %d levels",
                          JSON_GUARD_MAX_DEPTH);
        return NULL;
    }
    value = json_loadb(httpd_body(req, NULL), req->body_len, 0, &error);
    if (value == NULL) {
        httpd_reply_error(req, 400, "invalid_json", "invalid JSON at line %d, column %d: %s",
                          error.line, error.column, error.text);
        return NULL;
    }
    if (!json_is_object(value)) {
        json_decref(value);
        httpd_reply_error(req, 400, "invalid_json", "request body must be a JSON object");
        return NULL;
    }
    return value;
}

/* ---- access log and metrics ---- */

/* Methods kept as metric labels. Any other method is counted as "OTHER". */
static const char *method_label(const char *method)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                        "OPTIONS"};
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(method, known[i]) == 0)
            return known[i];
    }
    return "OTHER";
}

/*
 * Copies the query string into out with the values of secret-looking
 * parameters (log_key_is_secret) replaced by [REDACTED].
 */
static void redact_query(const char *query, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    while (*query != '\0' && used < size) {
        size_t pair_len = strcspn(query, "&");
        const char *eq = memchr(query, '=', pair_len);
        char key[HTTPD_PARAM_MAX];
        size_t key_len = eq ? (size_t)(eq - query) : pair_len;
        int n;

        mg_url_decode(query, (int)key_len, key, (int)sizeof(key), 1);
        if (eq != NULL && log_key_is_secret(key))
            n = snprintf(out + used, size - used, "%s%.*s=[REDACTED]", used ? "&" : "",
                         (int)key_len, query);
        else
            n = snprintf(out + used, size - used, "%s%.*s", used ? "&" : "", (int)pair_len,
                         query);
        if (n < 0)
            break;
        used += (size_t)n;
        query += pair_len;
        if (*query == '&')
            query++;
    }
}

/*
 * Returns 1 for a /healthz or /readyz request that passed. Readiness probes
 * send one every second, so their access-log events go to debug level; a
 * failed probe stays at info.
 */
static void handle_healthz(struct httpd_req *req, void *user);
static void handle_readyz(struct httpd_req *req, void *user);

static int is_passed_probe(const struct httpd_req *req)
{
    if (req->route == NULL || req->status >= 400)
        return 0;
    return req->route->handler == handle_healthz || req->route->handler == handle_readyz;
}

static void record_request(const struct httpd_req *req, double seconds)
{
    char labels[HTTPD_LABELS_MAX];
    char number[32];
    char bytes[32];
    char status[16];
    char query[HTTPD_LOGGED_QUERY_MAX];
    const char *route = req->route ? req->route->label : UNMATCHED_ROUTE;
    const char *method = method_label(req->info->request_method);
    enum log_level level = is_passed_probe(req) ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;

    snprintf(labels, sizeof(labels), "%s,route=\"%s\",method=\"%s\"", req->srv->service_label,
             route, method);
    metrics_observe(REQUEST_DURATION, labels, seconds);
    snprintf(labels, sizeof(labels), "%s,route=\"%s\",method=\"%s\",status=\"%d\"",
             req->srv->service_label, route, method, req->status);
    metrics_add(REQUESTS_TOTAL, labels, 1);

    if (!log_enabled(level))
        return;
    snprintf(number, sizeof(number), "%.3f", seconds * 1000.0);
    snprintf(bytes, sizeof(bytes), "%zu", req->bytes_sent);
    snprintf(status, sizeof(status), "%d", req->status);
    redact_query(httpd_query_string(req), query, sizeof(query));
    log_event(level, "request", "method", req->info->request_method, "path",
              httpd_path(req), "query", query, "status", status, "duration_ms", number, "bytes",
              bytes, "remote", req->info->remote_addr, NULL);
}

/* ---- built-in routes ---- */

static void handle_healthz(struct httpd_req *req, void *user)
{
    (void)user;
    httpd_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static void handle_readyz(struct httpd_req *req, void *user)
{
    char reason[HTTPD_ERROR_MESSAGE_MAX] = "";
    struct httpd *srv = user;

    if (srv->ready == NULL || srv->ready(srv->ready_user, reason, sizeof(reason)) == 0) {
        httpd_reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
        return;
    }
    httpd_reply_json(req, 503, json_pack("{s:s, s:s}", "status", "not_ready", "reason",
                                         reason[0] ? reason : "not ready"));
}

static void handle_metrics(struct httpd_req *req, void *user)
{
    char *text = metrics_render();

    (void)user;
    if (text == NULL) {
        httpd_reply_error(req, 500, "internal", "metrics could not be rendered");
        return;
    }
    httpd_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
    free(text);
}

/* ---- dispatch ---- */

static void request_free(struct httpd_req *req)
{
    size_t i;

    for (i = 0; i < req->param_count; i++)
        free(req->param_values[i]);
    for (i = 0; i < req->header_count; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->body);
}

/*
 * Routes req, reads its body and runs the handler. The route is found first
 * so that a 413 is counted under its route pattern.
 */
static void dispatch(struct httpd_req *req)
{
    char allow[128];
    struct httpd *srv = req->srv;
    int too_long;

    req->route = find_route(srv, req, allow, sizeof(allow), &too_long);
    /*
     * civetweb keeps the first MG_MAX_HEADERS (64) request headers and drops
     * the rest without notice, Content-Length included, which would let a
     * body be read as a second request. Such a request is rejected.
     */
    if (req->info->num_headers >= HTTPD_MAX_REQUEST_HEADERS) {
        req->close_connection = 1;
        httpd_reply_error(req, 431, "request_header_fields_too_large",
                          "more than %d request headers", HTTPD_MAX_REQUEST_HEADERS - 1);
        return;
    }
    if (too_long) {
        httpd_reply_error(req, 414, "uri_too_long",
                          "the path is over %d bytes or a path parameter over %d bytes",
                          HTTPD_PARAM_MAX * 4 - 1, HTTPD_PARAM_MAX - 1);
        return;
    }
    if (read_body(req) != 0)
        return;
    if (req->route != NULL) {
        req->route->handler(req, req->route->user);
    } else if (allow[0] != '\0') {
        httpd_set_header(req, "Allow", allow);
        httpd_reply_error(req, 405, "method_not_allowed", "%s is not allowed on this path",
                          req->info->request_method);
    } else if (srv->not_found != NULL) {
        srv->not_found(req, srv->not_found_user);
    } else {
        httpd_reply_error(req, 404, "not_found", "no route for %s", httpd_path(req));
    }
    if (req->status == 0)
        httpd_reply_error(req, 500, "internal", "the handler sent no reply");
}

static int on_request(struct mg_connection *conn)
{
    struct httpd_req req;
    struct timespec start;
    struct timespec end;
    const char *given_id;

    memset(&req, 0, sizeof(req));
    clock_gettime(CLOCK_MONOTONIC, &start);
    req.srv = mg_get_user_data(mg_get_context(conn));
    req.conn = conn;
    req.info = mg_get_request_info(conn);
    given_id = mg_get_header(conn, "X-Request-Id");
    if (request_id_valid(given_id))
        snprintf(req.request_id, sizeof(req.request_id), "%s", given_id);
    else
        generate_request_id(req.request_id, sizeof(req.request_id));
    log_set_request_id(req.request_id);

    dispatch(&req);

    clock_gettime(CLOCK_MONOTONIC, &end);
    record_request(&req, (double)(end.tv_sec - start.tv_sec)
                             + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    log_set_request_id(NULL);
    request_free(&req);
    return req.status;
}

/* Sends civetweb's own error messages to the structured log. */
static int on_log_message(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    LOG_WARN("civetweb", "detail", message);
    return 1;
}

/* ---- lifecycle ---- */

static int define_metrics(void)
{
    int rc = metrics_define(REQUESTS_TOTAL, "HTTP requests served, by route pattern and status.",
                            METRICS_COUNTER);

    if (rc == HITO_OK)
        rc = metrics_define(REQUEST_DURATION,
                            "Time from the request head to the end of the reply, in seconds.",
                            METRICS_HISTOGRAM);
    return rc;
}

struct httpd *httpd_new(const struct httpd_options *opts, struct hito_error *err)
{
    struct httpd *srv = calloc(1, sizeof(*srv));
    char label[HTTPD_LABELS_MAX];
    char escaped[HTTPD_LABELS_MAX / 2];

    if (srv == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory for the HTTP server");
        return NULL;
    }
    metrics_escape_label(opts->service ? opts->service : "hito", escaped, sizeof(escaped));
    snprintf(label, sizeof(label), "service=\"%s\"", escaped);
    srv->service = strdup(opts->service ? opts->service : "hito");
    srv->service_label = strdup(label);
    srv->listen = strdup(opts->listen ? opts->listen : "127.0.0.1:0");
    srv->threads = opts->threads > 0 ? opts->threads : HTTPD_DEFAULT_THREADS;
    srv->max_body = opts->max_body_bytes > 0 ? opts->max_body_bytes : HTTPD_DEFAULT_MAX_BODY;
    srv->request_timeout_ms = opts->request_timeout_ms > 0 ? opts->request_timeout_ms
                                                           : HTTPD_DEFAULT_REQUEST_TIMEOUT_MS;
    srv->ready = opts->ready;
    srv->ready_user = opts->ready_user;
    if (srv->service == NULL || srv->service_label == NULL || srv->listen == NULL
        || define_metrics() != HITO_OK || httpd_route(srv, "GET", "/healthz", handle_healthz, srv)
        || httpd_route(srv, "GET", "/readyz", handle_readyz, srv)
        || httpd_route(srv, "GET", "/metrics", handle_metrics, srv)) {
        hito_error_set(err, HITO_ERR_NOMEM, "HTTP server set-up failed");
        httpd_free(srv);
        return NULL;
    }
    return srv;
}

int httpd_start(struct httpd *srv, struct hito_error *err)
{
    char threads[16];
    char request_timeout[16];
    char error_text[256] = "";
    unsigned error_code = 0;
    struct mg_server_port port;
    struct mg_callbacks callbacks;
    struct mg_init_data init;
    struct mg_error_data error = {&error_code, error_text, sizeof(error_text)};
    const char *options[] = {
        "listening_ports", srv->listen,
        "num_threads", threads,
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", HTTPD_KEEP_ALIVE_MS,
        /* civetweb 1.15 also uses it as the time-out of each read and write. */
        "request_timeout_ms", request_timeout,
        /*
         * civetweb sends the head and the body in separate writes. With
         * Nagle's algorithm the body then waits for the client's delayed
         * ACK (about 40 ms on Linux) on every kept-alive request.
         */
        "tcp_nodelay", "1",
        NULL,
    };

    pthread_once(&civetweb_once, init_civetweb);
    snprintf(threads, sizeof(threads), "%d", srv->threads);
    snprintf(request_timeout, sizeof(request_timeout), "%d", srv->request_timeout_ms);
    memset(&callbacks, 0, sizeof(callbacks));
    callbacks.begin_request = on_request;
    callbacks.log_message = on_log_message;
    init.callbacks = &callbacks;
    init.user_data = srv;
    init.configuration_options = options;
    srv->ctx = mg_start2(&init, &error);
    if (srv->ctx == NULL)
        return hito_error_set(err, HITO_ERR_IO, "%s: cannot listen on %s: %s", srv->service,
                              srv->listen, error_text[0] ? error_text : "civetweb failed");
    if (mg_get_server_ports(srv->ctx, 1, &port) < 1) {
        mg_stop(srv->ctx);
        srv->ctx = NULL;
        return hito_error_set(err, HITO_ERR_IO, "%s: no listening port on %s", srv->service,
                              srv->listen);
    }
    srv->port = port.port;
    LOG_INFO("server started", "listen", srv->listen, "service", srv->service);
    return HITO_OK;
}

int httpd_port(const struct httpd *srv)
{
    return srv->port;
}

void httpd_free(struct httpd *srv)
{
    size_t i;

    if (srv == NULL)
        return;
    if (srv->ctx != NULL) {
        mg_stop(srv->ctx);
        LOG_INFO("server stopped", "listen", srv->listen);
    }
    for (i = 0; i < srv->route_count; i++)
        route_free(&srv->routes[i]);
    free(srv->service);
    free(srv->service_label);
    free(srv->listen);
    free(srv);
}

/* ---- request accessors ---- */

const char *httpd_method(const struct httpd_req *req)
{
    return req->info->request_method;
}

const char *httpd_path(const struct httpd_req *req)
{
    if (req->info->local_uri_raw != NULL)
        return req->info->local_uri_raw;
    return req->info->local_uri ? req->info->local_uri : "/";
}

const char *httpd_query_string(const struct httpd_req *req)
{
    return req->info->query_string ? req->info->query_string : "";
}

const char *httpd_request_id(const struct httpd_req *req)
{
    return req->request_id;
}

const char *httpd_header(const struct httpd_req *req, const char *name)
{
    return mg_get_header(req->conn, name);
}

const char *httpd_param(const struct httpd_req *req, const char *name)
{
    size_t i;
    size_t len = strlen(name);

    /* Parameter names are stored with their braces: "{id}". */
    for (i = 0; i < req->param_count; i++) {
        const char *stored = req->param_names[i];

        if (strlen(stored) == len + 2 && strncmp(stored + 1, name, len) == 0)
            return req->param_values[i];
    }
    return NULL;
}

const char *httpd_remote_addr(const struct httpd_req *req)
{
    return req->info->remote_addr;
}

int httpd_query(const struct httpd_req *req, const char *name, char *buf, size_t size)
{
    const char *query = httpd_query_string(req);
    int n = mg_get_var(query, strlen(query), name, buf, size);

    return n < 0 ? -1 : n;
}

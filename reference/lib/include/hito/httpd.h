/*
 * httpd.h - the HTTP server every hito service and emulator runs on.
 *
 * Built on civetweb (one worker thread per open connection, so the thread
 * count is sized for the connections a gateway keeps open). It adds a router
 * with path parameters, JSON replies, a request id read from X-Request-Id or
 * generated and echoed back, and one access-log event per request. A body
 * limit rejects a larger body with 413 before reading it. /healthz, /readyz
 * and /metrics serve health, readiness and Prometheus metrics (request counts
 * and latency histograms by route, method and status).
 */
#ifndef HITO_HTTPD_H
#define HITO_HTTPD_H

#include <stddef.h>
#include <jansson.h>

#include "hito/err.h"

#define HTTPD_MAX_PATH_PARAMS 8

struct httpd;
struct httpd_req;

/*
 * Handles one request. The handler must send exactly one reply with one of
 * the httpd_reply* functions. If it returns without one, the server sends
 * 500. It runs on a civetweb worker thread.
 */
typedef void (*httpd_handler)(struct httpd_req *req, void *user);

/* Reports readiness for /readyz: 0 ready, else fills reason (size bytes). */
typedef int (*httpd_ready_check)(void *user, char *reason, size_t size);

struct httpd_options {
    const char *service;       /* name in logs and metrics */
    const char *listen;        /* "127.0.0.1:8080"; civetweb listening_ports syntax */
    int threads;               /* worker threads = max concurrent connections */
    size_t max_body_bytes;     /* larger bodies get 413 before they are read */
    httpd_ready_check ready;   /* NULL: ready as soon as it listens */
    void *ready_user;
    int request_timeout_ms;    /* time to receive a request's head and body; 0: default */
};

/* Default number of worker threads and body limit when options leave 0. */
#define HTTPD_DEFAULT_THREADS 64
#define HTTPD_DEFAULT_MAX_BODY (1024 * 1024)
/*
 * Default time allowed to receive a request's head and body, in milliseconds.
 * civetweb 1.15 keeps one worker thread per connection, so a client that
 * sends half a request occupies a thread until this time-out drops it.
 */
#define HTTPD_DEFAULT_REQUEST_TIMEOUT_MS 10000

/* Creates a server (not yet listening); NULL with err filled on failure. */
struct httpd *httpd_new(const struct httpd_options *opts, struct hito_error *err);

/*
 * Adds a route. method is "GET", "POST", ... or "*"; pattern is a path with
 * "{name}" segments, for example "/v1/users/{id}/grants". Routes are tried in
 * the order they were added. A path that matches no pattern gets 404, a path
 * that matches only with another method gets 405 with an Allow header.
 */
int httpd_route(struct httpd *srv, const char *method, const char *pattern,
                httpd_handler handler, void *user);

/* Sets the handler for paths no route matches (default: JSON 404). */
void httpd_set_not_found(struct httpd *srv, httpd_handler handler, void *user);

/* Starts listening; returns HITO_ERR_IO with the reason when the port is taken. */
int httpd_start(struct httpd *srv, struct hito_error *err);

/* Returns the port the server listens on (useful with port 0 in tests). */
int httpd_port(const struct httpd *srv);

/* Stops listening, waits for running handlers and frees the server. */
void httpd_free(struct httpd *srv);

/* Request accessors. Returned strings live as long as the request. */
const char *httpd_method(const struct httpd_req *req);
const char *httpd_path(const struct httpd_req *req);
const char *httpd_query_string(const struct httpd_req *req);   /* "" when none */
const char *httpd_request_id(const struct httpd_req *req);
const char *httpd_header(const struct httpd_req *req, const char *name); /* NULL if absent */
const char *httpd_param(const struct httpd_req *req, const char *name);  /* path parameter */
const char *httpd_remote_addr(const struct httpd_req *req);

/*
 * Copies the URL-decoded query parameter name into buf; returns its length,
 * or -1 when it is absent or does not fit.
 */
int httpd_query(const struct httpd_req *req, const char *name, char *buf, size_t size);

/* The raw request body, exactly as received (not NUL-terminated past len). */
const char *httpd_body(const struct httpd_req *req, size_t *len);

/*
 * Parses the body as a JSON object. On failure sends a 400 error reply
 * (or 415 when Content-Type is not JSON) and returns NULL. A body nested
 * deeper than JSON_GUARD_MAX_DEPTH (json_guard.h) gets 400 without being parsed. The caller
 * owns the returned reference.
 */
json_t *httpd_body_json(struct httpd_req *req);

/* Adds a response header for the reply that follows. */
void httpd_set_header(struct httpd_req *req, const char *name, const char *value);

/* Sends status with a body of the given content type. */
void httpd_reply(struct httpd_req *req, int status, const char *content_type,
                 const char *body, size_t len);

/* Sends status with body serialised compactly; steals the reference. */
void httpd_reply_json(struct httpd_req *req, int status, json_t *body);

/*
 * Sends the service error shape:
 * {"error":{"code":"<code>","message":"<message>","request_id":"<id>"}}
 */
void httpd_reply_error(struct httpd_req *req, int status, const char *code,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

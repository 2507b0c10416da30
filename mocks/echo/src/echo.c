/*
 * echo.c - builds the echo reply and applies the delay and status that a
 * request sets.
 */
#include "echo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hito/log.h"

/*
 * The identity headers the gateway sets from token claims, the request id
 * and the forwarding headers. Anything a route does not list never reaches
 * the backend, so an absent header here is information too.
 */
const char *const echo_header_names[] = {
    "X-User-Id",
    "X-Org-Id",
    "X-User-Roles",
    "X-Request-Id",
    "Content-Type",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "Forwarded",
    "User-Agent",
    "Origin",
    NULL,
};

static int parse_long(const char *text, long min, long max, long *out)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

int echo_control_parse(const char *delay, const char *status, struct echo_control *out,
                       struct hito_error *err)
{
    long delay_ms = 0;
    long code = 200;

    if (delay != NULL && parse_long(delay, 0, ECHO_MAX_DELAY_MS, &delay_ms) != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "invalid delay \"%.*s\": expected milliseconds from 0 to %d",
                              ECHO_CONTROL_MAX, delay, ECHO_MAX_DELAY_MS);
    if (status != NULL && parse_long(status, 100, 599, &code) != 0)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "invalid status \"%.*s\": expected a number from 100 to 599",
                              ECHO_CONTROL_MAX, status);
    out->delay_ms = delay_ms;
    out->status = (int)code;
    return HITO_OK;
}

json_t *echo_describe(const struct httpd_req *req)
{
    json_t *reply = json_object();
    json_t *headers = json_object();
    size_t body_len = 0;
    const char *const *name;

    if (reply == NULL || headers == NULL)
        goto fail;
    for (name = echo_header_names; *name != NULL; name++) {
        const char *value = httpd_header(req, *name);

        if (value != NULL && json_object_set_new(headers, *name, json_string(value)) != 0)
            goto fail;
    }
    httpd_body(req, &body_len);
    if (json_object_set_new(reply, "method", json_string(httpd_method(req))) != 0 ||
        json_object_set_new(reply, "path", json_string(httpd_path(req))) != 0 ||
        json_object_set_new(reply, "query", json_string(httpd_query_string(req))) != 0 ||
        json_object_set_new(reply, "request_id", json_string(httpd_request_id(req))) != 0 ||
        json_object_set_new(reply, "body_bytes", json_integer((json_int_t)body_len)) != 0 ||
        json_object_set_new(reply, "has_authorization",
                            json_boolean(httpd_header(req, "Authorization") != NULL)) != 0)
        goto fail;
    /* json_object_set_new releases headers even when it fails. */
    if (json_object_set_new(reply, "headers", headers) != 0) {
        json_decref(reply);
        return NULL;
    }
    return reply;

fail:
    json_decref(headers);
    json_decref(reply);
    return NULL;
}

/* Reads a control value from the query, else from the header. */
static const char *control_value(const struct httpd_req *req, const char *param,
                                 const char *header, char *buf, size_t size)
{
    if (httpd_query(req, param, buf, size) >= 0)
        return buf;
    return httpd_header(req, header);
}

static void sleep_ms(long ms)
{
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

void echo_handle(struct httpd_req *req, void *user)
{
    char delay_buf[ECHO_CONTROL_MAX];
    char status_buf[ECHO_CONTROL_MAX];
    struct echo_control control;
    struct hito_error err;
    json_t *reply;
    const char *delay;
    const char *status;

    (void)user;
    delay = control_value(req, "echo_delay_ms", "X-Echo-Delay-Ms", delay_buf, sizeof(delay_buf));
    status = control_value(req, "echo_status", "X-Echo-Status", status_buf, sizeof(status_buf));
    if (echo_control_parse(delay, status, &control, &err) != HITO_OK) {
        httpd_reply_error(req, 400, "invalid_control", "%s", err.message);
        return;
    }
    if (control.delay_ms > 0)
        sleep_ms(control.delay_ms);
    reply = echo_describe(req);
    if (reply == NULL) {
        httpd_reply_error(req, 500, "internal", "out of memory while building the reply");
        return;
    }
    httpd_reply_json(req, control.status, reply);
}

/*
 * echo.h - the echo backend: a stand-in for the platform services that do
 * not exist yet (marketplace, delivery, payment) and the backend of the
 * gateway's own test routes under /v1/gateway/. It replies with a JSON
 * description of the request it got, so a test can see what the gateway
 * forwarded: method, path, query, the identity and forwarding headers, and
 * the body size. The body itself and the Authorization value are never
 * echoed.
 *
 * A request may ask for a delay or an error status, through the query
 * parameters echo_delay_ms and echo_status or the headers X-Echo-Delay-Ms and
 * X-Echo-Status (the query wins). KrakenD forwards a query parameter or a
 * header only when the route lists it, so both ways are offered.
 */
#ifndef HITO_ECHO_H
#define HITO_ECHO_H

#include <jansson.h>

#include "hito/err.h"
#include "hito/httpd.h"

/* Upper bound of a requested delay, so a test cannot park a worker for long. */
#define ECHO_MAX_DELAY_MS 5000
/* Default request-body limit; larger bodies get 413 from httpd. */
#define ECHO_DEFAULT_MAX_BODY (64 * 1024)
/* Maximum length of a control value read from the query or a header. */
#define ECHO_CONTROL_MAX 16

/* Delay and status that a request sets for its own reply. */
struct echo_control {
    long delay_ms; /* 0..ECHO_MAX_DELAY_MS */
    int status;    /* reply status, 200 unless the request sets 100..599 */
};

/*
 * Parses the requested delay and status; either string may be NULL (not
 * requested). A value that is not a number in range gives HITO_ERR_INVALID
 * with the value and the range in err, and leaves out unchanged.
 */
int echo_control_parse(const char *delay, const char *status, struct echo_control *out,
                       struct hito_error *err);

/*
 * Builds the JSON description of req: method, path, query, request_id,
 * body_bytes, has_authorization and the headers of echo_header_names that
 * are present. Returns a new reference, or NULL when out of memory.
 */
json_t *echo_describe(const struct httpd_req *req);

/* Request headers echo_describe copies, NULL-terminated. */
extern const char *const echo_header_names[];

/*
 * Handles any request (registered as httpd's not-found handler so that every
 * path is echoed): applies the control, then replies with echo_describe and
 * the requested status, or with 400 when the control is invalid.
 */
void echo_handle(struct httpd_req *req, void *user);

#endif

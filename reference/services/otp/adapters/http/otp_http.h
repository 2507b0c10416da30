/*
 * otp_http.h - the OTP service's HTTP API (see openapi.yaml):
 *   POST /v1/otp            issue a code and send it on WhatsApp
 *   POST /v1/otp/issue      the same, under the gateway's route name
 *   POST /v1/otp/verify     verify a code, returning a signed proof
 *   POST /v1/totp/enrol     create a staff TOTP secret
 *   POST /v1/totp/verify    verify a staff TOTP code
 * /healthz, /readyz and /metrics come from hito/httpd.h.
 */
#ifndef OTP_HTTP_H
#define OTP_HTTP_H

#include <stddef.h>

#include "hito/err.h"
#include "hito/httpd.h"
#include "otp_service.h"
#include "otp_totp.h"

#define OTP_HTTP_CLIENT_ID_SIZE 128

/*
 * Authenticates the calling service from its Authorization header (NULL
 * when absent). Returns 0 and copies the client id (size bytes), or a
 * result of hito/service_auth.h with a reason in err: HITO_ERR_AUTH (401),
 * HITO_ERR_FORBIDDEN (403) or HITO_ERR_UNAVAILABLE (503).
 */
typedef int (*otp_http_authenticate_fn)(void *user, const char *authorization,
                                        char *client_id, size_t size,
                                        struct hito_error *err);

struct otp_http_deps {
    struct otp_service *service;
    const struct otp_totp_deps *totp;
    otp_http_authenticate_fn authenticate;
    otp_http_authenticate_fn authenticate_enrol; /* POST /v1/totp/enrol */
    void *authenticate_user;
};

/* Defines the service's metric families; call once before serving. */
void otp_http_define_metrics(void);

struct otp_http;

/*
 * Adds the API routes to srv. deps is copied; what it points to must
 * outlive the server. Free the result after httpd_free(srv).
 */
struct otp_http *otp_http_new(struct httpd *srv,
                              const struct otp_http_deps *deps,
                              struct hito_error *err);
void otp_http_free(struct otp_http *http);

#endif

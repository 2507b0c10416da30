/*
 * iabot_http.h - the IA bot's HTTP API (openapi.yaml) on hito/httpd.h.
 *
 * Callers need one of the roles of zitadel/model.json listed in
 * IABOT_ROLE_CLIENT for analysing messages and sending feedback, and one of
 * IABOT_ROLE_ADMIN for training runs, promotion and rollback.
 */
#ifndef IABOT_HTTP_H
#define IABOT_HTTP_H

#include "hito/httpd.h"
#include "hito/service_auth.h"
#include "iabot_service.h"

/* Space-separated lists: any one role of the list is enough. */
#define IABOT_ROLE_CLIENT "svc-orchestrator support admin"
#define IABOT_ROLE_ADMIN "admin"

/*
 * Checks the Authorization header (NULL when absent) for one of roles.
 * Returns HITO_OK or a result of hito/service_auth.h: HITO_ERR_AUTH (sent
 * as 401: no token or a rejected one), HITO_ERR_FORBIDDEN (403: a valid
 * token without the role) or HITO_ERR_UNAVAILABLE (503: the signing keys
 * cannot be fetched).
 */
typedef int (*iabot_http_authorise_fn)(void *user, const char *authorization,
                                       const struct service_roles *roles,
                                       struct hito_error *err);

struct iabot_http_options {
    struct iabot_service *service;
    iabot_http_authorise_fn
        authorise; /* NULL: no authentication (tests only) */
    void *authorise_user;
    /* Filled by iabot_http_routes from IABOT_ROLE_CLIENT and _ADMIN. */
    struct service_roles client_roles;
    struct service_roles admin_roles;
};

/*
 * Adds the routes to srv. opts and the service must outlive srv. Returns
 * HITO_ERR_INVALID when a role list is malformed, HITO_ERR_NOMEM when a
 * route cannot be added.
 */
int iabot_http_routes(struct httpd *srv, struct iabot_http_options *opts,
                      struct hito_error *err);

#endif

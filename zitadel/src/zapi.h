/*
 * zapi.h - a small client of ZITADEL's Management and Admin REST API (JSON
 * over HTTP), with a replaceable transport so tests can supply responses.
 */
#ifndef HITO_ZITADEL_ZAPI_H
#define HITO_ZITADEL_ZAPI_H

#include <jansson.h>

#include "hito/err.h"

#define ZAPI_MAX_URL 1024
#define ZAPI_MAX_TOKEN 4096

/* Sends one request; on success *status and a malloc'd *body are set. */
typedef int (*zapi_transport)(void *user, const char *method, const char *url,
                              const char *const *headers, const char *body, long *status,
                              char **response, struct hito_error *err);

struct zapi {
    char base[ZAPI_MAX_URL];               /* e.g. http://localhost:22080 */
    char authorization[ZAPI_MAX_TOKEN + 32];
    char org_header[96];                   /* "x-zitadel-orgid: <id>" or "" */
    zapi_transport transport;              /* NULL: httpc */
    void *transport_user;
};

/* Outcome of a write, as an idempotent provisioner counts it. */
enum zapi_outcome {
    ZAPI_CHANGED,     /* 2xx */
    ZAPI_EXISTS,      /* 409: a create found the object already there */
    ZAPI_UNCHANGED,   /* 400 FAILED_PRECONDITION on an update: nothing to change */
    ZAPI_FAILED
};

struct zapi_response {
    long status;
    json_t *body;                          /* parsed body or NULL; owned */
    int grpc_code;                         /* ZITADEL's "code", 0 when absent */
    char message[256];                     /* ZITADEL's "message", "" when absent */
};

/* Initialises api for base with the bearer token; no request is sent. */
int zapi_init(struct zapi *api, const char *base, const char *token, struct hito_error *err);

/* Sets (or with NULL clears) the organisation later calls act in. */
void zapi_set_org(struct zapi *api, const char *org_id);

/*
 * Sends method path (e.g. "/management/v1/projects/_search") with body, a
 * borrowed JSON value. A NULL body sends {} on POST and PUT, nothing
 * otherwise. Returns HITO_OK once any response arrived; res must be released
 * with zapi_response_free.
 */
int zapi_call(struct zapi *api, const char *method, const char *path, json_t *body,
              struct zapi_response *res, struct hito_error *err);

void zapi_response_free(struct zapi_response *res);

/*
 * Classifies a write. update is nonzero for PUT-like calls, where ZITADEL
 * returns 400 with gRPC code 9 (FAILED_PRECONDITION) when nothing changed.
 */
enum zapi_outcome zapi_classify(const struct zapi_response *res, int update);

#endif

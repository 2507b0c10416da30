/*
 * provision.h - brings a ZITADEL instance in line with the identity model:
 * reads first, creates what is missing, updates what differs, and writes
 * the ids and secrets services need to the outputs.
 *
 * Every write is reported on the log stream as one line ("created ...",
 * "updated ...", "exists ...", "unchanged ...", or with plan "would ...").
 * A 409 on a create and a 400 FAILED_PRECONDITION on an update count as no
 * change, so a second run reports "0 changes".
 */
#ifndef HITO_ZITADEL_PROVISION_H
#define HITO_ZITADEL_PROVISION_H

#include <stdio.h>

#include <jansson.h>

#include "hito/err.h"
#include "outputs.h"
#include "zapi.h"

/* Length of generated test-user passwords; the model's minLength may ask more. */
#define PROVISION_PASSWORD_LEN 20
#define PROVISION_MAX_PASSWORD_LEN 72
#define PROVISION_MAX_SCRIPT_BYTES (64 * 1024)

struct provision {
    struct zapi *api;
    json_t *model;                /* validated (model_load) */
    const char *model_dir;        /* action scripts are relative to it */
    struct outputs *out;          /* read for existing secrets, filled with results */
    int plan;                     /* nonzero: read only, print what would change */
    FILE *log;
    int changes;                  /* writes done, or planned with plan */
    char org_id[64];
    char project_id[64];
};

/*
 * Runs every step. Errors name the object, the HTTP status and ZITADEL's
 * message, e.g. "create project \"hito platform\": HTTP 403: No matching
 * permissions found (AUTH-5mWD2)".
 */
int provision_run(struct provision *p, struct hito_error *err);

/*
 * Decides the policy write: "POST" when the current policy (the GET body's
 * "policy" object) is the instance default, "PUT" when it differs from
 * wanted, NULL when it already matches. Fields compared are wanted's keys.
 */
const char *provision_policy_method(json_t *current, json_t *wanted);

/*
 * Fills buf (size > len) with a password of len (4 to
 * PROVISION_MAX_PASSWORD_LEN) characters containing at least one upper-case
 * letter, lower-case letter, digit and symbol, from OpenSSL's RAND_bytes. Symbols avoid quotes, '$', '\\' and '`' so the
 * value is safe in a shell-sourced settings file.
 */
int provision_generate_password(char *buf, size_t size, size_t len);

#endif

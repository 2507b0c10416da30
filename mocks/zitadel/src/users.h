/*
 * users.h - user functions shared by the API handlers, the session API and
 * the first-instance setup.
 */
#ifndef ZITADEL_USERS_H
#define ZITADEL_USERS_H

#include <stddef.h>
#include <jansson.h>

#include "server.h"

/* Returns nonzero when password matches the user's stored salted hash. */
int users_password_ok(const json_t *user, const char *password);

/*
 * Returns the policy of kind ("complexity" or "lockout") for org_id, falling
 * back to the instance default (borrowed).
 */
json_t *users_policy(json_t *doc, const char *kind, const char *org_id);

/*
 * Imports a human user from an ImportHumanUser body into org_id, checking
 * the password against the org's complexity policy. Returns the stored user
 * (borrowed), or NULL after setting a 400, 409 or 429 error.
 */
json_t *users_import_human(struct zreq *z, const json_t *body, const char *org_id);

/*
 * Stores a new user (takes the reference): sets id, state, login names and
 * details stamps in org_id. Returns the user (borrowed).
 */
json_t *users_insert(struct zreq *z, json_t *user, const char *org_id);

/*
 * Creates a PAT for user_id expiring at exp (seconds); the token goes to out
 * and its id to token_id (STORE_ID_SIZE bytes, may be NULL).
 */
int users_pat_create(struct store *st, const char *user_id, double exp, char *out, size_t size,
                     char *token_id);

#endif

/*
 * store.h - the emulator's state: one JSON document kept in memory behind a
 * mutex and written to a file after each change (write to a temporary file,
 * fsync, rename), so a restart finds the same instance.
 *
 * The document contains collections (JSON objects keyed by id) named by the
 * STORE_* constants below. Internal fields start with '_' and never reach
 * API output (see zjson_public).
 */
#ifndef ZITADEL_STORE_H
#define ZITADEL_STORE_H

#include <stddef.h>
#include <jansson.h>

#include "hito/err.h"

#define STORE_ORGS "orgs"
#define STORE_PROJECTS "projects"
#define STORE_APPS "apps"
#define STORE_USERS "users"
#define STORE_GRANTS "grants"
#define STORE_ACTIONS "actions"
#define STORE_FLOWS "flows"           /* "<orgId>/<flowType>/<triggerType>" -> [actionIds] */
#define STORE_POLICIES "policies"     /* "<kind>/<orgId or default>" -> policy */
#define STORE_PATS "pats"             /* SHA-256 hex of the token -> {userId, exp} */
#define STORE_TOKENS "tokens"         /* access and refresh tokens: hash or "jti:<jti>" */
#define STORE_CODES "codes"           /* authorization codes by hash */
#define STORE_AUTH_REQUESTS "authRequests"
#define STORE_SESSIONS "sessions"
#define STORE_USER_KEYS "userKeys"    /* machine user keys for the JWT profile grant */

/* Maximum number of objects in one collection. Inserts beyond it fail. */
#define STORE_MAX_OBJECTS 20000
/* Size of an id buffer: ZITADEL ids are 18 decimal digits. */
#define STORE_ID_SIZE 24

struct store;

/*
 * Opens the state file at path, or starts an empty document when the file
 * does not exist. A file that is not a JSON object is HITO_ERR_INVALID.
 */
int store_open(const char *path, struct store **out, struct hito_error *err);
void store_free(struct store *st);

/* Serialises access to the document. Every handler keeps the lock while it works. */
void store_lock(struct store *st);
void store_unlock(struct store *st);

/* Returns the root document (borrowed; only with the lock held). */
json_t *store_doc(struct store *st);

/* Returns collection name, created empty when missing (borrowed). */
json_t *store_coll(struct store *st, const char *name);

/* Returns nonzero when the collection has room for one more object. */
int store_has_room(struct store *st, const char *name);

/* Writes a new numeric id, unique in this instance, into buf. */
void store_next_id(struct store *st, char *buf, size_t size);

/* Returns the next event sequence number, as ZITADEL's details carry it. */
long long store_next_sequence(struct store *st);

/* Stamps obj with fresh _sequence/_created/_changed and its resource owner. */
void store_stamp_new(struct store *st, json_t *obj, const char *resource_owner);

/* Updates obj's _sequence and _changed after a change. */
void store_stamp_change(struct store *st, json_t *obj);

/* Returns obj's details object (new reference). */
json_t *store_details(const json_t *obj);

/* Writes the document to its file atomically. */
int store_save(struct store *st, struct hito_error *err);

/* Removes entries of a collection whose "exp" (seconds) lies before now. */
void store_prune_expired(struct store *st, const char *name, double now);

/* Returns the current time in seconds since the epoch. */
double store_now(void);

#endif

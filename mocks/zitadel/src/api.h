/*
 * api.h - helpers shared by the Management and Admin API handlers: object
 * output, list replies with ZITADEL's search queries, and common checks.
 */
#ifndef ZITADEL_API_H
#define ZITADEL_API_H

#include <jansson.h>

#include "server.h"

/* ZITADEL caps list results at 1000 per request. */
#define API_MAX_LIMIT 1000

/* Returns the public form of a stored object with its details (new reference). */
json_t *api_object(const json_t *obj);

/*
 * Filters objects (an array of stored objects, borrowed) by the request's
 * "queries" and pages them by "query" {offset, limit}. Sets the list reply
 * {"details": {totalResult, viewTimestamp}, "result": [...]} and returns 0,
 * or -1 after a 400 for an unknown or malformed query.
 */
int api_list_reply(struct zreq *z, const json_t *body, json_t *objects);

/* Handles a _search request over the objects of a collection in the request's org. */
void api_search_org(struct zreq *z, const char *collection);

/* Sets {"details": ...} of obj as a 200 reply. */
void api_details_reply(struct zreq *z, const json_t *obj);

/* Sets {"<id_key>": id, "details": ...} of obj as a 200 reply. */
void api_created_reply(struct zreq *z, const char *id_key, const json_t *obj);

/* Returns a stored object of a collection by the path parameter name (borrowed). */
json_t *api_get(struct zreq *z, const char *collection, const char *param);

/* Returns nonzero when the object belongs to the request's org. */
int api_in_org(const struct zreq *z, const json_t *obj);

/* Sets 409 ALREADY_EXISTS with ZITADEL's wording for a duplicate. */
void api_conflict(struct zreq *z, const char *what);

/* Sets 404 NOT_FOUND for a missing object. */
void api_not_found(struct zreq *z, const char *what);

/* Sets 400 FAILED_PRECONDITION "<what> has not been changed" (ZITADEL's NotChanged). */
void api_not_changed(struct zreq *z, const char *what);

/*
 * Applies the fields of next to current, stamps the change, marks the state
 * changed and replies with the details. When that changes nothing, it sets
 * 400 FAILED_PRECONDITION "<what> has not been changed" in place.
 */
void api_apply_update(struct zreq *z, json_t *current, const json_t *next, const char *what);

/* Like api_apply_update, but takes the reference to next. */
void api_apply_update_new(struct zreq *z, json_t *current, json_t *next, const char *what);

/*
 * Inserts obj (reference taken) into a collection with a fresh id, its
 * stamps and resource owner, marks the state changed and returns obj (borrowed).
 */
json_t *api_insert(struct zreq *z, const char *collection, json_t *obj, const char *owner);

/* Sets 429 when a collection is full; returns -1 then, else 0. */
int api_check_room(struct zreq *z, const char *collection);

/* Creates a random secret (returned in out) and stores its hash in obj._secretHash. */
int api_new_secret(json_t *obj, char *out, size_t size);

/*
 * Creates an org named name with its derived primary domain (borrowed from
 * the state); NULL after a 409 for a duplicate name or a 429 when full.
 */
json_t *mgmt_org_create(struct zreq *z, const char *name);

#endif

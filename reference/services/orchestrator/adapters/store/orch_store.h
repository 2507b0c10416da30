/*
 * orch_store.h - the conversation store: PostgreSQL (db.h) is the durable
 * record of conversations and turns; Redis (redisc.h) caches each
 * conversation for ORCH_STORE_CACHE_SECONDS, so a turn reads PostgreSQL
 * only for a customer not seen recently. Writes go to PostgreSQL first;
 * a failed cache write drops the cached copy.
 */
#ifndef ORCH_STORE_H
#define ORCH_STORE_H

#include <jansson.h>

#include "hito/db.h"
#include "hito/redisc.h"
#include "orch_ports.h"

#define ORCH_STORE_CACHE_SECONDS 3600
#define ORCH_STORE_ACQUIRE_MS 2000

struct orch_pg_store;

/* Both stay the caller's and must outlive the store. */
struct orch_pg_store *orch_store_new(struct db_pool *db, struct redisc *redis,
                                     struct hito_error *err);
void orch_store_free(struct orch_pg_store *store);

/* Returns the port. */
struct orch_store orch_store_port(struct orch_pg_store *store);

#endif

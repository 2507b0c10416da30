/*
 * wa_pg.h - the message store and the outbox on PostgreSQL (database
 * whatsapp, migrations/), through hito/db.h's pool.
 */
#ifndef WA_PG_H
#define WA_PG_H

#include "hito/db.h"
#include "wa_ports.h"

struct wa_pg;

/* Wraps pool (not owned, must outlive the store). NULL when out of memory. */
struct wa_pg *wa_pg_new(struct db_pool *pool, struct hito_error *err);
void wa_pg_free(struct wa_pg *pg);

struct wa_store wa_pg_store(struct wa_pg *pg);
struct wa_outbox wa_pg_outbox(struct wa_pg *pg);

#endif

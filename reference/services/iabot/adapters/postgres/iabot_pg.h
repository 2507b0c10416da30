/*
 * iabot_pg.h - the IA bot's store (ports/iabot_ports.h) in PostgreSQL,
 * tables of migrations/0001_iabot.sql. Models are stored as bytea and sent
 * as hex text, so a model blob of n bytes travels as 2n characters.
 */
#ifndef IABOT_PG_H
#define IABOT_PG_H

#include "hito/db.h"
#include "iabot_ports.h"

/* Fills store with the PostgreSQL implementation on pool (not owned). */
void iabot_pg_store(struct db_pool *pool, struct iabot_store *store);

#endif

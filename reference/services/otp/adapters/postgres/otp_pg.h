/*
 * otp_pg.h - the audit trail and the staff TOTP store on PostgreSQL
 * (database otp, role otp), through hito/db.h's pool.
 *
 * TOTP secrets are stored sealed with AES-256-GCM under a key the caller
 * gives (the service derives it from OTP_HMAC_KEY), bound to the account
 * name as additional data, so a database dump alone does not reveal them.
 */
#ifndef OTP_PG_H
#define OTP_PG_H

#include <stddef.h>

#include "hito/db.h"
#include "hito/err.h"
#include "otp_ports.h"

#define OTP_PG_SEAL_KEY_SIZE 32

struct otp_pg;

/*
 * Creates the adapter on pool (not owned; it must outlive the adapter) with
 * the 32-byte sealing key (copied).
 */
struct otp_pg *otp_pg_new(struct db_pool *pool,
                          const unsigned char seal_key[OTP_PG_SEAL_KEY_SIZE],
                          struct hito_error *err);
void otp_pg_free(struct otp_pg *pg);

/* Returns the ports backed by pg; they live as long as pg. */
struct otp_audit otp_pg_audit(struct otp_pg *pg);
struct otp_totp_store otp_pg_totp_store(struct otp_pg *pg);

#endif

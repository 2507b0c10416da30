/*
 * identity.h - helpers shared by checkpoint 2's scenarios: the issuer, the
 * provisioner's outputs, tokens and verification against the JWKS.
 */
#ifndef HITO_SCENARIOS_IDENTITY_H
#define HITO_SCENARIOS_IDENTITY_H

#include "hito/jwt_verify.h"
#include "../../checkpoints/runner/scenario.h"

/* The service roles whose machine users each get a client-credentials token. */
#define IDENTITY_SERVICE_COUNT 7
extern const char *const identity_services[IDENTITY_SERVICE_COUNT];

/*
 * Frees s (malloc'd) when the scenario ends and returns it; NULL fails the
 * scenario as out of memory.
 */
const char *identity_keep(struct scenario_ctx *ctx, char *s);

/*
 * Returns the issuer: ZITADEL_ISSUER, else
 * http://<ZITADEL_EXTERNAL_DOMAIN or localhost>:<ZITADEL_PORT>.
 * ZITADEL derives the issuer from the Host header, so every request uses
 * this one name.
 */
const char *identity_issuer(struct scenario_ctx *ctx);

/* Returns a JWKS cache of the issuer's keys, freed when the scenario ends. */
struct jwks *identity_jwks(struct scenario_ctx *ctx);

/*
 * Requests a client-credentials token for a machine user whose outputs
 * prefix is prefix (e.g. "SVC_OTP"), with the project audience and roles
 * scopes. Returns the access token (lives until the scenario ends).
 */
const char *identity_client_token(struct scenario_ctx *ctx, const char *prefix);

/* Verifies token for the project audience; fails the scenario on rejection. */
void identity_verify(struct scenario_ctx *ctx, struct jwks *keys, const char *token,
                     struct jwt_claims *claims);

/* Returns ZITADEL_ADMIN_PAT_FILE, else run/$HITO_ENV/zitadel/admin.pat. */
const char *identity_admin_pat_file(struct scenario_ctx *ctx);

/* Returns ZITADEL_OUTPUTS_FILE, else run/$HITO_ENV/zitadel.env. */
const char *identity_outputs_file(struct scenario_ctx *ctx);

/* Returns the admin personal access token: ZITADEL_ADMIN_PAT, else its file's. */
const char *identity_admin_pat(struct scenario_ctx *ctx);

/*
 * Runs hito-zitadel-provision, found next to the running hito-checkpoint,
 * with args appended. Returns its standard output, which lives until the
 * scenario ends. A non-zero exit status fails the scenario.
 */
const char *identity_run_provisioner(struct scenario_ctx *ctx, const char *args);

#endif

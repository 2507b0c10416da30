/*
 * gateway.h - helpers shared by checkpoint 3's scenarios (KrakenD): tokens
 * from the identity provider, forged tokens, and concurrent bursts.
 */
#ifndef HITO_SCENARIOS_GATEWAY_H
#define HITO_SCENARIOS_GATEWAY_H

#include <jansson.h>
#include <jwt.h>

#include "runner/scenario.h"

/* Identity headers the gateway sets from token claims (krakend/templates). */
#define GATEWAY_HEADER_SUB "X-User-Id"
#define GATEWAY_HEADER_ORG "X-Org-Id"
#define GATEWAY_HEADER_ROLES "X-User-Roles"
/* ZITADEL's claim for the user's organisation id. */
#define GATEWAY_CLAIM_ORG "urn:zitadel:iam:user:resourceowner:id"

/* Returns the gateway's base URL (KRAKEND_URL, else HITO_HOST:KRAKEND_PORT). */
const char *gateway_url(struct scenario_ctx *ctx);

/*
 * Requests a client-credentials token for the machine user whose
 * provisioner outputs start with ZITADEL_<prefix>_ (e.g. "SVC_OTP"), with
 * the project audience, the project roles and the organisation id claim.
 * Returns the access token (lives until the scenario ends).
 */
const char *gateway_service_token(struct scenario_ctx *ctx, const char *prefix);

/*
 * Sends method path to the gateway with the bearer token (NULL: none) and
 * the NULL-terminated extra headers (NULL: none); body may be NULL.
 */
const struct httpc_response *gateway_call(struct scenario_ctx *ctx, const char *method,
                                          const char *path, const char *token,
                                          const char *const *headers, const char *body,
                                          size_t body_len);

/* Decodes one base64url part of a token ("header" 0, "payload" 1) as JSON. */
json_t *gateway_token_part(struct scenario_ctx *ctx, const char *token, int part);

/*
 * Signs claims with alg and key (PEM for RS256, raw bytes for HS256, NULL
 * for none), with kid in the header when not NULL. Returns the token (lives
 * until the scenario ends).
 */
const char *gateway_sign(struct scenario_ctx *ctx, jwt_alg_t alg, const char *key,
                         size_t key_len, const char *kid, json_t *claims);

/*
 * Returns the PEM private key of the identity emulator's signing key kid,
 * read from its state file run/<HITO_ENV>/zitadel/state.json. Skips the
 * scenario when the target is not local (the key is not reachable there).
 */
const char *gateway_issuer_key(struct scenario_ctx *ctx, const char *kid);

/* Returns a new RSA private key as PEM (lives until the scenario ends). */
const char *gateway_new_rsa_key(struct scenario_ctx *ctx);

/* Returns the public key of a PEM private key as PEM (SubjectPublicKeyInfo). */
const char *gateway_public_pem(struct scenario_ctx *ctx, const char *private_pem);

/* Status counts of a burst of concurrent requests. */
struct gateway_counts {
    int ok;        /* 200 */
    int limited;   /* 429 */
    int overload;  /* 503 */
    int other;     /* any other status or a transport failure */
};

/*
 * Sends GET path once per entry of tokens (count entries, at most
 * GATEWAY_BURST_MAX), all at once from separate threads, and counts the
 * statuses. The burst is recorded as one exchange.
 */
#define GATEWAY_BURST_MAX 64
struct gateway_counts gateway_burst(struct scenario_ctx *ctx, const char *path,
                                    const char *const *tokens, int count);

#endif

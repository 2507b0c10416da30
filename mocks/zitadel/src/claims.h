/*
 * claims.h - the claims of ZITADEL v2.40's tokens and userinfo.
 *
 * A token context is the JSON object the emulator keeps for each grant:
 * {"sub": userId, "clientId", "appId" (login flows only), "scope": [...],
 * "aud": [...], "authTime", "nonce", "sessionId"}. The functions here turn
 * it and the state document (see store.h) into claim sets.
 */
#ifndef ZITADEL_CLAIMS_H
#define ZITADEL_CLAIMS_H

#include <jansson.h>

#define CLAIMS_ROLES "urn:zitadel:iam:org:project:roles"
#define CLAIMS_SCOPE_PROJECT_AUD_PREFIX "urn:zitadel:iam:org:project:id:"
#define CLAIMS_SCOPE_ROLE_PREFIX "urn:zitadel:iam:org:project:role:"
#define CLAIMS_SCOPE_ALL_PROJECT_ROLES "urn:zitadel:iam:org:projects:roles"
#define CLAIMS_SCOPE_RESOURCEOWNER "urn:zitadel:iam:user:resourceowner"
/* Scope strings longer than this, or with more entries, are rejected. */
#define CLAIMS_MAX_SCOPE 4096
#define CLAIMS_MAX_SCOPES 64

enum claims_kind { CLAIMS_ACCESS_TOKEN, CLAIMS_ID_TOKEN, CLAIMS_USERINFO };

/*
 * Splits a space-separated scope string and keeps the scopes ZITADEL supports
 * (OIDC standard scopes and urn:zitadel:iam:*). It drops others silently,
 * as ZITADEL does. Returns a new array, or NULL when scope is longer
 * than CLAIMS_MAX_SCOPE or has more than CLAIMS_MAX_SCOPES entries.
 */
json_t *claims_scope_parse(const char *scope);

/* Returns nonzero when the scope array contains s. */
int claims_scope_has(const json_t *scopes, const char *s);

/*
 * Returns the project ids named by "urn:zitadel:iam:org:project:id:<id>:aud"
 * scopes, with "zitadel" replaced by the instance's ZITADEL project id
 * (new array).
 */
json_t *claims_scope_projects(const json_t *doc, const json_t *scopes);

/*
 * Builds the role object {roleKey: {orgId: orgPrimaryDomain}} of a user's
 * grants on a project, restricted to role_keys when that array is not empty.
 * Returns a new (possibly empty) object.
 */
json_t *claims_role_object(const json_t *doc, const char *user_id, const char *project_id,
                           const json_t *role_keys);

/* Returns the client ids of every app of the project plus the project id. */
json_t *claims_project_audience(const json_t *doc, const char *project_id);

/*
 * Returns the role claims a token or userinfo carries (new object, possibly
 * empty): under CLAIMS_ROLES and "urn:zitadel:iam:org:project:<id>:roles".
 * Roles apply when the project has projectRoleAssertion or role scopes were
 * requested, and, for access and ID tokens, the app asserts roles in that
 * token type. With CLAIMS_SCOPE_ALL_PROJECT_ROLES they also apply for each
 * project that an audience scope names.
 */
json_t *claims_roles(const json_t *doc, const json_t *tctx, enum claims_kind kind);

/* Returns nonzero when tctx requested roles (ZITADEL then fills ctx.v1.user.grants). */
int claims_roles_requested(const json_t *doc, const json_t *tctx);

/*
 * Builds a JWT access token's claims: iss, sub, aud, exp, iat, nbf, jti and
 * the private claims (roles, resource owner). No client_id, scope or azp.
 */
json_t *claims_access_token(const json_t *doc, const json_t *tctx, const char *issuer,
                            long long iat, long long exp, const char *jti);

/* Builds an ID token's claims; at_hash may be NULL. */
json_t *claims_id_token(const json_t *doc, const json_t *tctx, const char *issuer,
                        long long iat, long long exp, const char *at_hash);

/* Builds the userinfo document of tctx's user. */
json_t *claims_userinfo(const json_t *doc, const json_t *tctx);

#endif

/*
 * jwt_verify.c - RS256 JWT verification: header checks before libjwt, claim
 * checks after it.
 */
#include "hito/jwt_verify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <jwt.h>

#include "hito/json_guard.h"

#define ZITADEL_ROLES_CLAIM "urn:zitadel:iam:org:project:roles"
#define ZITADEL_PROJECT_PREFIX "urn:zitadel:iam:org:project:"
#define ZITADEL_ROLES_SUFFIX ":roles"

static const char *const reason_names[] = {
    [JWT_VERIFY_OK] = "ok",
    [JWT_VERIFY_MALFORMED] = "malformed",
    [JWT_VERIFY_BAD_ALG] = "bad_alg",
    [JWT_VERIFY_UNKNOWN_KID] = "unknown_kid",
    [JWT_VERIFY_KEYS_UNAVAILABLE] = "keys_unavailable",
    [JWT_VERIFY_BAD_SIGNATURE] = "bad_signature",
    [JWT_VERIFY_EXPIRED] = "expired",
    [JWT_VERIFY_NOT_YET_VALID] = "not_yet_valid",
    [JWT_VERIFY_BAD_ISSUER] = "bad_issuer",
    [JWT_VERIFY_BAD_AUDIENCE] = "bad_audience",
};

const char *jwt_verify_reason_name(enum jwt_verify_reason reason)
{
    if ((unsigned)reason >= sizeof(reason_names) / sizeof(reason_names[0]))
        return "unknown";
    return reason_names[reason];
}

void jwt_claims_free(struct jwt_claims *claims)
{
    if (claims == NULL)
        return;
    for (size_t i = 0; i < claims->role_count; i++)
        free(claims->roles[i]);
    free(claims->roles);
    free(claims->sub);
    free(claims->org_id);
    free(claims->issuer);
    memset(claims, 0, sizeof(*claims));
}

int jwt_claims_has_role(const struct jwt_claims *claims, const char *role)
{
    for (size_t i = 0; i < claims->role_count; i++) {
        if (strcmp(claims->roles[i], role) == 0)
            return 1;
    }
    return 0;
}

/*
 * Returns 1 when a base64url segment decodes to text nested at most
 * JSON_GUARD_MAX_DEPTH deep. jansson's parser, and libjwt's through it,
 * recurses once per level, and a token header of 3000 nested arrays
 * overflowed a civetweb worker thread's stack before the signature check.
 */
static int segment_depth_ok(const char *seg, size_t len)
{
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    int ok;

    if (jwks_base64url_decode(seg, len, &raw, &raw_len) != HITO_OK)
        return 1; /* not base64url: the parse that follows rejects it */
    ok = json_guard_depth_ok((const char *)raw, raw_len, JSON_GUARD_MAX_DEPTH);
    free(raw);
    return ok;
}

/* Decodes one base64url JSON object segment; NULL when it is not one. */
static json_t *decode_segment(const char *seg, size_t len)
{
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    json_t *obj;

    if (jwks_base64url_decode(seg, len, &raw, &raw_len) != HITO_OK)
        return NULL;
    if (!json_guard_depth_ok((const char *)raw, raw_len, JSON_GUARD_MAX_DEPTH)) {
        free(raw);
        return NULL;
    }
    obj = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (obj != NULL && !json_is_object(obj)) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static int add_role(struct jwt_claims *claims, const char *role)
{
    char **grown;

    if (jwt_claims_has_role(claims, role))
        return HITO_OK;
    if (claims->role_count == JWT_VERIFY_MAX_ROLES)
        return HITO_ERR_LIMIT;
    grown = realloc(claims->roles, (claims->role_count + 1) * sizeof(*grown));
    if (grown == NULL)
        return HITO_ERR_NOMEM;
    claims->roles = grown;
    claims->roles[claims->role_count] = strdup(role);
    if (claims->roles[claims->role_count] == NULL)
        return HITO_ERR_NOMEM;
    claims->role_count++;
    return HITO_OK;
}

static int is_project_roles_claim(const char *name)
{
    size_t len = strlen(name), prefix = strlen(ZITADEL_PROJECT_PREFIX);
    size_t suffix = strlen(ZITADEL_ROLES_SUFFIX);

    if (strcmp(name, ZITADEL_ROLES_CLAIM) == 0)
        return 1;
    return len > prefix + suffix && strncmp(name, ZITADEL_PROJECT_PREFIX, prefix) == 0 &&
           strcmp(name + len - suffix, ZITADEL_ROLES_SUFFIX) == 0;
}

/*
 * Collects role keys from ZITADEL's role objects
 * ({"<role>": {"<orgId>": "<domain>"}}) and from the flat "roles" array the
 * flat_roles action adds. The first org id seen is kept as a fallback org.
 */
static int collect_roles(json_t *payload, struct jwt_claims *claims, const char **role_org)
{
    const char *name, *role, *org;
    json_t *value, *orgs, *unused, *item;
    size_t i;
    int rc;

    json_object_foreach(payload, name, value) {
        if (!is_project_roles_claim(name))
            continue;
        if (!json_is_object(value))
            return HITO_ERR_INVALID;
        json_object_foreach(value, role, orgs) {
            if ((rc = add_role(claims, role)) != HITO_OK)
                return rc;
            json_object_foreach(orgs, org, unused) {
                if (*role_org == NULL)
                    *role_org = org;
            }
        }
    }
    value = json_object_get(payload, "roles");
    if (value == NULL)
        return HITO_OK;
    if (!json_is_array(value))
        return HITO_ERR_INVALID;
    json_array_foreach(value, i, item) {
        if (!json_is_string(item))
            return HITO_ERR_INVALID;
        if ((rc = add_role(claims, json_string_value(item))) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

static int audience_matches(json_t *aud, const char *expected)
{
    size_t i;
    json_t *item;

    if (json_is_string(aud))
        return strcmp(json_string_value(aud), expected) == 0;
    json_array_foreach(aud, i, item) {
        if (json_is_string(item) && strcmp(json_string_value(item), expected) == 0)
            return 1;
    }
    return 0;
}

struct verify_state {
    enum jwt_verify_reason reason;
    struct hito_error *err;
};

static int reject(struct verify_state *st, enum jwt_verify_reason reason, const char *message)
{
    st->reason = reason;
    return hito_error_set(st->err, HITO_ERR_AUTH, "token rejected (%s): %s",
                          jwt_verify_reason_name(reason), message);
}

static int check_times(json_t *payload, long leeway, struct jwt_claims *claims,
                       struct verify_state *st)
{
    json_t *exp = json_object_get(payload, "exp");
    json_t *nbf = json_object_get(payload, "nbf");
    json_t *iat = json_object_get(payload, "iat");
    long now = (long)time(NULL);

    if (!json_is_number(exp))
        return reject(st, JWT_VERIFY_EXPIRED, "exp is missing or not a number");
    if ((nbf != NULL && !json_is_number(nbf)) || (iat != NULL && !json_is_number(iat)))
        return reject(st, JWT_VERIFY_MALFORMED, "nbf or iat is not a number");
    claims->exp = (long)json_number_value(exp);
    claims->iat = iat != NULL ? (long)json_number_value(iat) : 0;
    if (now > claims->exp + leeway)
        return reject(st, JWT_VERIFY_EXPIRED, "exp is in the past");
    if (nbf != NULL && (long)json_number_value(nbf) > now + leeway)
        return reject(st, JWT_VERIFY_NOT_YET_VALID, "nbf is in the future");
    if (claims->iat > now + leeway)
        return reject(st, JWT_VERIFY_NOT_YET_VALID, "iat is in the future");
    return HITO_OK;
}

static int dup_string(char **dst, const char *src, struct verify_state *st)
{
    if (src == NULL)
        return HITO_OK;
    *dst = strdup(src);
    if (*dst == NULL)
        return hito_error_set(st->err, HITO_ERR_NOMEM, "out of memory");
    return HITO_OK;
}

static int check_claims(json_t *payload, const struct jwt_verify_options *opts,
                        struct jwt_claims *claims, struct verify_state *st)
{
    long leeway = opts->leeway_seconds;
    const char *iss = json_string_value(json_object_get(payload, "iss"));
    const char *sub = json_string_value(json_object_get(payload, "sub"));
    const char *org = json_string_value(
        json_object_get(payload, "urn:zitadel:iam:user:resourceowner:id"));
    const char *role_org = NULL;
    int rc;

    if (leeway == 0)
        leeway = JWT_VERIFY_DEFAULT_LEEWAY_SECONDS;
    else if (leeway < 0)
        leeway = 0;
    if ((rc = check_times(payload, leeway, claims, st)) != HITO_OK)
        return rc;
    if (iss == NULL || strcmp(iss, opts->issuer) != 0)
        return reject(st, JWT_VERIFY_BAD_ISSUER, "iss does not equal the expected issuer");
    if (!audience_matches(json_object_get(payload, "aud"), opts->audience))
        return reject(st, JWT_VERIFY_BAD_AUDIENCE, "aud does not contain the expected audience");
    if (sub == NULL || sub[0] == '\0')
        return reject(st, JWT_VERIFY_MALFORMED, "sub is missing");
    rc = collect_roles(payload, claims, &role_org);
    if (rc == HITO_ERR_NOMEM)
        return hito_error_set(st->err, rc, "out of memory");
    if (rc != HITO_OK)
        return reject(st, JWT_VERIFY_MALFORMED,
                      "a roles claim has the wrong shape or too many roles");
    if (org == NULL)
        org = json_string_value(json_object_get(payload, "urn:zitadel:iam:org:id"));
    if (org == NULL)
        org = role_org;
    if ((rc = dup_string(&claims->sub, sub, st)) != HITO_OK ||
        (rc = dup_string(&claims->issuer, iss, st)) != HITO_OK ||
        (rc = dup_string(&claims->org_id, org, st)) != HITO_OK)
        return rc;
    return HITO_OK;
}

/* Reads the unverified header: alg must be RS256 and kid present. */
static int check_header(const char *token, size_t head_len, char *kid, size_t kid_size,
                        struct verify_state *st)
{
    json_t *header = decode_segment(token, head_len);
    const char *alg, *id;
    int rc = HITO_OK;

    if (header == NULL)
        return reject(st, JWT_VERIFY_MALFORMED, "the header is not base64url JSON");
    alg = json_string_value(json_object_get(header, "alg"));
    id = json_string_value(json_object_get(header, "kid"));
    if (alg == NULL || strcmp(alg, "RS256") != 0)
        rc = reject(st, JWT_VERIFY_BAD_ALG, "alg is not RS256");
    else if (id == NULL || id[0] == '\0' || strlen(id) >= kid_size)
        rc = reject(st, JWT_VERIFY_MALFORMED, "kid is missing or too long");
    else
        strcpy(kid, id);
    json_decref(header);
    return rc;
}

static int verify_signature(struct jwks *keys, const char *token, const char *kid,
                            struct verify_state *st)
{
    char *pem = NULL;
    jwt_t *jwt = NULL;
    struct hito_error key_err = {0};
    int rc;

    rc = jwks_get_pem(keys, kid, &pem, &key_err);
    if (rc == HITO_ERR_NOT_FOUND)
        return reject(st, JWT_VERIFY_UNKNOWN_KID, "no key in the JWKS has the token's kid");
    if (rc != HITO_OK) {
        st->reason = JWT_VERIFY_KEYS_UNAVAILABLE;
        return hito_error_set(st->err, HITO_ERR_UNAVAILABLE, "signing keys unavailable: %s",
                              key_err.message);
    }
    if (jwt_decode(&jwt, token, (const unsigned char *)pem, (int)strlen(pem)) != 0)
        rc = reject(st, JWT_VERIFY_BAD_SIGNATURE, "the signature does not verify");
    else if (jwt_get_alg(jwt) != JWT_ALG_RS256)
        rc = reject(st, JWT_VERIFY_BAD_ALG, "libjwt decoded an algorithm other than RS256");
    jwt_free(jwt);
    free(pem);
    return rc;
}

int jwt_verify_token(struct jwks *keys, const struct jwt_verify_options *opts, const char *token,
                     struct jwt_claims *claims, enum jwt_verify_reason *reason,
                     struct hito_error *err)
{
    struct verify_state st = {JWT_VERIFY_OK, err};
    char kid[JWKS_MAX_KID_LEN + 1];
    const char *dot1, *dot2;
    json_t *payload = NULL;
    size_t len;
    int rc;

    memset(claims, 0, sizeof(*claims));
    len = token != NULL ? strnlen(token, JWT_VERIFY_MAX_TOKEN_BYTES + 1) : 0;
    dot1 = len > 0 ? memchr(token, '.', len) : NULL;
    dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (len == 0 || len > JWT_VERIFY_MAX_TOKEN_BYTES || dot2 == NULL ||
        memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL) {
        rc = reject(&st, JWT_VERIFY_MALFORMED, "not a JWT of three parts within the size limit");
        goto out;
    }
    if (!segment_depth_ok(dot1 + 1, (size_t)(dot2 - dot1 - 1))) {
        rc = reject(&st, JWT_VERIFY_MALFORMED,
                    "the payload nests arrays or objects deeper than JSON_GUARD_MAX_DEPTH");
        goto out;
    }
    if ((rc = check_header(token, (size_t)(dot1 - token), kid, sizeof(kid), &st)) != HITO_OK)
        goto out;
    if ((rc = verify_signature(keys, token, kid, &st)) != HITO_OK)
        goto out;
    payload = decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (payload == NULL) {
        rc = reject(&st, JWT_VERIFY_MALFORMED, "the payload is not base64url JSON");
        goto out;
    }
    rc = check_claims(payload, opts, claims, &st);
out:
    json_decref(payload);
    if (rc != HITO_OK)
        jwt_claims_free(claims);
    if (reason != NULL)
        *reason = st.reason;
    return rc;
}

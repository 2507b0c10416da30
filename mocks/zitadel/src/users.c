/*
 * users.c - Management and Admin API: users, keys, PATs, grants, lock and
 * unlock, and the org setup of the Admin API.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "claims.h"
#include "jose.h"
#include "policy.h"
#include "users.h"
#include "zjson.h"

#define SECRET_TEXT 80
#define PASSWORD_MAX 256
#define PAT_BYTES 48
/* PATs without an expiration date last until 9999-01-01, as ZITADEL's do. */
#define PAT_NO_EXPIRY 253370764800.0

/* Hashes a password with a random salt into user._passwordSalt/_passwordHash. */
static int set_password(json_t *user, const char *password)
{
    char salt[32];
    char hash[65];
    char *salted = NULL;

    if (jose_random_token(salt, sizeof(salt), 16) != HITO_OK ||
        asprintf(&salted, "%s:%s", salt, password) < 0)
        return -1;
    jose_sha256_hex(salted, strlen(salted), hash);
    free(salted);
    json_object_set_new(user, "_passwordSalt", json_string(salt));
    json_object_set_new(user, "_passwordHash", json_string(hash));
    return 0;
}

int users_password_ok(const json_t *user, const char *password)
{
    char *salted = NULL;
    char hash[65];
    int ok;

    if (zjson_str(user, "_passwordHash", NULL) == NULL ||
        asprintf(&salted, "%s:%s", zjson_str(user, "_passwordSalt", ""), password) < 0)
        return 0;
    jose_sha256_hex(salted, strlen(salted), hash);
    free(salted);
    ok = strcmp(hash, zjson_str(user, "_passwordHash", "")) == 0;
    return ok;
}

json_t *users_policy(json_t *doc, const char *kind, const char *org_id)
{
    json_t *policies = json_object_get(doc, STORE_POLICIES);
    char key[64];
    json_t *p;

    snprintf(key, sizeof(key), "%s/%s", kind, org_id != NULL ? org_id : "default");
    p = json_object_get(policies, key);
    if (p != NULL)
        return p;
    snprintf(key, sizeof(key), "%s/default", kind);
    return json_object_get(policies, key);
}

/*
 * Checks that a new user can take this user name, which is unique in the
 * instance. Returns 0, or -1 after a 409 for a taken name or a 429 when full.
 */
static int user_name_check(struct zreq *z, const char *name)
{
    if (zsrv_user_by_login_name(z->doc, name) != NULL) {
        api_conflict(z, "User");
        return -1;
    }
    return api_check_room(z, STORE_USERS);
}

json_t *users_insert(struct zreq *z, json_t *user, const char *org_id)
{
    const char *name = zjson_str(user, "userName", "");

    json_object_set_new(user, "state", json_string("USER_STATE_ACTIVE"));
    /* NOTE: login names follow a domain policy with userLoginMustBeDomain false. */
    json_object_set_new(user, "loginNames", json_pack("[s]", name));
    json_object_set_new(user, "preferredLoginName", json_string(name));
    return api_insert(z, STORE_USERS, user, org_id);
}

static json_t *user_in_org(struct zreq *z)
{
    json_t *user = api_get(z, STORE_USERS, "id");

    if (!api_in_org(z, user) && !(user != NULL && zjson_bool(z->caller, "_iamOwner") &&
                                  httpd_header(z->http, "x-zitadel-orgid") == NULL)) {
        zreq_error(z, ZGRPC_NOT_FOUND, "QUERY-Dfbg2", "User could not be found");
        return NULL;
    }
    return user;
}

static void machine_add(struct zreq *z)
{
    json_t *body = zreq_body(z);
    const char *name;
    const char *display;
    const char *description;
    const char *type;

    if (body == NULL || zreq_string(z, body, "userName", ZSRV_MAX_FIELD, 1, &name) < 0 ||
        zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &display) < 0 ||
        zreq_string(z, body, "description", ZSRV_MAX_FIELD * 2, 0, &description) < 0 ||
        zreq_string(z, body, "accessTokenType", ZSRV_MAX_FIELD, 0, &type) < 0)
        goto out;
    if (type != NULL && strcmp(type, "ACCESS_TOKEN_TYPE_BEARER") != 0 &&
        strcmp(type, "ACCESS_TOKEN_TYPE_JWT") != 0) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ENUM1", "invalid accessTokenType: %s", type);
        goto out;
    }
    if (user_name_check(z, name) < 0)
        goto out;
    api_created_reply(z, "userId", users_insert(z, json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s}}", "userName", name, "_type", "TYPE_MACHINE", "machine",
        "name", display, "description", description ? description : "", "accessTokenType",
        type ? type : "ACCESS_TOKEN_TYPE_BEARER"), z->org_id));
out:
    json_decref(body);
}

json_t *users_import_human(struct zreq *z, const json_t *body, const char *org_id)
{
    json_t *profile = json_object_get(body, "profile");
    json_t *email = json_object_get(body, "email");
    const char *name, *first, *last, *display, *address, *password;
    char why[128];
    char full[ZSRV_MAX_FIELD * 2 + 2];
    json_t *user;

    if (zreq_string(z, body, "userName", ZSRV_MAX_FIELD, 1, &name) < 0 ||
        zreq_string(z, profile, "firstName", ZSRV_MAX_FIELD, 1, &first) < 0 ||
        zreq_string(z, profile, "lastName", ZSRV_MAX_FIELD, 1, &last) < 0 ||
        zreq_string(z, profile, "displayName", ZSRV_MAX_FIELD, 0, &display) < 0 ||
        zreq_string(z, email, "email", ZSRV_MAX_FIELD, 1, &address) < 0 ||
        zreq_string(z, body, "password", PASSWORD_MAX, 0, &password) < 0)
        return NULL;
    if (password != NULL &&
        policy_check_password(users_policy(z->doc, "complexity", org_id), password, why,
                              sizeof(why)) < 0) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "COMMA-HuJf6", "%s", why);
        return NULL;
    }
    if (user_name_check(z, name) < 0)
        return NULL;
    snprintf(full, sizeof(full), "%s %s", first, last);
    user = json_pack("{s:s, s:s, s:s, s:{s:{s:s, s:s, s:s}, s:{s:s, s:b}}}", "userName", name,
                     "_type", "TYPE_HUMAN", "_email", address, "human", "profile", "firstName",
                     first, "lastName", last, "displayName", display ? display : full, "email",
                     "email", address, "isEmailVerified", zjson_bool(email, "isEmailVerified"));
    if (password != NULL && set_password(user, password) < 0) {
        json_decref(user);
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "password hashing failed");
        return NULL;
    }
    return users_insert(z, user, org_id);
}

static void human_import(struct zreq *z)
{
    json_t *body = zreq_body(z);
    json_t *user;

    if (body == NULL)
        return;
    user = users_import_human(z, body, z->org_id);
    if (user != NULL)
        api_created_reply(z, "userId", user);
    json_decref(body);
}

static void users_search(struct zreq *z)
{
    api_search_org(z, STORE_USERS);
}

static void users_get(struct zreq *z)
{
    json_t *user = user_in_org(z);

    if (user != NULL)
        zreq_json(z, 200, json_pack("{s:o}", "user", api_object(user)));
}

static json_t *machine_in_org(struct zreq *z)
{
    json_t *user = user_in_org(z);

    if (user != NULL && json_object_get(user, "machine") == NULL) {
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "COMMAND-5M0ds", "User is not a machine user");
        return NULL;
    }
    return user;
}

static void secret_generate(struct zreq *z)
{
    json_t *user = machine_in_org(z);
    char secret[SECRET_TEXT];

    if (user == NULL)
        return;
    if (api_new_secret(user, secret, sizeof(secret)) < 0) {
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "secret generation failed");
        return;
    }
    store_stamp_change(z->srv->store, user);
    z->dirty = 1;
    zreq_json(z, 200, json_pack("{s:s, s:s, s:o}", "clientId", zjson_str(user, "userName", ""),
                                "clientSecret", secret, "details", store_details(user)));
}

/* Reads expirationDate (RFC 3339) as seconds; fallback when absent, -1 when malformed. */
static double expiration(const json_t *body, double fallback)
{
    const char *s = zjson_str(body, "expirationDate", NULL);
    struct tm tm = {0};

    if (s == NULL)
        return fallback;
    if (strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return -1;
    return (double)timegm(&tm);
}

static void key_add(struct zreq *z)
{
    json_t *user = machine_in_org(z);
    json_t *body = user ? zreq_body(z) : NULL;
    char *priv = NULL;
    char *pub = NULL;
    char id[STORE_ID_SIZE];
    json_t *file;
    char *text;
    char *b64;

    if (body == NULL)
        return;
    if (jose_generate_pem(&priv, &pub, NULL) != HITO_OK) {
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "key generation failed");
        goto out;
    }
    store_next_id(z->srv->store, id, sizeof(id));
    json_object_set_new(store_coll(z->srv->store, STORE_USER_KEYS), id, json_pack(
        "{s:s, s:s, s:f}", "userId", zjson_str(user, "id", ""), "publicKey", pub, "exp",
        expiration(body, PAT_NO_EXPIRY)));
    z->dirty = 1;
    file = json_pack("{s:s, s:s, s:s, s:s}", "type", "serviceaccount", "keyId", id, "key", priv,
                     "userId", zjson_str(user, "id", ""));
    text = json_dumps(file, JSON_COMPACT);
    b64 = text != NULL ? jose_b64_encode((const unsigned char *)text, strlen(text)) : NULL;
    if (b64 != NULL)
        zreq_json(z, 200, json_pack("{s:s, s:s, s:o}", "keyId", id, "keyDetails", b64, "details",
                                    store_details(user)));
    else
        zreq_error(z, ZGRPC_INTERNAL, "EMU-NOMEM", "out of memory");
    json_decref(file);
    free(text);
    free(b64);
out:
    free(priv);
    free(pub);
    json_decref(body);
}

int users_pat_create(struct store *st, const char *user_id, double exp, char *out, size_t size,
                     char *token_id)
{
    char hash[65];
    char id[STORE_ID_SIZE];

    if (jose_random_token(out, size, PAT_BYTES) != HITO_OK)
        return -1;
    jose_sha256_hex(out, strlen(out), hash);
    store_next_id(st, id, sizeof(id));
    json_object_set_new(store_coll(st, STORE_PATS), hash,
                        json_pack("{s:s, s:s, s:f}", "tokenId", id, "userId", user_id, "exp", exp));
    if (token_id != NULL)
        snprintf(token_id, STORE_ID_SIZE, "%s", id);
    return 0;
}

static void pat_add(struct zreq *z)
{
    json_t *user = machine_in_org(z);
    json_t *body = user ? zreq_body(z) : NULL;
    char token[SECRET_TEXT];
    char token_id[STORE_ID_SIZE];
    double exp;

    if (body == NULL)
        return;
    exp = expiration(body, PAT_NO_EXPIRY);
    if (exp < 0) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG06", "invalid expirationDate: expected RFC 3339");
    } else if (api_check_room(z, STORE_PATS) == 0 &&
               users_pat_create(z->srv->store, zjson_str(user, "id", ""), exp, token,
                                sizeof(token), token_id) == 0) {
        z->dirty = 1;
        zreq_json(z, 200, json_pack("{s:s, s:s, s:o}", "tokenId", token_id, "token", token,
                                    "details", store_details(user)));
    }
    json_decref(body);
}

static void user_lock(struct zreq *z)
{
    json_t *user = user_in_org(z);

    if (user == NULL)
        return;
    if (policy_is_locked(user)) {
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "COMMAND-3NN8v", "User is already locked");
        return;
    }
    json_object_set_new(user, "state", json_string("USER_STATE_LOCKED"));
    store_stamp_change(z->srv->store, user);
    z->dirty = 1;
    api_details_reply(z, user);
}

static void user_unlock(struct zreq *z)
{
    json_t *user = user_in_org(z);

    if (user == NULL)
        return;
    if (!policy_is_locked(user)) {
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "COMMAND-4M0ds", "User is not locked");
        return;
    }
    json_object_set_new(user, "state", json_string("USER_STATE_ACTIVE"));
    policy_reset_failures(user);
    store_stamp_change(z->srv->store, user);
    z->dirty = 1;
    api_details_reply(z, user);
}

/* ---- grants ---- */

/* Sets a 400 and returns nonzero when a role key is not defined on the project. */
static int roles_missing(struct zreq *z, const json_t *project, const json_t *keys)
{
    size_t i;
    json_t *key;

    json_array_foreach(keys, i, key) {
        if (json_object_get(json_object_get(project, "_roles"), json_string_value(key)) == NULL) {
            zreq_error(z, ZGRPC_FAILED_PRECONDITION, "COMMAND-4m9vS",
                       "Role %s does not exist on the project", json_string_value(key));
            return 1;
        }
    }
    return 0;
}

static void grant_update(struct zreq *z)
{
    json_t *user = user_in_org(z);
    json_t *grant = user ? api_get(z, STORE_GRANTS, "grantId") : NULL;
    json_t *body = NULL;
    json_t *keys = NULL;
    json_t *project;

    if (user != NULL && (grant == NULL || strcmp(zjson_str(grant, "userId", ""),
                                                 zjson_str(user, "id", "")) != 0)) {
        api_not_found(z, "User grant");
        return;
    }
    body = grant ? zreq_body(z) : NULL;
    if (body == NULL || (keys = zreq_strings(z, body, "roleKeys", ZSRV_MAX_FIELD)) == NULL)
        goto out;
    project = json_object_get(json_object_get(z->doc, STORE_PROJECTS),
                              zjson_str(grant, "projectId", ""));
    if (!roles_missing(z, project, keys))
        api_apply_update_new(z, grant, json_pack("{s:O}", "roleKeys", keys), "User grant");
out:
    json_decref(keys);
    json_decref(body);
}

static void machine_update(struct zreq *z)
{
    json_t *user = machine_in_org(z);
    json_t *body = user ? zreq_body(z) : NULL;
    const char *name;
    const char *description;
    const char *type;
    json_t *next;

    if (body == NULL || zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &name) < 0 ||
        zreq_string(z, body, "description", ZSRV_MAX_FIELD * 2, 0, &description) < 0 ||
        zreq_string(z, body, "accessTokenType", ZSRV_MAX_FIELD, 0, &type) < 0)
        goto out;
    if (type != NULL && strcmp(type, "ACCESS_TOKEN_TYPE_BEARER") != 0 &&
        strcmp(type, "ACCESS_TOKEN_TYPE_JWT") != 0) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ENUM1", "invalid accessTokenType: %s", type);
        goto out;
    }
    next = json_deep_copy(json_object_get(user, "machine"));
    json_object_set_new(next, "name", json_string(name));
    json_object_set_new(next, "description", json_string(description ? description : ""));
    json_object_set_new(next, "accessTokenType",
                        json_string(type ? type : "ACCESS_TOKEN_TYPE_BEARER"));
    api_apply_update_new(z, user, json_pack("{s:o}", "machine", next), "User");
out:
    json_decref(body);
}

static void password_set(struct zreq *z)
{
    json_t *user = user_in_org(z);
    json_t *body = user ? zreq_body(z) : NULL;
    const char *password;
    char why[128];

    if (body == NULL || zreq_string(z, body, "password", PASSWORD_MAX, 1, &password) < 0)
        goto out;
    if (json_object_get(user, "human") == NULL) {
        zreq_error(z, ZGRPC_FAILED_PRECONDITION, "COMMAND-Uu8ap", "User is not a human user");
    } else if (policy_check_password(users_policy(z->doc, "complexity",
                                                  zjson_str(user, "_owner", "")),
                                     password, why, sizeof(why)) < 0) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "COMMA-HuJf6", "%s", why);
    } else if (set_password(user, password) < 0) {
        zreq_error(z, ZGRPC_INTERNAL, "EMU-RAND1", "password hashing failed");
    } else {
        /* A password change resets the failed-attempt counter, as in ZITADEL. */
        policy_reset_failures(user);
        store_stamp_change(z->srv->store, user);
        z->dirty = 1;
        api_details_reply(z, user);
    }
out:
    json_decref(body);
}

/* IAM member roles of ZITADEL 2.40; only IAM_OWNER grants rights in the emulator. */
static const char *const iam_roles[] = {
    "IAM_OWNER", "IAM_OWNER_VIEWER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER",
    "IAM_ADMIN_IMPERSONATOR", "IAM_END_USER_IMPERSONATOR", NULL,
};

static void member_add(struct zreq *z)
{
    json_t *body = zreq_body(z);
    json_t *roles = body ? zreq_strings(z, body, "roles", ZSRV_MAX_FIELD) : NULL;
    const char *user_id;
    json_t *user;
    size_t i;
    json_t *role;

    if (roles == NULL || zreq_string(z, body, "userId", STORE_ID_SIZE, 1, &user_id) < 0)
        goto out;
    if (!zjson_bool(z->caller, "_iamOwner")) {
        zreq_error(z, ZGRPC_PERMISSION_DENIED, "AUTH-5mWD2", "No matching permissions found");
        goto out;
    }
    json_array_foreach(roles, i, role) {
        size_t k = 0;

        while (iam_roles[k] != NULL && strcmp(iam_roles[k], json_string_value(role)) != 0)
            k++;
        if (iam_roles[k] == NULL) {
            zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ROLE1", "invalid roles: unknown role %s",
                       json_string_value(role));
            goto out;
        }
    }
    user = json_object_get(json_object_get(z->doc, STORE_USERS), user_id);
    if (user == NULL) {
        zreq_error(z, ZGRPC_NOT_FOUND, "QUERY-Dfbg2", "User could not be found");
    } else if (json_object_get(user, "_iamRoles") != NULL) {
        api_conflict(z, "Member");
    } else if (json_array_size(roles) == 0) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ROLE2", "invalid roles: at least one role is required");
    } else {
        json_object_set(user, "_iamRoles", roles);
        if (claims_scope_has(roles, "IAM_OWNER"))
            json_object_set_new(user, "_iamOwner", json_true());
        store_stamp_change(z->srv->store, user);
        z->dirty = 1;
        api_details_reply(z, user);
    }
out:
    json_decref(roles);
    json_decref(body);
}

static void grant_add(struct zreq *z)
{
    json_t *user = user_in_org(z);
    json_t *body = user ? zreq_body(z) : NULL;
    json_t *keys = NULL;
    json_t *project;
    char gid[STORE_ID_SIZE];
    const char *pid;
    const char *id;
    json_t *grant;

    if (body == NULL || zreq_string(z, body, "projectId", STORE_ID_SIZE, 1, &pid) < 0 ||
        (keys = zreq_strings(z, body, "roleKeys", ZSRV_MAX_FIELD)) == NULL)
        goto out;
    project = json_object_get(json_object_get(z->doc, STORE_PROJECTS), pid);
    if (!api_in_org(z, project)) {
        api_not_found(z, "Project");
        goto out;
    }
    if (roles_missing(z, project, keys))
        goto out;
    json_object_foreach(json_object_get(z->doc, STORE_GRANTS), id, grant) {
        if (strcmp(zjson_str(grant, "userId", ""), zjson_str(user, "id", "")) == 0 &&
            strcmp(zjson_str(grant, "projectId", ""), pid) == 0) {
            api_conflict(z, "User grant");
            goto out;
        }
    }
    if (api_check_room(z, STORE_GRANTS) < 0)
        goto out;
    grant = json_pack("{s:s, s:s, s:O, s:s}", "userId", zjson_str(user, "id", ""), "projectId",
                      pid, "roleKeys", keys, "state", "USER_GRANT_STATE_ACTIVE");
    store_next_id(z->srv->store, gid, sizeof(gid));
    json_object_set_new(grant, "id", json_string(gid));
    store_stamp_new(z->srv->store, grant, z->org_id);
    json_object_set_new(store_coll(z->srv->store, STORE_GRANTS), gid, grant);
    z->dirty = 1;
    api_created_reply(z, "userGrantId", grant);
out:
    json_decref(keys);
    json_decref(body);
}

/* Returns the view of a grant that ListUserGrants returns. */
static json_t *grant_view(struct zreq *z, const json_t *grant)
{
    json_t *view = json_deep_copy(grant);
    json_t *user = json_object_get(json_object_get(z->doc, STORE_USERS),
                                   zjson_str(grant, "userId", ""));
    json_t *project = json_object_get(json_object_get(z->doc, STORE_PROJECTS),
                                      zjson_str(grant, "projectId", ""));
    json_t *org = json_object_get(json_object_get(z->doc, STORE_ORGS), zjson_str(grant, "_owner", ""));
    json_t *profile = json_object_get(json_object_get(user, "human"), "profile");

    json_object_set_new(view, "userName", json_string(zjson_str(user, "userName", "")));
    json_object_set_new(view, "email", json_string(zjson_str(user, "_email", "")));
    json_object_set_new(view, "firstName", json_string(zjson_str(profile, "firstName", "")));
    json_object_set_new(view, "lastName", json_string(zjson_str(profile, "lastName", "")));
    json_object_set_new(view, "displayName", json_string(zjson_str(profile, "displayName", "")));
    json_object_set_new(view, "orgId", json_string(zjson_str(org, "id", "")));
    json_object_set_new(view, "orgName", json_string(zjson_str(org, "name", "")));
    json_object_set_new(view, "orgDomain", json_string(zjson_str(org, "primaryDomain", "")));
    json_object_set_new(view, "projectName", json_string(zjson_str(project, "name", "")));
    json_object_set_new(view, "userType", json_string(zjson_str(user, "_type", "")));
    return view;
}

static void grants_search(struct zreq *z)
{
    json_t *body = zreq_body(z);
    json_t *list = json_array();
    const char *id;
    json_t *grant;

    if (body != NULL) {
        json_object_foreach(json_object_get(z->doc, STORE_GRANTS), id, grant) {
            if (api_in_org(z, grant))
                json_array_append_new(list, grant_view(z, grant));
        }
        api_list_reply(z, body, list);
    }
    json_decref(list);
    json_decref(body);
}

/* ---- admin org setup ---- */

static void orgs_setup(struct zreq *z)
{
    json_t *body = zreq_body(z);
    json_t *spec = json_object_get(body, "org");
    json_t *human = json_object_get(body, "human");
    const char *name;
    json_t *org;
    json_t *user = NULL;
    json_t *reply;

    if (body == NULL)
        return;
    if (!zjson_bool(z->caller, "_iamOwner")) {
        zreq_error(z, ZGRPC_PERMISSION_DENIED, "AUTH-5mWD2", "No matching permissions found");
        goto out;
    }
    if (zreq_string(z, spec, "name", ZSRV_MAX_FIELD, 1, &name) < 0)
        goto out;
    org = mgmt_org_create(z, name);
    if (org == NULL)
        goto out;
    if (human != NULL) {
        user = users_import_human(z, human, zjson_str(org, "id", ""));
        if (user == NULL) {
            json_object_del(store_coll(z->srv->store, STORE_ORGS), zjson_str(org, "id", ""));
            goto out;
        }
        json_object_set(user, "_orgOwner", json_object_get(org, "id"));
    }
    reply = json_pack("{s:o, s:s}", "details", store_details(org), "orgId",
                      zjson_str(org, "id", ""));
    if (user != NULL)
        json_object_set(reply, "userId", json_object_get(user, "id"));
    zreq_json(z, 200, reply);
out:
    json_decref(body);
}

int zsrv_routes_users(struct zsrv *srv)
{
    const int f = ZROUTE_INSTANCE | ZROUTE_AUTH;
    int rc = 0;

    rc |= zsrv_route(srv, "POST", "/management/v1/users/machine", f, machine_add);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/human/_import", f, human_import);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/_search", f, users_search);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/grants/_search", f, grants_search);
    rc |= zsrv_route(srv, "GET", "/management/v1/users/{id}", f, users_get);
    rc |= zsrv_route(srv, "PUT", "/management/v1/users/{id}/secret", f, secret_generate);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/{id}/keys", f, key_add);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/{id}/pats", f, pat_add);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/{id}/_lock", f, user_lock);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/{id}/_unlock", f, user_unlock);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/{id}/grants", f, grant_add);
    rc |= zsrv_route(srv, "PUT", "/management/v1/users/{id}/grants/{grantId}", f, grant_update);
    rc |= zsrv_route(srv, "PUT", "/management/v1/users/{id}/machine", f, machine_update);
    rc |= zsrv_route(srv, "POST", "/management/v1/users/{id}/password", f, password_set);
    rc |= zsrv_route(srv, "POST", "/admin/v1/members", f, member_add);
    rc |= zsrv_route(srv, "POST", "/admin/v1/orgs/_setup", f, orgs_setup);
    return rc != 0 ? HITO_ERR_LIMIT : HITO_OK;
}

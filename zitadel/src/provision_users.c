/*
 * provision_users.c - the provisioner's step for users: machine users with
 * their client secrets, PATs and grants, then human test users with their
 * passwords and grants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provision.h"
#include "provision_internal.h"

static int ensure_grant(struct provision *p, const char *user_id, json_t *user,
                        struct hito_error *err)
{
    json_t *roles = json_object_get(user, "roles"), *query, *found = NULL, *body = NULL, *item;
    const char *name = json_string_value(json_object_get(user, "userName"));
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    size_t i;
    int rc = HITO_OK;

    if (json_array_size(roles) == 0)
        return HITO_OK;
    if (user_id != NULL && p->project_id[0] != '\0') {
        query = json_pack("{s:[{s:{s:s}},{s:{s:s}}]}", "queries", "userIdQuery", "userId", user_id,
                          "projectIdQuery", "projectId", p->project_id);
        rc = provision_read(p, "search grants", "POST", "/management/v1/users/grants/_search",
                            query, &body, err);
        json_decref(query);
        if (rc != HITO_OK)
            return rc;
        json_array_foreach(json_object_get(body, "result"), i, item)
            found = item;
    }
    query = json_pack("{s:s,s:O}", "projectId", p->project_id, "roleKeys", roles);
    if (found == NULL) {
        snprintf(what, sizeof(what), "grant roles to \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/grants", user_id ? user_id : "-");
        rc = provision_write(p, what, "POST", path, query, 0, NULL, err);
    } else if (!provision_value_equal(json_object_get(found, "roleKeys"), roles)) {
        snprintf(what, sizeof(what), "update roles of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/grants/%s", user_id,
                 json_string_value(json_object_get(found, "id")));
        json_object_del(query, "projectId");
        rc = provision_write(p, what, "PUT", path, query, 1, NULL, err);
    }
    json_decref(query);
    json_decref(body);
    return rc;
}

static int find_user(struct provision *p, const char *name, json_t **found, struct hito_error *err)
{
    *found = NULL;
    if (p->org_id[0] == '\0')
        return HITO_OK;
    return provision_search_one(p, "search users", "/management/v1/users/_search",
                                provision_equals_query("userNameQuery", "userName", name),
                                "userName", name, found, err);
}

/* Generates a client secret, a PAT and IAM roles the outputs still lack. */
static int machine_credentials(struct provision *p, json_t *user, const char *id,
                               struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(user, "userName"));
    const char *out = json_string_value(json_object_get(user, "output"));
    json_t *resp = NULL, *req;
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    int rc = HITO_OK;

    /* Each PUT .../secret returns a new secret: only when the outputs lack one. */
    if (json_is_true(json_object_get(user, "clientSecret")) &&
        provision_get_output(p, out, "CLIENT_SECRET") == NULL) {
        snprintf(what, sizeof(what), "generate client secret of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/secret", id ? id : "-");
        if ((rc = provision_write(p, what, "PUT", path, NULL, 0, &resp, err)) != HITO_OK)
            return rc;
        rc = provision_set_output(p, out, "CLIENT_SECRET",
                                  json_string_value(json_object_get(resp, "clientSecret")), err);
        json_decref(resp);
        resp = NULL;
    }
    if (rc == HITO_OK && json_is_true(json_object_get(user, "pat")) &&
        provision_get_output(p, out, "PAT") == NULL) {
        snprintf(what, sizeof(what), "create personal access token of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/pats", id ? id : "-");
        if ((rc = provision_write(p, what, "POST", path, NULL, 0, &resp, err)) != HITO_OK)
            return rc;
        rc = provision_set_output(p, out, "PAT", json_string_value(json_object_get(resp, "token")),
                                  err);
        json_decref(resp);
    }
    if (rc == HITO_OK && json_array_size(json_object_get(user, "iamMemberRoles")) > 0 &&
        provision_get_output(p, out, "IAM_MEMBER") == NULL) {
        snprintf(what, sizeof(what), "make \"%s\" an instance member", name);
        req = json_pack("{s:s,s:O}", "userId", id ? id : "-", "roles",
                        json_object_get(user, "iamMemberRoles"));
        rc = provision_write(p, what, "POST", "/admin/v1/members", req, 0, NULL, err);
        json_decref(req);
        if (rc == HITO_OK && !p->plan)
            rc = provision_set_output(p, out, "IAM_MEMBER", "yes", err);
    }
    return rc;
}

/*
 * Stores the user's id (when known) and its login name under login_key:
 * ZITADEL's preferredLoginName, else the model's userName.
 */
static int store_user_outputs(struct provision *p, json_t *user, const char *id, json_t *found,
                              const char *login_key, struct hito_error *err)
{
    const char *out = json_string_value(json_object_get(user, "output"));
    const char *login = json_string_value(json_object_get(found, "preferredLoginName"));
    int rc;

    if (login == NULL)
        login = json_string_value(json_object_get(user, "userName"));
    if ((rc = provision_set_output(p, out, "USER_ID", id[0] ? id : NULL, err)) != HITO_OK)
        return rc;
    return provision_set_output(p, out, login_key, login, err);
}

static int ensure_machine(struct provision *p, json_t *user, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(user, "userName"));
    const char *desc = json_string_value(json_object_get(user, "description"));
    json_t *found = NULL, *made = NULL, *wanted;
    char what[WHAT_MAX_BYTES], path[PATH_MAX_BYTES], id[64] = "";
    int rc;

    wanted = json_pack("{s:s,s:s,s:s}", "name", json_string_value(json_object_get(user, "name")),
                       "description", desc != NULL ? desc : "", "accessTokenType",
                       "ACCESS_TOKEN_TYPE_JWT");
    if ((rc = find_user(p, name, &found, err)) != HITO_OK)
        goto out;
    provision_copy_id(id, found, "id");
    if (found == NULL) {
        json_object_set_new(wanted, "userName", json_string(name));
        snprintf(what, sizeof(what), "create machine user \"%s\"", name);
        rc =
            provision_write(p, what, "POST", "/management/v1/users/machine", wanted, 0, &made, err);
        provision_copy_id(id, made, "userId");
    } else if (!provision_fields_match(json_object_get(found, "machine"), wanted)) {
        snprintf(what, sizeof(what), "update machine user \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/machine", id);
        rc = provision_write(p, what, "PUT", path, wanted, 1, NULL, err);
    }
    if (rc != HITO_OK)
        goto out;
    if ((rc = store_user_outputs(p, user, id, found, "CLIENT_ID", err)) != HITO_OK ||
        (rc = machine_credentials(p, user, id[0] ? id : NULL, err)) != HITO_OK)
        goto out;
    rc = ensure_grant(p, id[0] ? id : NULL, user, err);
out:
    json_decref(found);
    json_decref(made);
    json_decref(wanted);
    return rc;
}

/* The test users' password: outputs, else HITO_TEST_USER_PASSWORD, else generated. */
static int user_password(struct provision *p, const char *out, char *buf, size_t size)
{
    const char *known = provision_get_output(p, out, "PASSWORD");
    const char *env = getenv("HITO_TEST_USER_PASSWORD");
    long min = (long)json_integer_value(json_object_get(
        json_object_get(json_object_get(p->model, "policies"), "passwordComplexity"), "minLength"));
    size_t len = min > PROVISION_PASSWORD_LEN ? (size_t)min : PROVISION_PASSWORD_LEN;

    if (known != NULL || (env != NULL && env[0] != '\0')) {
        snprintf(buf, size, "%s", known != NULL ? known : env);
        return HITO_OK;
    }
    return provision_generate_password(buf, size, len);
}

static int ensure_human(struct provision *p, json_t *user, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(user, "userName"));
    const char *out = json_string_value(json_object_get(user, "output"));
    int had_password = provision_get_output(p, out, "PASSWORD") != NULL;
    json_t *found = NULL, *made = NULL, *req = NULL;
    char what[WHAT_MAX_BYTES], path[PATH_MAX_BYTES], id[64] = "", password[128];
    int rc;

    if (user_password(p, out, password, sizeof(password)) != HITO_OK)
        return hito_error_set(err, HITO_ERR_IO, "cannot generate a password for \"%s\"", name);
    if ((rc = find_user(p, name, &found, err)) != HITO_OK)
        goto out;
    provision_copy_id(id, found, "id");
    if (found == NULL) {
        req = json_pack("{s:s,s:{s:s,s:s},s:{s:s,s:b},s:s,s:b}", "userName", name, "profile",
                        "firstName", json_string_value(json_object_get(user, "firstName")),
                        "lastName", json_string_value(json_object_get(user, "lastName")), "email",
                        "email", json_string_value(json_object_get(user, "email")),
                        "isEmailVerified", 1, "password", password, "passwordChangeRequired", 0);
        snprintf(what, sizeof(what), "create human user \"%s\"", name);
        rc = provision_write(p, what, "POST", "/management/v1/users/human/_import", req, 0, &made,
                             err);
        provision_copy_id(id, made, "userId");
    } else if (!had_password) {
        req = json_pack("{s:s,s:b}", "password", password, "noChangeRequired", 1);
        snprintf(what, sizeof(what), "set password of \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/users/%s/password", id);
        rc = provision_write(p, what, "POST", path, req, 0, NULL, err);
    }
    if (rc != HITO_OK)
        goto out;
    if ((rc = store_user_outputs(p, user, id, found, "LOGIN", err)) != HITO_OK ||
        (rc = provision_set_output(p, out, "PASSWORD", password, err)) != HITO_OK)
        goto out;
    rc = ensure_grant(p, id[0] ? id : NULL, user, err);
out:
    json_decref(found);
    json_decref(made);
    json_decref(req);
    return rc;
}

int provision_step_users(struct provision *p, struct hito_error *err)
{
    json_t *user;
    size_t i;
    int rc;

    json_array_foreach(json_object_get(p->model, "machineUsers"), i, user) {
        if ((rc = ensure_machine(p, user, err)) != HITO_OK)
            return rc;
    }
    json_array_foreach(json_object_get(p->model, "humanUsers"), i, user) {
        if ((rc = ensure_human(p, user, err)) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

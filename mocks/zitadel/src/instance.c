/* instance.c - the first instance, created once, and the keyring's persistence. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "hito/log.h"
#include "policy.h"
#include "users.h"
#include "zjson.h"

#define PAT_TEXT 80
/* PATs of the first instance never expire (ZITADEL: 9999-01-01). */
#define ADMIN_PAT_EXPIRY 253370764800.0

void zsrv_keys_store(struct zsrv *srv, json_t *doc)
{
    json_object_set_new(doc, "_keys", jose_keyring_dump(srv->keys));
}

/* Creates the parent folders of path (mode 0700), like mkdir -p. */
static int make_parents(const char *path)
{
    char buf[4096];

    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return -1;
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

/* Writes the admin PAT to path with mode 0600, through a temporary file. */
static int write_pat(const char *path, const char *pat, struct hito_error *err)
{
    char tmp[4096];
    int fd;
    size_t len = strlen(pat);

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) || make_parents(path) < 0)
        return hito_error_set(err, HITO_ERR_IO, "cannot create the folder of %s", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return hito_error_set(err, HITO_ERR_IO, "open %s: %s", tmp, strerror(errno));
    if (write(fd, pat, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
        close(fd);
        return hito_error_set(err, HITO_ERR_IO, "write %s: %s", tmp, strerror(errno));
    }
    close(fd);
    if (rename(tmp, path) < 0)
        return hito_error_set(err, HITO_ERR_IO, "rename %s: %s", tmp, strerror(errno));
    return HITO_OK;
}

/* Stores an instance default policy. */
static void default_policy(struct zsrv *srv, const char *key, json_t *policy,
                           const char *instance_id)
{
    store_stamp_new(srv->store, policy, instance_id);
    json_object_set_new(store_coll(srv->store, STORE_POLICIES), key, policy);
}

/* Creates the org, the ZITADEL project and the IAM admin machine user. */
static int create_instance(struct zsrv *srv, struct zreq *z, struct hito_error *err)
{
    char id[STORE_ID_SIZE];
    char pat[PAT_TEXT];
    json_t *org;
    json_t *project;
    json_t *admin;

    store_next_id(srv->store, id, sizeof(id));
    json_object_set_new(z->doc, "_instanceId", json_string(id));
    default_policy(srv, "complexity/default", policy_default_complexity(), id);
    default_policy(srv, "lockout/default", policy_default_lockout(), id);
    org = mgmt_org_create(z, srv->settings.org_name);
    if (org == NULL)
        return hito_error_set(err, HITO_ERR_INVALID, "first org %s cannot be created",
                              srv->settings.org_name);
    z->org_id = zjson_str(org, "id", "");
    project = json_pack("{s:s, s:s}", "name", "ZITADEL", "state", "PROJECT_STATE_ACTIVE");
    store_next_id(srv->store, id, sizeof(id));
    json_object_set_new(project, "id", json_string(id));
    store_stamp_new(srv->store, project, z->org_id);
    json_object_set_new(store_coll(srv->store, STORE_PROJECTS), id, project);
    json_object_set_new(z->doc, "_zitadelProjectId", json_string(id));
    admin = users_insert(z, json_pack("{s:s, s:s, s:b, s:{s:s, s:s}}", "userName",
                                      srv->settings.admin_username, "_type", "TYPE_MACHINE",
                                      "_iamOwner", 1, "machine", "name", "Admin", "accessTokenType",
                                      "ACCESS_TOKEN_TYPE_BEARER"), z->org_id);
    if (users_pat_create(srv->store, zjson_str(admin, "id", ""), ADMIN_PAT_EXPIRY, pat,
                         sizeof(pat), NULL) < 0)
        return hito_error_set(err, HITO_ERR_IO, "PAT generation failed");
    if (write_pat(srv->settings.pat_path, pat, err) != HITO_OK)
        return err ? err->code : HITO_ERR_IO;
    LOG_INFO("first instance created", "org", srv->settings.org_name, "admin",
             srv->settings.admin_username, "pat_path", srv->settings.pat_path);
    return HITO_OK;
}

int zsrv_instance_init(struct zsrv *srv, struct hito_error *err)
{
    struct zreq z = {.srv = srv};
    char kid[STORE_ID_SIZE];
    int rc = HITO_OK;

    store_lock(srv->store);
    z.doc = store_doc(srv->store);
    if (json_object_get(z.doc, "_instanceId") == NULL)
        rc = create_instance(srv, &z, err);
    if (rc == HITO_OK)
        rc = jose_keyring_load(srv->keys, json_object_get(z.doc, "_keys"), err);
    if (rc == HITO_OK && jose_keyring_size(srv->keys) == 0) {
        store_next_id(srv->store, kid, sizeof(kid));
        rc = jose_keyring_rotate(srv->keys, kid, err);
        if (rc == HITO_OK)
            zsrv_keys_store(srv, z.doc);
    }
    if (rc == HITO_OK)
        rc = store_save(srv->store, err);
    store_unlock(srv->store);
    json_decref(z.reply);
    return rc;
}

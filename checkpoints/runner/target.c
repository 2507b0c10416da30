#include "target.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hito/config.h"
#include "redact.h"

#define TARGET_LINE_MAX 4096
#define TARGET_PATH_MAX 4096

const char *target_kind_name(enum target_kind kind)
{
    switch (kind) {
    case TARGET_LOCAL:
        return "local";
    case TARGET_COMPOSE:
        return "compose";
    default:
        return "file";
    }
}

static int add_key(struct target *t, const char *key, size_t len)
{
    for (size_t i = 0; i < t->key_count; i++)
        if (strlen(t->keys[i]) == len && strncmp(t->keys[i], key, len) == 0)
            return HITO_OK;
    if (t->key_count == TARGET_MAX_KEYS)
        return HITO_ERR_LIMIT;
    t->keys[t->key_count] = strndup(key, len);
    if (!t->keys[t->key_count])
        return HITO_ERR_NOMEM;
    t->key_count++;
    return HITO_OK;
}

static int ends_with(const char *key, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);

    return len >= n && strncmp(key + len - n, suffix, n) == 0;
}

/*
 * User and vhost names sit in secrets files, and SECRETS_FILE names a
 * path, but none of them is a secret.
 */
static int is_public_key(const char *key, size_t len)
{
    return ends_with(key, len, "_USER") || ends_with(key, len, "_VHOST") ||
           ends_with(key, len, "_FILE");
}

/*
 * Lists the keys a settings file defines. config.h reads the values; this
 * only needs the names, which config.h does not enumerate.
 */
static int scan_keys(struct target *t, const char *path, int secrets_file,
                     struct hito_error *err)
{
    char line[TARGET_LINE_MAX];
    FILE *f = fopen(path, "r");
    int rc = HITO_OK;

    if (!f)
        return hito_error_set(err, HITO_ERR_IO, "%s: %s", path,
                              strerror(errno));
    while (rc == HITO_OK && fgets(line, sizeof(line), f)) {
        const char *p = line, *key;
        const char *value;

        while (*p == ' ' || *p == '\t')
            p++;
        if (!isalpha((unsigned char)*p) && *p != '_')
            continue;
        key = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        if (*p != '=')
            continue;
        rc = add_key(t, key, (size_t)(p - key));
        if (rc != HITO_OK)
            break;
        value = target_get(t, t->keys[t->key_count - 1]);
        if (value && !is_public_key(key, (size_t)(p - key)) &&
            (secrets_file || redact_is_sensitive_key(key, (size_t)(p - key))))
            rc = redactor_add_secret(t->redactor, value);
    }
    fclose(f);
    if (rc != HITO_OK)
        return hito_error_set(err, rc, "%s: cannot record its keys: %s", path,
                              hito_strerror(rc));
    return HITO_OK;
}

static int load_file(struct target *t, const char *path, int secrets_file,
                     struct hito_error *err)
{
    int rc;

    if (t->file_count == TARGET_MAX_FILES)
        return hito_error_set(err, HITO_ERR_LIMIT,
                              "%s: more than %d settings files", path,
                              TARGET_MAX_FILES);
    if (access(path, R_OK) != 0)
        return hito_error_set(err, HITO_ERR_NOT_FOUND, "settings file %s: %s",
                              path, strerror(errno));
    rc = config_load_file(t->config, path, err);
    if (rc != HITO_OK)
        return rc;
    t->files[t->file_count] = strdup(path);
    if (!t->files[t->file_count])
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    t->file_count++;
    /* Keys are scanned after loading, so the values they name exist. */
    return scan_keys(t, path, secrets_file, err);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads run/<env>/<name>.env files except secrets.env, in name order. */
static int load_outputs(struct target *t, const char *dir,
                        struct hito_error *err)
{
    char *names[TARGET_MAX_FILES];
    size_t count = 0;
    struct dirent *de;
    DIR *d = opendir(dir);
    int rc = HITO_OK;

    if (!d)
        return HITO_OK; /* no component has written outputs yet */
    while ((de = readdir(d)) != NULL && count < TARGET_MAX_FILES) {
        size_t len = strlen(de->d_name);

        if (len < 5 || strcmp(de->d_name + len - 4, ".env") != 0 ||
            strcmp(de->d_name, "secrets.env") == 0 || de->d_name[0] == '.')
            continue;
        names[count] = strdup(de->d_name);
        if (!names[count]) {
            rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
            break;
        }
        count++;
    }
    closedir(d);
    qsort(names, count, sizeof(*names), compare_names);
    for (size_t i = 0; i < count; i++) {
        char path[TARGET_PATH_MAX];

        if (rc == HITO_OK && snprintf(path, sizeof(path), "%s/%s", dir,
                                      names[i]) >= (int)sizeof(path))
            rc = hito_error_set(err, HITO_ERR_INVALID, "path too long: %s/%s",
                                dir, names[i]);
        if (rc == HITO_OK)
            rc = load_file(t, path, 0, err);
        free(names[i]);
    }
    return rc;
}

static int valid_env_name(const char *env)
{
    if (!*env)
        return 0;
    for (const char *p = env; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return 1;
}

/* Sets t->name to the file name of path without a trailing ".env". */
static int name_from_path(struct target *t, const char *path)
{
    const char *base = strrchr(path, '/');
    size_t len;

    base = base ? base + 1 : path;
    len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".env") == 0)
        len -= 4;
    t->name = strndup(base, len);
    return t->name ? HITO_OK : HITO_ERR_NOMEM;
}

static int load_local(struct target *t, const char *root, const char *env,
                      struct hito_error *err)
{
    char path[TARGET_PATH_MAX];
    int rc;

    if (!valid_env_name(env))
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "invalid HITO_ENV \"%s\": use letters, digits, '-' and '_'", env);
    snprintf(path, sizeof(path), "local-%s", env);
    t->name = strdup(path);
    if (!t->name)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    snprintf(path, sizeof(path), "%s/stack/settings/%s.env", root, env);
    rc = load_file(t, path, 0, err);
    if (rc == HITO_ERR_NOT_FOUND)
        return hito_error_set(
            err, rc, "no settings for HITO_ENV=%s: %s is missing", env, path);
    if (rc != HITO_OK)
        return rc;
    snprintf(path, sizeof(path), "%s/run/%s/secrets.env", root, env);
    rc = load_file(t, path, 1, err);
    if (rc == HITO_ERR_NOT_FOUND)
        return hito_error_set(
            err, rc,
            "%s not found: start the stack first (make up HITO_ENV=%s)", path,
            env);
    if (rc != HITO_OK)
        return rc;
    snprintf(path, sizeof(path), "%s/run/%s", root, env);
    t->run_dir = realpath(path, NULL);
    return load_outputs(t, path, err);
}

/* Loads a profile file and the SECRETS_FILE it names. */
static int load_profile(struct target *t, const char *path,
                        struct hito_error *err)
{
    char secrets[TARGET_PATH_MAX];
    const char *name, *slash;
    int rc;

    rc = name_from_path(t, path);
    if (rc != HITO_OK)
        return hito_error_set(err, rc, "out of memory");
    rc = load_file(t, path, 0, err);
    if (rc != HITO_OK)
        return rc;
    name = target_get(t, "SECRETS_FILE");
    if (!name || !*name)
        return HITO_OK;
    slash = strrchr(path, '/');
    if (name[0] == '/' || !slash)
        snprintf(secrets, sizeof(secrets), "%s", name);
    else
        snprintf(secrets, sizeof(secrets), "%.*s/%s", (int)(slash - path), path,
                 name);
    rc = load_file(t, secrets, 1, err);
    if (rc == HITO_ERR_NOT_FOUND)
        return hito_error_set(err, rc,
                              "%s sets SECRETS_FILE=%s, but %s is missing",
                              path, name, secrets);
    return rc;
}

int target_load(const char *spec, const char *root, const char *env,
                struct target **out, struct hito_error *err)
{
    char path[TARGET_PATH_MAX];
    struct target *t;
    int rc;

    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (!t || !(t->config = config_new()) || !(t->redactor = redactor_new())) {
        target_free(t);
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    if (strcmp(spec, "local") == 0) {
        t->kind = TARGET_LOCAL;
        rc = load_local(t, root, env, err);
    } else if (strcmp(spec, "compose") == 0) {
        t->kind = TARGET_COMPOSE;
        snprintf(path, sizeof(path), "%s/checkpoints/targets/compose.env",
                 root);
        rc = load_profile(t, path, err);
    } else {
        t->kind = TARGET_FILE;
        rc = load_profile(t, spec, err);
    }
    if (rc != HITO_OK) {
        target_free(t);
        return rc;
    }
    *out = t;
    return HITO_OK;
}

void target_free(struct target *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->file_count; i++)
        free(t->files[i]);
    for (size_t i = 0; i < t->key_count; i++)
        free(t->keys[i]);
    config_free(t->config);
    redactor_free(t->redactor);
    free(t->run_dir);
    free(t->name);
    free(t);
}

const char *target_get(const struct target *t, const char *key)
{
    return config_get(t->config, key);
}

/*
 * outputs.c - KEY=VALUE outputs file with mode 0600.
 */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_BYTES (OUTPUTS_MAX_VALUE + 256)

struct outputs_entry {
    char *key;
    char *value;
};

struct outputs {
    struct outputs_entry entries[OUTPUTS_MAX_ENTRIES];
    size_t count;
};

struct outputs *outputs_new(void)
{
    return calloc(1, sizeof(struct outputs));
}

void outputs_free(struct outputs *out)
{
    if (out == NULL)
        return;
    for (size_t i = 0; i < out->count; i++) {
        free(out->entries[i].key);
        free(out->entries[i].value);
    }
    free(out);
}

const char *outputs_get(const struct outputs *out, const char *key)
{
    for (size_t i = 0; i < out->count; i++) {
        if (strcmp(out->entries[i].key, key) == 0)
            return out->entries[i].value;
    }
    return NULL;
}

int outputs_set(struct outputs *out, const char *key, const char *value)
{
    char *copy = strdup(value);
    size_t i;

    if (copy == NULL)
        return HITO_ERR_NOMEM;
    for (i = 0; i < out->count; i++) {
        if (strcmp(out->entries[i].key, key) == 0) {
            free(out->entries[i].value);
            out->entries[i].value = copy;
            return HITO_OK;
        }
    }
    if (out->count == OUTPUTS_MAX_ENTRIES) {
        free(copy);
        return HITO_ERR_LIMIT;
    }
    out->entries[i].key = strdup(key);
    if (out->entries[i].key == NULL) {
        free(copy);
        return HITO_ERR_NOMEM;
    }
    out->entries[i].value = copy;
    out->count++;
    return HITO_OK;
}

static int valid_key(const char *key, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = key[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

int outputs_load(struct outputs *out, const char *path, struct hito_error *err)
{
    FILE *f = fopen(path, "r");
    char line[LINE_MAX_BYTES];
    int lineno = 0, rc = HITO_OK;

    if (f == NULL) {
        if (errno == ENOENT)
            return HITO_OK;
        return hito_error_set(err, HITO_ERR_IO, "%s: %s", path, strerror(errno));
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *eq, *end;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        eq = strchr(line, '=');
        if (eq == NULL || !valid_key(line, (size_t)(eq - line))) {
            rc = hito_error_set(err, HITO_ERR_INVALID, "%s:%d: expected KEY=VALUE", path, lineno);
            break;
        }
        *eq = '\0';
        end = eq + 1 + strlen(eq + 1);
        /* Values are written in single quotes; strip them. */
        if (eq[1] == '\'' && end > eq + 2 && end[-1] == '\'') {
            end[-1] = '\0';
            eq++;
        }
        if ((rc = outputs_set(out, line, eq + 1)) != HITO_OK) {
            hito_error_set(err, rc, "%s:%d: too many entries", path, lineno);
            break;
        }
    }
    fclose(f);
    return rc;
}

static int compare_entries(const void *a, const void *b)
{
    const struct outputs_entry *const *x = a, *const *y = b;

    return strcmp((*x)->key, (*y)->key);
}

static int make_parent(const char *path, struct hito_error *err)
{
    char dir[4096];
    char *slash;

    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
        return hito_error_set(err, HITO_ERR_INVALID, "path too long: %s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return HITO_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return hito_error_set(err, HITO_ERR_IO, "mkdir %s: %s", dir, strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return hito_error_set(err, HITO_ERR_IO, "mkdir %s: %s", dir, strerror(errno));
    return HITO_OK;
}

int outputs_save(const struct outputs *out, const char *path, struct hito_error *err)
{
    const struct outputs_entry *sorted[OUTPUTS_MAX_ENTRIES];
    char tmp[4200];
    FILE *f;
    int fd, rc;

    if ((rc = make_parent(path, err)) != HITO_OK)
        return rc;
    for (size_t i = 0; i < out->count; i++)
        sorted[i] = &out->entries[i];
    qsort(sorted, out->count, sizeof(sorted[0]), compare_entries);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return hito_error_set(err, HITO_ERR_IO, "%s: %s", tmp, strerror(errno));
    /* open's mode is masked by umask and ignored for an existing file. */
    fchmod(fd, 0600);
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return hito_error_set(err, HITO_ERR_IO, "%s: %s", tmp, strerror(errno));
    }
    fprintf(f, "# Written by hito-zitadel-provision; contains secrets (mode 0600).\n");
    for (size_t i = 0; i < out->count; i++)
        fprintf(f, "%s='%s'\n", sorted[i]->key, sorted[i]->value);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return hito_error_set(err, HITO_ERR_IO, "writing %s: %s", path, strerror(errno));
    }
    return HITO_OK;
}

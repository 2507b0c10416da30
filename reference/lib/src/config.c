/* config.c - KEY=VALUE settings files with environment overrides. */
#include "hito/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits of a settings file: line length and number of distinct keys. */
#define CONFIG_LINE_MAX 4096
#define CONFIG_MAX_ENTRIES 1024
#define CONFIG_PATH_MAX 1024

struct config_entry {
    char *key;
    char *value;
};

struct config {
    struct config_entry *entries;
    size_t count;
    size_t capacity;
};

struct config *config_new(void)
{
    return calloc(1, sizeof(struct config));
}

void config_free(struct config *cfg)
{
    size_t i;

    if (cfg == NULL)
        return;
    for (i = 0; i < cfg->count; i++) {
        free(cfg->entries[i].key);
        free(cfg->entries[i].value);
    }
    free(cfg->entries);
    free(cfg);
}

static struct config_entry *find_entry(const struct config *cfg, const char *key)
{
    size_t i;

    for (i = 0; i < cfg->count; i++) {
        if (strcmp(cfg->entries[i].key, key) == 0)
            return &cfg->entries[i];
    }
    return NULL;
}

int config_set(struct config *cfg, const char *key, const char *value)
{
    struct config_entry *entry = find_entry(cfg, key);
    char *copy = strdup(value);

    if (copy == NULL)
        return HITO_ERR_NOMEM;
    if (entry != NULL) {
        free(entry->value);
        entry->value = copy;
        return HITO_OK;
    }
    if (cfg->count == CONFIG_MAX_ENTRIES) {
        free(copy);
        return HITO_ERR_LIMIT;
    }
    if (cfg->count == cfg->capacity) {
        size_t capacity = cfg->capacity ? cfg->capacity * 2 : 32;
        struct config_entry *grown = realloc(cfg->entries, capacity * sizeof(*grown));

        if (grown == NULL) {
            free(copy);
            return HITO_ERR_NOMEM;
        }
        cfg->entries = grown;
        cfg->capacity = capacity;
    }
    entry = &cfg->entries[cfg->count];
    entry->key = strdup(key);
    if (entry->key == NULL) {
        free(copy);
        return HITO_ERR_NOMEM;
    }
    entry->value = copy;
    cfg->count++;
    return HITO_OK;
}

static int is_key_start(int c)
{
    return isalpha(c) || c == '_';
}

static int is_key_char(int c)
{
    return isalnum(c) || c == '_';
}

/* Characters a POSIX shell would expand or split on in an unquoted value. */
static int is_shell_special(int c)
{
    return isspace(c) || strchr("\"'`$\\;&|<>()#*?[]~{}!", c) != NULL;
}

/*
 * Decodes the value text (after '=') into out, in place. Returns NULL on
 * success or a reason for the error message.
 */
static const char *parse_value(char *text, char **out)
{
    size_t len = strlen(text);
    char quote = text[0];
    size_t i;

    if (quote == '"' || quote == '\'') {
        if (len < 2 || text[len - 1] != quote)
            return "unterminated quote or text after the closing quote";
        text[len - 1] = '\0';
        for (i = 1; i < len - 1; i++) {
            if (text[i] == quote)
                return "quote inside a quoted value";
            if (quote == '"' && strchr("$`\\", text[i]) != NULL)
                return "'$', '`' or '\\' inside a double-quoted value";
        }
        *out = text + 1;
        return NULL;
    }
    for (i = 0; i < len; i++) {
        if (is_shell_special((unsigned char)text[i]))
            return "unquoted value with a space or shell special character";
    }
    *out = text;
    return NULL;
}

/* Parses one line. Blank and comment lines leave *key NULL. */
static const char *parse_line(char *line, char **key, char **value)
{
    char *p = line;
    char *eq;

    *key = NULL;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return NULL;
    if (!is_key_start((unsigned char)*p))
        return "expected KEY=VALUE";
    eq = p;
    while (is_key_char((unsigned char)*eq))
        eq++;
    if (*eq != '=')
        return "expected '=' right after the key";
    *eq = '\0';
    *key = p;
    return parse_value(eq + 1, value);
}

int config_load_file(struct config *cfg, const char *path, struct hito_error *err)
{
    char line[CONFIG_LINE_MAX];
    FILE *f = fopen(path, "r");
    int lineno = 0;
    int rc = HITO_OK;

    if (f == NULL)
        return hito_error_set(err, errno == ENOENT ? HITO_ERR_NOT_FOUND : HITO_ERR_IO,
                              "%s: cannot open: %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t len = strlen(line);
        const char *reason;
        char *key;
        char *value;

        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(f)) {
            rc = hito_error_set(err, HITO_ERR_INVALID, "%s:%d: line longer than %d bytes",
                                path, lineno, CONFIG_LINE_MAX - 2);
            goto out;
        }
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        reason = parse_line(line, &key, &value);
        if (reason != NULL) {
            rc = hito_error_set(err, HITO_ERR_INVALID, "%s:%d: %s", path, lineno, reason);
            goto out;
        }
        if (key == NULL)
            continue;
        rc = config_set(cfg, key, value);
        if (rc != HITO_OK) {
            hito_error_set(err, rc, "%s:%d: cannot store %s: %s", path, lineno, key,
                           hito_strerror(rc));
            goto out;
        }
    }
    if (ferror(f))
        rc = hito_error_set(err, HITO_ERR_IO, "%s: read failed", path);
out:
    fclose(f);
    return rc;
}

int config_load_profile(struct config *cfg, const char *env, struct hito_error *err)
{
    char path[CONFIG_PATH_MAX];
    int rc;

    if (env == NULL || env[0] == '\0')
        env = getenv("HITO_ENV");
    if (env == NULL || env[0] == '\0')
        env = "dev";
    snprintf(path, sizeof(path), "stack/settings/%s.env", env);
    rc = config_load_file(cfg, path, err);
    if (rc != HITO_OK)
        return rc;
    snprintf(path, sizeof(path), "run/%s/secrets.env", env);
    rc = config_load_file(cfg, path, err);
    if (rc == HITO_ERR_NOT_FOUND)
        return HITO_OK;
    return rc;
}

const char *config_get(const struct config *cfg, const char *key)
{
    const char *env = getenv(key);
    const struct config_entry *entry;

    if (env != NULL)
        return env;
    if (cfg == NULL)
        return NULL;
    entry = find_entry(cfg, key);
    return entry ? entry->value : NULL;
}

const char *config_get_default(const struct config *cfg, const char *key, const char *fallback)
{
    const char *value = config_get(cfg, key);

    return (value == NULL || value[0] == '\0') ? fallback : value;
}

int config_get_int(const struct config *cfg, const char *key, long fallback, long min, long max,
                   long *out, struct hito_error *err)
{
    const char *value = config_get(cfg, key);
    char *end;
    long number;

    if (value == NULL || value[0] == '\0') {
        *out = fallback;
        return HITO_OK;
    }
    errno = 0;
    number = strtol(value, &end, 10);
    if (end == value || *end != '\0' || isspace((unsigned char)value[0]))
        return hito_error_set(err, HITO_ERR_INVALID, "%s=%s is not an integer (expected %ld..%ld)",
                              key, value, min, max);
    if (errno == ERANGE || number < min || number > max)
        return hito_error_set(err, HITO_ERR_INVALID, "%s=%s is out of range %ld..%ld", key,
                              value, min, max);
    *out = number;
    return HITO_OK;
}

int config_require(const struct config *cfg, const char *key, const char **out,
                   struct hito_error *err)
{
    const char *value = config_get(cfg, key);

    if (value == NULL || value[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID, "setting %s is missing or empty", key);
    *out = value;
    return HITO_OK;
}

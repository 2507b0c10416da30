/*
 * config.h - settings from KEY=VALUE files and the environment.
 *
 * A settings file has one KEY=VALUE per line, '#' comments and blank lines;
 * values may be wrapped in single or double quotes. The same files are
 * sourced by the stack's shell scripts, so no other syntax is accepted.
 * The environment overrides a file: config_get() looks at getenv(KEY) first.
 */
#ifndef HITO_CONFIG_H
#define HITO_CONFIG_H

#include "hito/err.h"

struct config;

/* Creates an empty configuration; returns NULL when out of memory. */
struct config *config_new(void);
void config_free(struct config *cfg);

/*
 * Loads a settings file into cfg; later files override earlier ones. On a
 * syntax error returns HITO_ERR_INVALID with "file:line: reason" in err.
 */
int config_load_file(struct config *cfg, const char *path, struct hito_error *err);

/*
 * Loads the settings of environment env (NULL or "": $HITO_ENV, else "dev"),
 * relative to the working directory: stack/settings/<env>.env, then
 * run/<env>/secrets.env when that file exists. Errors as config_load_file;
 * a missing settings file is HITO_ERR_NOT_FOUND.
 */
int config_load_profile(struct config *cfg, const char *env, struct hito_error *err);

/*
 * Sets a value in cfg (copied), as a file would. Returns HITO_ERR_NOMEM, or
 * HITO_ERR_LIMIT past 1024 distinct keys.
 */
int config_set(struct config *cfg, const char *key, const char *value);

/* Returns the environment's value, else the files', else NULL. */
const char *config_get(const struct config *cfg, const char *key);

/* Returns config_get(key) or fallback when the key is unset or empty. */
const char *config_get_default(const struct config *cfg, const char *key, const char *fallback);

/*
 * Reads an integer within [min, max]. A missing key gives fallback. A value
 * that is not an integer or is out of range gives HITO_ERR_INVALID with the
 * key, the value and the range in err.
 */
int config_get_int(const struct config *cfg, const char *key, long fallback, long min, long max,
                   long *out, struct hito_error *err);

/* Like config_get, but a missing or empty key is HITO_ERR_INVALID naming it. */
int config_require(const struct config *cfg, const char *key, const char **out,
                   struct hito_error *err);

#endif

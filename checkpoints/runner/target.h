/*
 * target.h - the profile a checkpoint runs against.
 *
 * A target is a set of KEY=VALUE settings files (the syntax of
 * stack/settings, read with config.h):
 *   local     stack/settings/$HITO_ENV.env, run/$HITO_ENV/secrets.env, then
 *             every other run/$HITO_ENV/<name>.env in name order; its name is
 *             "local-$HITO_ENV" because each stack has its own gate state.
 *   compose   checkpoints/targets/compose.env.
 *   FILE      any profile file; its name is the file name without ".env".
 * A compose or FILE profile may set SECRETS_FILE (relative to the profile's
 * folder, or absolute), loaded after it.
 *
 * Every value of a secrets file, and every value of a key that looks
 * sensitive (redact.h) in any file, becomes a known secret of the target's
 * redactor, except the values of keys ending in _USER, _VHOST and _FILE.
 */
#ifndef HITO_CHECKPOINT_TARGET_H
#define HITO_CHECKPOINT_TARGET_H

#include <stddef.h>

#include "hito/err.h"

#define TARGET_MAX_FILES 32
#define TARGET_MAX_KEYS 1024

struct config;
struct redactor;

enum target_kind { TARGET_LOCAL, TARGET_COMPOSE, TARGET_FILE };

struct target {
    enum target_kind kind;
    char *name;    /* folder name under reports/ */
    char *run_dir; /* local: absolute run/$HITO_ENV; else NULL */
    char *files[TARGET_MAX_FILES]; /* the files loaded, in order */
    size_t file_count;
    char *keys[TARGET_MAX_KEYS]; /* every key, first-seen order */
    size_t key_count;
    struct config *config;
    struct redactor *redactor;
};

/*
 * Loads the target spec ("local", "compose" or a file path) with paths
 * relative to root (the repository) and env as HITO_ENV. A missing
 * required file or a syntax error returns HITO_ERR_NOT_FOUND or
 * HITO_ERR_INVALID with the path in err. The caller frees *out.
 */
int target_load(const char *spec, const char *root, const char *env,
                struct target **out, struct hito_error *err);

void target_free(struct target *t);

/* Returns the value of key, or NULL. */
const char *target_get(const struct target *t, const char *key);

/* Returns "local", "compose" or "file". */
const char *target_kind_name(enum target_kind kind);

#endif

/*
 * outputs.h - the provisioner's outputs file: KEY=VALUE lines (the syntax of
 * stack/settings) holding ids, client ids and secrets, written with mode
 * 0600 because it contains secrets.
 */
#ifndef HITO_ZITADEL_OUTPUTS_H
#define HITO_ZITADEL_OUTPUTS_H

#include "hito/err.h"

#define OUTPUTS_MAX_ENTRIES 256
#define OUTPUTS_MAX_VALUE 4096

struct outputs;

struct outputs *outputs_new(void);
void outputs_free(struct outputs *out);

/*
 * Loads path into out; a missing file is not an error (nothing is loaded).
 * Lines that are not KEY=VALUE return HITO_ERR_INVALID with "path:line".
 */
int outputs_load(struct outputs *out, const char *path, struct hito_error *err);

/* Returns the value of key, or NULL. */
const char *outputs_get(const struct outputs *out, const char *key);

/* Sets key to a copy of value; HITO_ERR_LIMIT past OUTPUTS_MAX_ENTRIES. */
int outputs_set(struct outputs *out, const char *key, const char *value);

/*
 * Writes every entry, sorted by key, to path through a temporary file
 * created with mode 0600 and renamed over path, creating path's folder
 * (mode 0700) when missing.
 */
int outputs_save(const struct outputs *out, const char *path, struct hito_error *err);

#endif

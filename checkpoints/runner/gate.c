#include "gate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static json_t *entry_of(json_t *state, int checkpoint)
{
    char key[16];

    snprintf(key, sizeof(key), "%d", checkpoint);
    return json_object_get(json_object_get(state, "checkpoints"), key);
}

int gate_load(const char *path, json_t **state, struct hito_error *err)
{
    json_error_t jerr;

    *state = NULL;
    if (access(path, F_OK) != 0) {
        *state = json_pack("{s:{}}", "checkpoints");
        return *state ? HITO_OK
                      : hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    }
    *state = json_load_file(path, 0, &jerr);
    if (!*state || !json_is_object(json_object_get(*state, "checkpoints"))) {
        json_decref(*state);
        *state = NULL;
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "gate state %s is invalid (%s); delete it to start over", path,
            jerr.text[0] ? jerr.text : "no \"checkpoints\" object");
    }
    return HITO_OK;
}

int gate_save(const char *path, json_t *state, struct hito_error *err)
{
    char tmp[4096];

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (json_dump_file(state, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
        return hito_error_set(err, HITO_ERR_IO, "cannot write %s", tmp);
    if (rename(tmp, path) != 0)
        return hito_error_set(err, HITO_ERR_IO, "cannot rename %s to %s: %s",
                              tmp, path, strerror(errno));
    return HITO_OK;
}

int gate_blocking(json_t *state, const int *numbers, size_t count, int n,
                  const char *commit, char *why, size_t why_size)
{
    for (size_t i = 0; i < count && numbers[i] < n; i++) {
        json_t *entry = entry_of(state, numbers[i]);
        const char *outcome =
            json_string_value(json_object_get(entry, "outcome"));
        const char *at = json_string_value(json_object_get(entry, "commit"));

        if (!entry || !outcome || !at) {
            snprintf(why, why_size, "checkpoint %d has not run on this target",
                     numbers[i]);
            return numbers[i];
        }
        if (strcmp(outcome, "passed") != 0) {
            snprintf(why, why_size,
                     "checkpoint %d %s in its latest run (commit %s)",
                     numbers[i], outcome, at);
            return numbers[i];
        }
        if (strcmp(at, commit) != 0) {
            snprintf(why, why_size,
                     "checkpoint %d passed at commit %s, not at %s", numbers[i],
                     at, commit);
            return numbers[i];
        }
    }
    return 0;
}

int gate_record(json_t *state, int checkpoint, const char *outcome,
                const char *commit, const char *time, const char *target)
{
    char key[16];
    json_t *all = json_object_get(state, "checkpoints");
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s}", "outcome", outcome,
                              "commit", commit, "time", time, "target", target);

    snprintf(key, sizeof(key), "%d", checkpoint);
    /* json_object_set_new takes entry, and releases it on failure. */
    if (!entry || json_object_set_new(all, key, entry) != 0)
        return HITO_ERR_NOMEM;
    return HITO_OK;
}

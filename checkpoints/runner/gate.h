/*
 * gate.h - which checkpoints have passed on a target, for gating.
 *
 * The state file (reports/<target>/state.json) keeps the latest run of
 * each checkpoint: {"checkpoints": {"1": {"outcome": "passed", "commit":
 * "<sha>[-dirty]", "time": "<RFC 3339>", "target": "<name>"}}}. Checkpoint
 * N may run once every defined checkpoint below N has, as its latest run
 * on that target, a pass at the current commit.
 */
#ifndef HITO_CHECKPOINT_GATE_H
#define HITO_CHECKPOINT_GATE_H

#include <stddef.h>
#include <jansson.h>

#include "hito/err.h"

/*
 * Reads the state file; a missing file gives an empty state. Returns
 * HITO_ERR_INVALID with the path when it is not valid JSON. The caller
 * decrefs *state.
 */
int gate_load(const char *path, json_t **state, struct hito_error *err);

/* Writes state to path through a temporary file and a rename. */
int gate_save(const char *path, json_t *state, struct hito_error *err);

/*
 * Returns the first number in numbers (ascending, count of them) that is
 * below n and has not passed at commit, or 0 when none blocks n. When one
 * blocks, why receives the reason ("checkpoint 1 failed at <commit>", "has
 * not run", "passed at another commit <sha>").
 */
int gate_blocking(json_t *state, const int *numbers, size_t count, int n,
                  const char *commit, char *why, size_t why_size);

/* Records the latest run of a checkpoint in state; HITO_ERR_NOMEM on
 * failure. */
int gate_record(json_t *state, int checkpoint, const char *outcome,
                const char *commit, const char *time, const char *target);

#endif

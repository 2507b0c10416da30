/*
 * phases.h - the checkpoints: one per project phase, each with the
 * scenarios that verify it. The table is in checkpoints/phases.c.
 */
#ifndef HITO_CHECKPOINT_PHASES_H
#define HITO_CHECKPOINT_PHASES_H

#include <stddef.h>

#include "scenario.h"

struct phase {
    int number;
    const char *title;
    const char *description;
    const struct scenario *const *scenarios; /* NULL-terminated */
};

/* Returns the phases, ordered by number; *count receives their number. */
const struct phase *phases_all(size_t *count);

/* Returns phase number, or NULL when it is not defined. */
const struct phase *phases_find(int number);

#endif

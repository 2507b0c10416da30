/*
 * runner.h - one checkpoint run: gating, scenarios, terminal progress,
 * reports and gate state.
 */
#ifndef HITO_CHECKPOINT_RUNNER_H
#define HITO_CHECKPOINT_RUNNER_H

#include <stddef.h>

#include "phases.h"

enum runner_exit {
    RUNNER_EXIT_PASSED = 0,
    RUNNER_EXIT_FAILED = 1, /* a scenario failed or was skipped */
    RUNNER_EXIT_USAGE = 2,  /* invalid usage, target or reports folder */
    RUNNER_EXIT_GATED = 3,  /* an earlier checkpoint has not passed */
};

struct runner_options {
    int checkpoint;
    const char *root;     /* the repository */
    const char *env;      /* HITO_ENV */
    const char *target;   /* "local", "compose" or a profile path */
    const char *scenario; /* run only this scenario; NULL for all */
    const char *tag;      /* run only scenarios with this tag; NULL for all */
    const char *reports;  /* reports folder */
    int force;
    int color;
};

/* Runs a checkpoint; returns an enum runner_exit value. */
int runner_run(const struct runner_options *opts);

/* Returns nonzero when the comma-separated tags contain tag. */
int runner_has_tag(const char *tags, const char *tag);

/*
 * Writes the current commit ("git rev-parse HEAD", "-dirty" appended when
 * tracked files have changes) of the repository at root into buf, or
 * "unknown" when git is not available.
 */
void runner_commit(const char *root, char *buf, size_t size);

#endif

/*
 * result.h - what a checkpoint run records, as the reports read it.
 *
 * The runner fills these structures while scenarios run (scenario.c) and
 * the report writers (report_*.c) only read them. Each string belongs to
 * the structure that contains it and is already redacted.
 */
#ifndef HITO_CHECKPOINT_RESULT_H
#define HITO_CHECKPOINT_RESULT_H

#include <stddef.h>

enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP };

/* Bounds of one scenario's record; what goes past them is counted. */
#define RESULT_MAX_STEPS 64
#define RESULT_MAX_EVENTS 128
#define RESULT_MAX_FIGURES 32

enum event_kind { EVENT_NOTE, EVENT_CHECK, EVENT_EXCHANGE };

/* One line of a step: a note, a check or an exchange with a server. */
struct event {
    enum event_kind kind;
    int passed;        /* checks: nonzero when the check held */
    char *text;        /* note text, check description, exchange summary */
    char *expected;    /* checks; may be NULL */
    char *actual;      /* checks; may be NULL */
    char *location;    /* checks: "file:line"; may be NULL */
    char *sent;        /* exchanges: request excerpt; may be NULL */
    char *received;    /* exchanges: response excerpt; may be NULL */
    double elapsed_ms; /* exchanges */
};

struct step {
    char *title;
    enum outcome outcome;
    double offset_ms; /* start, from the scenario's start */
    double duration_ms;
    struct event *events;
    size_t event_count;
    size_t dropped_events;
};

/* A measured value that a scenario attached with scenario_figure. */
struct figure {
    char *name;   /* e.g. "gateway_overhead_ratio" */
    double value; /* always finite */
    char *unit;   /* e.g. "requests/s"; "" for a plain number */
};

struct scenario_result {
    char *name;
    char *title;
    char *tags;
    enum outcome outcome;
    char *message;  /* failure or skip reason; NULL when passed */
    char *location; /* "file:line" of the failed check; may be NULL */
    double duration_ms;
    struct step *steps;
    size_t step_count;
    size_t dropped_steps;
    struct figure *figures; /* RESULT_MAX_FIGURES slots; NULL when none */
    size_t figure_count;
    size_t dropped_figures;
};

struct run_result {
    int checkpoint;
    char *title;
    char *description;
    char *target;     /* target name, as in reports/<target>/ */
    char *commit;     /* git rev-parse HEAD, "-dirty" appended when dirty */
    char *started_at; /* RFC 3339, UTC */
    char *rerun;      /* the make command that runs this checkpoint again */
    double duration_ms;
    struct scenario_result *scenarios;
    size_t scenario_count;
    size_t passed;
    size_t failed;
    size_t skipped;
};

/* Returns "passed", "failed" or "skipped". */
const char *outcome_name(enum outcome outcome);

/* Returns the run's outcome: failed when a scenario failed, else skipped
 * when one was skipped, else passed. */
enum outcome run_outcome(const struct run_result *run);

/* Adds a scenario record to run (copying nothing: run takes sr's fields). */
int run_result_add(struct run_result *run, struct scenario_result *sr);

/* Frees everything run contains (not run itself). */
void run_result_clear(struct run_result *run);

/* Frees everything sr contains (not sr itself). */
void scenario_result_clear(struct scenario_result *sr);

/* Frees the strings ev contains (not ev itself). */
void event_clear(struct event *ev);

#endif

/*
 * report_fixture.h - a small run_result with hostile strings, shared by the
 * report tests.
 */
#ifndef HITO_CHECKPOINT_REPORT_FIXTURE_H
#define HITO_CHECKPOINT_REPORT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "runner/result.h"

#define HOSTILE "<script>alert('x')</script> & \"quotes\" ]]> --"

static struct event fixture_event(enum event_kind kind, int passed,
                                  const char *text)
{
    struct event ev;

    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.passed = passed;
    ev.text = strdup(text);
    if (kind == EVENT_CHECK) {
        ev.expected = strdup("200");
        ev.actual = strdup(HOSTILE);
        ev.location = strdup("scenarios/x.c:10");
    }
    if (kind == EVENT_EXCHANGE) {
        ev.sent = strdup("GET http://127.0.0.1/a?b=<c>");
        ev.received = strdup("HTTP 500\n\n" HOSTILE);
        ev.elapsed_ms = 1.5;
    }
    return ev;
}

static void fixture_scenario(struct run_result *run, const char *name,
                             enum outcome outcome, const char *message)
{
    struct scenario_result sr;
    struct step *step;

    memset(&sr, 0, sizeof(sr));
    sr.name = strdup(name);
    sr.title = strdup(HOSTILE);
    sr.tags = strdup("infra,test");
    sr.outcome = outcome;
    sr.message = message ? strdup(message) : NULL;
    sr.duration_ms = 12.5;
    sr.steps = calloc(RESULT_MAX_STEPS, sizeof(struct step));
    sr.step_count = 1;
    step = &sr.steps[0];
    step->title = strdup("Step with " HOSTILE);
    step->outcome = outcome;
    step->events = calloc(RESULT_MAX_EVENTS, sizeof(struct event));
    step->events[0] = fixture_event(EVENT_NOTE, 0, "a note & more");
    step->events[1] = fixture_event(EVENT_EXCHANGE, 0, "GET /a -> 500");
    step->events[2] =
        fixture_event(EVENT_CHECK, outcome != OUTCOME_FAIL, "HTTP status");
    step->event_count = 3;
    run_result_add(run, &sr);
}

/* Attaches two figures to the run's first scenario, one without a unit. */
static void fixture_figures(struct run_result *run)
{
    struct scenario_result *sr = &run->scenarios[0];

    sr->figures = calloc(RESULT_MAX_FIGURES, sizeof(struct figure));
    sr->figures[0].name = strdup("accepted_rate");
    sr->figures[0].value = 7.9;
    sr->figures[0].unit = strdup("requests/s <&>");
    sr->figures[1].name = strdup("overhead_ratio");
    sr->figures[1].value = 0.97;
    sr->figures[1].unit = strdup("");
    sr->figure_count = 2;
}

/* Fills run with one passed, one failed and one skipped scenario; the
 * passed one carries two figures. */
static void fixture_run(struct run_result *run)
{
    memset(run, 0, sizeof(*run));
    run->checkpoint = 1;
    run->title = strdup("Base <infrastructure>");
    run->description = strdup("Description & " HOSTILE);
    run->target = strdup("local-test");
    run->commit = strdup("0123abcd-dirty");
    run->started_at = strdup("2026-12-04T16:00:00Z");
    run->duration_ms = 1234;
    fixture_scenario(run, "passes", OUTCOME_PASS, NULL);
    fixture_scenario(run, "fails-<&>\"", OUTCOME_FAIL,
                     "expected 200, got " HOSTILE);
    fixture_scenario(run, "skips", OUTCOME_SKIP, "not on this target");
    fixture_figures(run);
}

#endif

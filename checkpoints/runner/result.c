#include "result.h"

#include <stdlib.h>
#include <string.h>

#include "hito/err.h"

/* Maximum number of scenarios in one run. */
#define RESULT_MAX_SCENARIOS 512

const char *outcome_name(enum outcome outcome)
{
    switch (outcome) {
    case OUTCOME_PASS:
        return "passed";
    case OUTCOME_FAIL:
        return "failed";
    default:
        return "skipped";
    }
}

enum outcome run_outcome(const struct run_result *run)
{
    if (run->failed)
        return OUTCOME_FAIL;
    if (run->skipped)
        return OUTCOME_SKIP;
    return OUTCOME_PASS;
}

int run_result_add(struct run_result *run, struct scenario_result *sr)
{
    struct scenario_result *grown;

    if (run->scenario_count == RESULT_MAX_SCENARIOS)
        return HITO_ERR_LIMIT;
    grown = realloc(run->scenarios, (run->scenario_count + 1) * sizeof(*grown));
    if (!grown)
        return HITO_ERR_NOMEM;
    run->scenarios = grown;
    run->scenarios[run->scenario_count++] = *sr;
    memset(sr, 0, sizeof(*sr));
    switch (run->scenarios[run->scenario_count - 1].outcome) {
    case OUTCOME_PASS:
        run->passed++;
        break;
    case OUTCOME_FAIL:
        run->failed++;
        break;
    default:
        run->skipped++;
        break;
    }
    return HITO_OK;
}

void event_clear(struct event *ev)
{
    free(ev->text);
    free(ev->expected);
    free(ev->actual);
    free(ev->location);
    free(ev->sent);
    free(ev->received);
}

void scenario_result_clear(struct scenario_result *sr)
{
    for (size_t i = 0; sr->steps && i < sr->step_count; i++) {
        for (size_t j = 0; j < sr->steps[i].event_count; j++)
            event_clear(&sr->steps[i].events[j]);
        free(sr->steps[i].events);
        free(sr->steps[i].title);
    }
    free(sr->steps);
    for (size_t i = 0; sr->figures && i < sr->figure_count; i++) {
        free(sr->figures[i].name);
        free(sr->figures[i].unit);
    }
    free(sr->figures);
    free(sr->name);
    free(sr->title);
    free(sr->tags);
    free(sr->message);
    free(sr->location);
    memset(sr, 0, sizeof(*sr));
}

void run_result_clear(struct run_result *run)
{
    for (size_t i = 0; i < run->scenario_count; i++)
        scenario_result_clear(&run->scenarios[i]);
    free(run->scenarios);
    free(run->title);
    free(run->description);
    free(run->target);
    free(run->commit);
    free(run->started_at);
    free(run->rerun);
    memset(run, 0, sizeof(*run));
}

/*
 * scenario_run.h - running one scenario; the runner's side of scenario.h.
 */
#ifndef HITO_CHECKPOINT_SCENARIO_RUN_H
#define HITO_CHECKPOINT_SCENARIO_RUN_H

#include "result.h"
#include "scenario.h"

struct target;

/* Maximum number of responses, JSON values and strings a scenario keeps. */
#define SCENARIO_MAX_OWNED 4096

/*
 * Runs s against t and fills out (which the caller clears with
 * scenario_result_clear). A failed check, a skip and the time-out are
 * outcomes recorded in out, not errors; returns HITO_ERR_NOMEM only when
 * nothing could be recorded.
 */
int scenario_execute(const struct scenario *s, struct target *t,
                     struct scenario_result *out);

/*
 * Makes a recordable copy of text: invalid UTF-8 and control characters
 * other than newline and tab become '?', the copy is cut to max bytes
 * with a note of what was cut, and redact.h's rules apply. The caller
 * frees the result; NULL for NULL text or when out of memory.
 */
char *scenario_clean_text(const struct target *t, const char *text, size_t len,
                          size_t max);

#endif

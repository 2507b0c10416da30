/*
 * orch_itest_env.h - settings of the running stack for the orchestrator's
 * integration tests (the working directory must be the repository root).
 */
#ifndef ORCH_ITEST_ENV_H
#define ORCH_ITEST_ENV_H

#include <stddef.h>

#include "orch_settings.h"

/* Loads the orchestrator's settings of $HITO_ENV; exits when that fails. */
void orch_itest_settings(struct orch_settings *out);

/* Writes prefix and 9 random digits, so runs do not see each other. */
void orch_itest_name(const char *prefix, char *out, size_t size);

#endif

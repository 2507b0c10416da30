/*
 * action.h - runs ZITADEL v1 Actions (ES5 JavaScript) on duktape.
 *
 * As in ZITADEL v2.40, the script must define a function whose name equals
 * the action's name; it is called as name(ctx, api). ctx.v1 carries the
 * trigger's context (for the complement-token flow: ctx.v1.user {id,
 * grants}, ctx.v1.getUser()), and api.v1.claims offers setClaim(key, value),
 * which never overwrites an existing claim, and appendLogIntoClaims(text).
 *
 * Each run happens in a forked child process, so a script that loops
 * forever can be stopped at its timeout. The child sends its result back
 * through a pipe.
 */
#ifndef ZITADEL_ACTION_H
#define ZITADEL_ACTION_H

#include <jansson.h>

#include "hito/err.h"

/* ZITADEL rejects action timeouts above 20 s. */
#define ACTION_MAX_TIMEOUT_S 20.0
/* Largest script the emulator stores (bytes). */
#define ACTION_MAX_SCRIPT (64 * 1024)
/* Largest result a script can send back (bytes). */
#define ACTION_MAX_OUTPUT (256 * 1024)
/* Log lines appendLogIntoClaims keeps per run. */
#define ACTION_MAX_LOGS 64

/*
 * Runs one action. ctx_v1 is the JSON form of ctx.v1 (getUser() returns its
 * "user" member). existing contains the claims already in the token, and
 * setClaim ignores those keys. On success *claims receives a new object with the
 * claims the script added, and its appendLogIntoClaims lines under
 * "urn:zitadel:iam:action:<name>:log". Errors: HITO_ERR_TIMEOUT when the
 * script ran past timeout_s, HITO_ERR_INVALID when it threw or did not
 * define the function (the message in err), HITO_ERR_IO when the child
 * process failed.
 */
int action_run(const char *name, const char *script, double timeout_s, const json_t *ctx_v1,
               const json_t *existing, json_t **claims, struct hito_error *err);

#endif

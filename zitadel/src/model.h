/*
 * model.h - the declarative identity model (zitadel/model.json): loading,
 * validation with errors naming the path of the bad field, and the role
 * hierarchy's permissions.
 */
#ifndef HITO_ZITADEL_MODEL_H
#define HITO_ZITADEL_MODEL_H

#include <jansson.h>

#include "hito/err.h"

#define MODEL_MAX_BYTES (1024 * 1024)
#define MODEL_MAX_ROLES 64
/* Depth bound of "includes" chains; deeper chains are reported as cycles. */
#define MODEL_MAX_ROLE_DEPTH 16

/*
 * Loads and validates the model file. On success *model holds a new
 * reference the caller releases with json_decref. Errors: HITO_ERR_IO for
 * an unreadable file, HITO_ERR_INVALID with "path: reason" in err, for
 * example "roles[2].includes[0]: unknown role \"suport\"".
 */
int model_load(const char *path, json_t **model, struct hito_error *err);

/* Validates a parsed model (model_load calls it). */
int model_validate(json_t *model, struct hito_error *err);

/* Returns the role object with key role, or NULL. */
json_t *model_find_role(json_t *model, const char *role);

/*
 * Returns a new sorted array of the permissions role grants, its own and
 * those of every role it includes, transitively; NULL for an unknown role.
 */
json_t *model_role_permissions(json_t *model, const char *role);

#endif

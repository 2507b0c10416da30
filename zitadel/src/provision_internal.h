/*
 * provision_internal.h - helpers shared by the provisioner's step files
 * (provision.c, provision_actions.c, provision_users.c); not an API.
 */
#ifndef HITO_ZITADEL_PROVISION_INTERNAL_H
#define HITO_ZITADEL_PROVISION_INTERNAL_H

#include <jansson.h>

#include "hito/err.h"
#include "provision.h"

#define PATH_MAX_BYTES 512
#define WHAT_MAX_BYTES 256
#define KEY_MAX_BYTES 128

/* Reads a number that ZITADEL may send as a string (64-bit) or omit (0). */
long long provision_number(json_t *v);

/* Compares a response value with a model value, an omitted field being zero. */
int provision_value_equal(json_t *actual, json_t *wanted);

/* Returns nonzero when every key of wanted has an equal value in actual. */
int provision_fields_match(json_t *actual, json_t *wanted);

/*
 * Sends a read, also in plan mode. A non-2xx status is an error naming
 * what; *body receives the response (a new reference, may be NULL).
 */
int provision_read(struct provision *p, const char *what, const char *method, const char *path,
                   json_t *req, json_t **body, struct hito_error *err);

/*
 * Sends a write, or in plan mode only prints "would <what>", and counts
 * changes. *body (when not NULL) receives the response of a 2xx write.
 * update selects zapi_classify's "nothing changed" rule.
 */
int provision_write(struct provision *p, const char *what, const char *method, const char *path,
                    json_t *req, int update, json_t **body, struct hito_error *err);

/*
 * POSTs query (stolen) to a _search path; *found receives a new reference
 * to the first result whose field equals value, or NULL.
 */
int provision_search_one(struct provision *p, const char *what, const char *path, json_t *query,
                         const char *field, const char *value, json_t **found,
                         struct hito_error *err);

/* Returns {"queries":[{query_name:{field:value, method:EQUALS}}]}. */
json_t *provision_equals_query(const char *query_name, const char *field, const char *value);

/* Sets output ZITADEL_<prefix>_<suffix> to value; NULL value does nothing. */
int provision_set_output(struct provision *p, const char *prefix, const char *suffix,
                         const char *value, struct hito_error *err);

/* Returns output ZITADEL_<prefix>_<suffix>, or NULL. */
const char *provision_get_output(struct provision *p, const char *prefix, const char *suffix);

/* Returns the string value of v, or "" when v is not a string. */
const char *provision_str(json_t *v);

/* Copies the string at obj.field into dst (64 bytes), or "" when absent. */
void provision_copy_id(char *dst, json_t *obj, const char *field);

int provision_step_actions(struct provision *p, struct hito_error *err);
int provision_step_users(struct provision *p, struct hito_error *err);

#endif

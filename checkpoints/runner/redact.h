/*
 * redact.h - removal of secrets from everything a checkpoint run records.
 *
 * Three rules apply to any text. The value after a sensitive key is
 * replaced in JSON ("key": "value"), form or settings syntax (key=value)
 * and header syntax (Key: value, up to the end of the line); a key is
 * sensitive when its name contains password, passwd, secret, token,
 * authorization, cookie, code_verifier, api_key, api-key, apikey,
 * private_key, credential, hmac_key, proof_key, masterkey or signing_key,
 * or ends in _pat. The credential after "Bearer " or "Basic "
 * is replaced, and so is any JSON Web Token (eyJ..., two dots). Every occurrence of a known secret value, such as the
 * passwords of the target's secrets file, is replaced. The replacement
 * is REDACTED.
 */
#ifndef HITO_CHECKPOINT_REDACT_H
#define HITO_CHECKPOINT_REDACT_H

#include <stddef.h>

#define REDACTED "[REDACTED]"
/* Known secrets shorter than this are not searched for, as they would
 * blank out ordinary words and numbers. */
#define REDACT_MIN_SECRET 6
#define REDACT_MAX_SECRETS 256

struct redactor;

/* Creates a redactor without known secrets; NULL when out of memory. */
struct redactor *redactor_new(void);
void redactor_free(struct redactor *r);

/*
 * Adds a known secret value (copied). Values shorter than REDACT_MIN_SECRET
 * and duplicates are ignored. Returns HITO_ERR_LIMIT past
 * REDACT_MAX_SECRETS, HITO_ERR_NOMEM when out of memory.
 */
int redactor_add_secret(struct redactor *r, const char *value);

/* Returns the number of known secrets. */
size_t redactor_secret_count(const struct redactor *r);

/*
 * Returns a redacted copy of text (the caller frees it), or NULL when text
 * is NULL or memory runs out. r may be NULL: then only the key and
 * credential rules apply.
 */
char *redactor_apply(const struct redactor *r, const char *text);

/* Returns nonzero when a key or header name of len bytes is sensitive. */
int redact_is_sensitive_key(const char *name, size_t len);

#endif

/*
 * wa_signature.h - the X-Hub-Signature-256 header of Meta's webhooks:
 * "sha256=" and the lower-case hex HMAC-SHA256 of the raw request body keyed
 * with the app secret. The HMAC covers the exact bytes received: Meta writes
 * "/" as "\/" and non-ASCII characters as "\u00e9" escapes, so a body parsed
 * and serialised again no longer matches.
 */
#ifndef WA_SIGNATURE_H
#define WA_SIGNATURE_H

#include <stddef.h>

#include "hito/err.h"

#define WA_SIGNATURE_PREFIX "sha256="
/* "sha256=" + 64 hex digits + NUL. */
#define WA_SIGNATURE_SIZE 72

/* Writes the header value for body into out; returns HITO_ERR_IO when
 * OpenSSL fails. */
int wa_signature_compute(const unsigned char *secret, size_t secret_len,
                         const char *body, size_t body_len,
                         char out[WA_SIGNATURE_SIZE]);

/*
 * Checks header (the X-Hub-Signature-256 value, NULL when absent) against
 * body, comparing the digests in constant time. Returns HITO_OK, or
 * HITO_ERR_AUTH with "missing", "malformed" or "mismatch" in err. Neither
 * the secret nor the expected digest appears in err.
 */
int wa_signature_verify(const unsigned char *secret, size_t secret_len,
                        const char *body, size_t body_len, const char *header,
                        struct hito_error *err);

#endif

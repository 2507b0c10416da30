#include "wa_signature.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define DIGEST_SIZE 32

static int digest(const unsigned char *secret, size_t secret_len,
                  const char *body, size_t body_len,
                  unsigned char out[DIGEST_SIZE])
{
    unsigned int len = 0;

    if (HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)body,
             body_len, out, &len) == NULL ||
        len != DIGEST_SIZE)
        return HITO_ERR_IO;
    return HITO_OK;
}

int wa_signature_compute(const unsigned char *secret, size_t secret_len,
                         const char *body, size_t body_len,
                         char out[WA_SIGNATURE_SIZE])
{
    unsigned char mac[DIGEST_SIZE];
    size_t n = strlen(WA_SIGNATURE_PREFIX);

    if (digest(secret, secret_len, body, body_len, mac) != HITO_OK)
        return HITO_ERR_IO;
    memcpy(out, WA_SIGNATURE_PREFIX, n);
    for (size_t i = 0; i < DIGEST_SIZE; i++)
        snprintf(out + n + 2 * i, 3, "%02x", mac[i]);
    return HITO_OK;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes exactly 64 hex digits; returns -1 for anything else. */
static int decode_hex(const char *hex, unsigned char out[DIGEST_SIZE])
{
    if (strlen(hex) != 2 * DIGEST_SIZE)
        return -1;
    for (size_t i = 0; i < DIGEST_SIZE; i++) {
        int high = hex_value(hex[2 * i]);
        int low = hex_value(hex[2 * i + 1]);

        if (high < 0 || low < 0)
            return -1;
        out[i] = (unsigned char)(high << 4 | low);
    }
    return 0;
}

int wa_signature_verify(const unsigned char *secret, size_t secret_len,
                        const char *body, size_t body_len, const char *header,
                        struct hito_error *err)
{
    size_t n = strlen(WA_SIGNATURE_PREFIX);
    unsigned char expected[DIGEST_SIZE];
    unsigned char received[DIGEST_SIZE];
    int rc = HITO_OK;

    if (header == NULL || header[0] == '\0')
        return hito_error_set(err, HITO_ERR_AUTH,
                              "signature missing: no X-Hub-Signature-256");
    if (strncmp(header, WA_SIGNATURE_PREFIX, n) != 0 ||
        decode_hex(header + n, received) != 0)
        return hito_error_set(err, HITO_ERR_AUTH,
                              "signature malformed: expected sha256= and 64 "
                              "hex digits");
    if (digest(secret, secret_len, body, body_len, expected) != HITO_OK)
        return hito_error_set(err, HITO_ERR_IO, "HMAC-SHA256 failed");
    if (CRYPTO_memcmp(expected, received, DIGEST_SIZE) != 0)
        rc = hito_error_set(err, HITO_ERR_AUTH,
                            "signature mismatch: the body was not signed "
                            "with the app secret");
    OPENSSL_cleanse(expected, sizeof(expected));
    return rc;
}

#include "otp_code.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* Room for "otp1", purpose, subject and code with their NULs. */
#define OTP_DIGEST_MESSAGE_MAX 256

static uint64_t power_of_ten(int exponent)
{
    uint64_t value = 1;

    for (int i = 0; i < exponent; i++)
        value *= 10;
    return value;
}

int otp_code_generate(otp_random_fn random, int digits,
                      char code[OTP_CODE_SIZE], struct hito_error *err)
{
    uint64_t range, limit, draw;
    unsigned char bytes[sizeof(uint64_t)];

    if (digits < OTP_CODE_DIGITS_MIN || digits > OTP_CODE_DIGITS_MAX)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "code length %d is outside [%d, %d]", digits,
                              OTP_CODE_DIGITS_MIN, OTP_CODE_DIGITS_MAX);

    range = power_of_ten(digits);
    /* The largest multiple of range that fits: draws at or above it are
     * rejected because they would make the low values more likely. */
    limit = UINT64_MAX - UINT64_MAX % range;

    for (int attempt = 0; attempt < OTP_CODE_MAX_DRAWS; attempt++) {
        if (random(bytes, sizeof(bytes)) != 0)
            return hito_error_set(err, HITO_ERR_IO, "random generator failed");
        draw = 0;
        for (size_t i = 0; i < sizeof(bytes); i++)
            draw = draw << 8 | bytes[i];
        if (draw >= limit)
            continue;

        draw %= range;
        for (int i = digits - 1; i >= 0; i--) {
            code[i] = (char)('0' + draw % 10);
            draw /= 10;
        }
        code[digits] = '\0';
        OPENSSL_cleanse(bytes, sizeof(bytes));
        return HITO_OK;
    }
    return hito_error_set(err, HITO_ERR_IO,
                          "random generator returned %d rejected draws",
                          OTP_CODE_MAX_DRAWS);
}

int otp_code_digest(const unsigned char *key, size_t key_len,
                    const char *subject, const char *purpose, const char *code,
                    char digest[OTP_DIGEST_HEX_SIZE], struct hito_error *err)
{
    static const char hex[] = "0123456789abcdef";
    const char *parts[] = { "otp1", purpose, subject, code };
    unsigned char message[OTP_DIGEST_MESSAGE_MAX];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t used = 0;

    if (key == NULL || key_len == 0)
        return hito_error_set(err, HITO_ERR_INVALID, "the HMAC key is empty");

    /* Each part is hashed with its NUL, so no two part lists collide. */
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t len = strlen(parts[i]) + 1;

        if (len > sizeof(message) - used)
            return hito_error_set(err, HITO_ERR_INVALID,
                                  "subject or purpose is too long");
        memcpy(message + used, parts[i], len);
        used += len;
    }

    if (HMAC(EVP_sha256(), key, (int)key_len, message, used, mac, &mac_len) ==
            NULL ||
        mac_len != 32)
        return hito_error_set(err, HITO_ERR_IO, "HMAC-SHA256 failed");
    OPENSSL_cleanse(message, sizeof(message));

    for (unsigned int i = 0; i < mac_len; i++) {
        digest[2 * i] = hex[mac[i] >> 4];
        digest[2 * i + 1] = hex[mac[i] & 0x0f];
    }
    digest[2 * mac_len] = '\0';
    return HITO_OK;
}

int otp_code_digest_equal(const char *a, const char *b)
{
    return CRYPTO_memcmp(a, b, OTP_DIGEST_HEX_SIZE - 1) == 0;
}

int otp_code_is_well_formed(const char *code, int digits)
{
    int i;

    for (i = 0; code[i] != '\0'; i++) {
        if (i >= digits || code[i] < '0' || code[i] > '9')
            return 0;
    }
    return i == digits;
}

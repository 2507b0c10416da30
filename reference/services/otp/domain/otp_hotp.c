#include "otp_hotp.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const EVP_MD *hotp_md(enum otp_hotp_alg alg)
{
    switch (alg) {
    case OTP_HOTP_SHA1:
        return EVP_sha1();
    case OTP_HOTP_SHA256:
        return EVP_sha256();
    case OTP_HOTP_SHA512:
        return EVP_sha512();
    }
    return NULL;
}

long otp_hotp(enum otp_hotp_alg alg, const unsigned char *key, size_t key_len,
              uint64_t counter, int digits)
{
    unsigned char message[8];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    const EVP_MD *md = hotp_md(alg);
    unsigned int offset;
    unsigned long binary;
    long modulus = 1;

    if (md == NULL || key == NULL || key_len == 0 ||
        digits < OTP_HOTP_DIGITS_MIN || digits > OTP_HOTP_DIGITS_MAX)
        return HITO_ERR_INVALID;

    for (int i = 7; i >= 0; i--) {
        message[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (HMAC(md, key, (int)key_len, message, sizeof(message), mac, &mac_len) ==
        NULL)
        return HITO_ERR_IO;

    /* Dynamic truncation: the low 4 bits of the last byte pick 4 bytes. */
    offset = mac[mac_len - 1] & 0x0f;
    binary = (unsigned long)(mac[offset] & 0x7f) << 24 |
             (unsigned long)mac[offset + 1] << 16 |
             (unsigned long)mac[offset + 2] << 8 |
             (unsigned long)mac[offset + 3];
    OPENSSL_cleanse(mac, sizeof(mac));

    for (int i = 0; i < digits; i++)
        modulus *= 10;
    return (long)(binary % (unsigned long)modulus);
}

long long otp_totp_step(long long unix_seconds, long long t0, int period)
{
    return (unix_seconds - t0) / period;
}

void otp_hotp_format(long value, int digits, char *out, size_t size)
{
    snprintf(out, size, "%0*ld", digits, value);
}

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int otp_base32_encode(const unsigned char *data, size_t len, char *out,
                      size_t size)
{
    size_t needed = (len * 8 + 4) / 5;
    unsigned int buffer = 0;
    int bits = 0;
    size_t n = 0;

    if (needed + 1 > size)
        return HITO_ERR_LIMIT;

    for (size_t i = 0; i < len; i++) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            out[n++] = base32_alphabet[(buffer >> (bits - 5)) & 0x1f];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[n++] = base32_alphabet[(buffer << (5 - bits)) & 0x1f];
    out[n] = '\0';
    return (int)n;
}

int otp_base32_decode(const char *text, unsigned char *out, size_t size)
{
    unsigned int buffer = 0;
    int bits = 0;
    size_t n = 0;

    for (const char *p = text; *p != '\0'; p++) {
        const char *found;

        if (*p == '=' || *p == ' ')
            continue;
        found = strchr(base32_alphabet, toupper((unsigned char)*p));
        if (found == NULL)
            return HITO_ERR_INVALID;
        buffer = (buffer << 5) | (unsigned int)(found - base32_alphabet);
        bits += 5;
        if (bits >= 8) {
            if (n >= size)
                return HITO_ERR_LIMIT;
            out[n++] = (unsigned char)(buffer >> (bits - 8));
            bits -= 8;
        }
    }
    return (int)n;
}

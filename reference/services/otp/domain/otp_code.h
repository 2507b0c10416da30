/*
 * otp_code.h - one-time codes: uniform generation and the keyed digest that
 * is stored in place of the code.
 */
#ifndef OTP_CODE_H
#define OTP_CODE_H

#include <stddef.h>

#include "hito/err.h"
#include "otp_ports.h"

#define OTP_CODE_DIGITS_MIN 4
#define OTP_CODE_DIGITS_MAX 10
#define OTP_CODE_SIZE (OTP_CODE_DIGITS_MAX + 1)
/* Draws before giving up; each draw is rejected with probability < 2^-30. */
#define OTP_CODE_MAX_DRAWS 8

/*
 * Writes a code of digits decimal digits (leading zeros kept) into code,
 * uniform over all 10^digits values. A 64-bit draw from random is rejected
 * when it falls in the last, incomplete block of 10^digits values, so no
 * value is favoured by the modulo. Returns HITO_ERR_INVALID for digits out
 * of [OTP_CODE_DIGITS_MIN, OTP_CODE_DIGITS_MAX], HITO_ERR_IO when random
 * fails or every draw was rejected.
 */
int otp_code_generate(otp_random_fn random, int digits,
                      char code[OTP_CODE_SIZE], struct hito_error *err);

/*
 * Computes HMAC-SHA256(key, "otp1" NUL purpose NUL subject NUL code) as hex,
 * so a digest only matches the code it was made for, for that subject and
 * purpose. Returns HITO_ERR_INVALID for an empty key.
 */
int otp_code_digest(const unsigned char *key, size_t key_len,
                    const char *subject, const char *purpose, const char *code,
                    char digest[OTP_DIGEST_HEX_SIZE], struct hito_error *err);

/* Compares two digests in constant time (CRYPTO_memcmp); nonzero if equal. */
int otp_code_digest_equal(const char *a, const char *b);

/* Returns nonzero when code is exactly digits ASCII digits. */
int otp_code_is_well_formed(const char *code, int digits);

#endif

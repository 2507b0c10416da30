/*
 * otp_hotp.h - HOTP (RFC 4226) and TOTP (RFC 6238) codes, and base32
 * (RFC 4648) for the secrets authenticator apps take.
 */
#ifndef OTP_HOTP_H
#define OTP_HOTP_H

#include <stddef.h>
#include <stdint.h>

#include "hito/err.h"

enum otp_hotp_alg { OTP_HOTP_SHA1, OTP_HOTP_SHA256, OTP_HOTP_SHA512 };

#define OTP_HOTP_DIGITS_MIN 6
#define OTP_HOTP_DIGITS_MAX 9

/*
 * Computes the HOTP value of counter with dynamic truncation (RFC 4226
 * section 5.3). Returns the code as a number below 10^digits, or a negative
 * enum hito_err (HITO_ERR_INVALID for digits out of range or an empty key).
 */
long otp_hotp(enum otp_hotp_alg alg, const unsigned char *key, size_t key_len,
              uint64_t counter, int digits);

/* Returns the TOTP time step of unix_seconds: (unix_seconds - t0) / period. */
long long otp_totp_step(long long unix_seconds, long long t0, int period);

/* Writes value as exactly digits decimal digits (leading zeros kept). */
void otp_hotp_format(long value, int digits, char *out, size_t size);

/*
 * Encodes data as unpadded upper-case base32 into out; returns the length
 * or HITO_ERR_LIMIT when out (size bytes with the NUL) is too small.
 */
int otp_base32_encode(const unsigned char *data, size_t len, char *out,
                      size_t size);

/*
 * Decodes base32 text (either case, '=' padding and spaces ignored) into
 * out; returns the byte count, HITO_ERR_INVALID for another character or
 * HITO_ERR_LIMIT when out is too small.
 */
int otp_base32_decode(const char *text, unsigned char *out, size_t size);

#endif

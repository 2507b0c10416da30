/*
 * otp_system.h - the production random source and clock.
 */
#ifndef OTP_SYSTEM_H
#define OTP_SYSTEM_H

#include <stddef.h>

/* Fills buf from OpenSSL's CSPRNG (RAND_bytes); returns 0 or HITO_ERR_IO. */
int otp_system_random(unsigned char *buf, size_t len);

/* Returns the wall-clock time (CLOCK_REALTIME) in ms since the Unix epoch. */
long long otp_system_clock(void);

#endif

/*
 * otp_itest_env.h - settings of the running stack for integration tests:
 * stack/settings/$HITO_ENV.env and run/$HITO_ENV/secrets.env under
 * $HITO_ROOT (default: the current folder, the repository root under make).
 */
#ifndef OTP_ITEST_ENV_H
#define OTP_ITEST_ENV_H

#include "hito/config.h"

/* Loads both files; aborts the test program with a message when one fails. */
struct config *otp_itest_config(void);

/* Writes a random E.164 number (+34 and 9 digits) so runs do not collide. */
void otp_itest_phone(char *out, size_t size);

#endif

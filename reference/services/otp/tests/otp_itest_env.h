/*
 * otp_itest_env.h - settings of the running stack for integration tests
 * (config_load_profile: the working directory must be the repository root).
 */
#ifndef OTP_ITEST_ENV_H
#define OTP_ITEST_ENV_H

#include "hito/config.h"

/* Loads the profile of $HITO_ENV; exits the test program when that fails. */
struct config *otp_itest_config(void);

/* Writes a random E.164 number (+34 and 9 digits) so runs do not collide. */
void otp_itest_phone(char *out, size_t size);

#endif

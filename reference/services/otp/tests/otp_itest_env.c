#include "otp_itest_env.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>

struct config *otp_itest_config(void)
{
    struct hito_error err = { 0 };
    struct config *cfg = config_new();

    if (cfg == NULL)
        abort();
    if (config_load_profile(cfg, NULL, &err) != HITO_OK) {
        fprintf(stderr, "cannot load the settings of $HITO_ENV: %s\n",
                err.message);
        exit(1);
    }
    return cfg;
}

void otp_itest_phone(char *out, size_t size)
{
    unsigned int n = 0;

    RAND_bytes((unsigned char *)&n, sizeof(n));
    snprintf(out, size, "+346%08u", n % 100000000u);
}

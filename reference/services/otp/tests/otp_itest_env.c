#include "otp_itest_env.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>

#define OTP_ITEST_PATH_SIZE 1024

struct config *otp_itest_config(void)
{
    const char *root = getenv("HITO_ROOT") ? getenv("HITO_ROOT") : ".";
    const char *env = getenv("HITO_ENV") ? getenv("HITO_ENV") : "test";
    char path[OTP_ITEST_PATH_SIZE];
    struct hito_error err = { 0 };
    struct config *cfg = config_new();

    if (cfg == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/stack/settings/%s.env", root, env);
    if (config_load_file(cfg, path, &err) != HITO_OK) {
        fprintf(stderr, "cannot load the settings: %s\n", err.message);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/run/%s/secrets.env", root, env);
    if (config_load_file(cfg, path, &err) != HITO_OK) {
        fprintf(stderr, "cannot load the secrets (is the stack up?): %s\n", err.message);
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

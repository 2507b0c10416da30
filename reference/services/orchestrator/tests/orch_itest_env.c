#include "orch_itest_env.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>

void orch_itest_settings(struct orch_settings *out)
{
    struct hito_error err = { 0 };
    struct config *cfg = config_new();

    if (cfg == NULL)
        abort();
    if (service_load_profile(cfg, &err) != HITO_OK ||
        orch_settings_load(cfg, out, &err) != HITO_OK) {
        fprintf(stderr, "cannot load the settings of $HITO_ENV: %s\n",
                err.message);
        exit(1);
    }
    config_free(cfg);
}

void orch_itest_name(const char *prefix, char *out, size_t size)
{
    unsigned int n = 0;

    RAND_bytes((unsigned char *)&n, sizeof(n));
    snprintf(out, size, "%s%09u", prefix, n % 1000000000u);
}

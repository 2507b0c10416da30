/*
 * it_settings.h - settings of the running stack for the integration tests:
 * stack/settings/$HITO_ENV.env and run/$HITO_ENV/secrets.env, read from the
 * repository root as `make integration` runs them.
 */
#ifndef HITO_IT_SETTINGS_H
#define HITO_IT_SETTINGS_H

#include <stdio.h>
#include <stdlib.h>

#include "hito/config.h"

/* Loads the settings of $HITO_ENV; exits when they cannot be read. */
static inline struct config *it_settings_load(void)
{
    struct hito_error err = {0, ""};
    struct config *cfg = config_new();

    if (cfg == NULL || config_load_profile(cfg, NULL, &err) != HITO_OK) {
        fprintf(stderr, "cannot read the stack settings: %s\n", err.message);
        exit(1);
    }
    return cfg;
}

/* Returns the value of key; exits naming the key when it is missing. */
static inline const char *it_setting(const struct config *cfg, const char *key)
{
    struct hito_error err = {0, ""};
    const char *value = NULL;

    if (config_require(cfg, key, &value, &err) != HITO_OK) {
        fprintf(stderr, "%s (is the stack of HITO_ENV running?)\n", err.message);
        exit(1);
    }
    return value;
}

/* Returns the integer value of key within [min, max]. Exits when it is invalid. */
static inline int it_setting_int(const struct config *cfg, const char *key, long min, long max)
{
    struct hito_error err = {0, ""};
    long value = 0;

    it_setting(cfg, key);
    if (config_get_int(cfg, key, 0, min, max, &value, &err) != HITO_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return (int)value;
}

#endif

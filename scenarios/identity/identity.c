/*
 * identity.c - helpers of checkpoint 2's scenarios.
 */
#include "identity.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUTPUT_MAX_BYTES (64 * 1024)
#define PAT_MAX_BYTES 4096

const char *const identity_services[IDENTITY_SERVICE_COUNT] = {
    "SVC_ORCHESTRATOR", "SVC_WHATSAPP", "SVC_IABOT", "SVC_OTP",
    "SVC_MARKETPLACE",  "SVC_DELIVERY", "SVC_PAYMENT",
};

/*
 * Strings identity_keep frees at the end of a scenario, collected in bags
 * of KEEP_BAG_SIZE so that one deferred call serves many strings: the
 * runner allows only SCENARIO_MAX_DEFERRED per scenario.
 */
#define KEEP_BAG_SIZE 256

struct keep_bag {
    struct scenario_ctx *ctx;
    char *items[KEEP_BAG_SIZE];
    size_t count;
};

/* The current bag; scenarios run one at a time on the runner's thread. */
static struct keep_bag *current_bag;

static void free_bag(void *p)
{
    struct keep_bag *bag = p;

    for (size_t i = 0; i < bag->count; i++)
        free(bag->items[i]);
    if (current_bag == bag)
        current_bag = NULL;
    free(bag);
}

const char *identity_keep(struct scenario_ctx *ctx, char *s)
{
    if (s == NULL)
        scenario_fail(ctx, "out of memory");
    if (current_bag == NULL || current_bag->ctx != ctx || current_bag->count == KEEP_BAG_SIZE) {
        struct keep_bag *bag = calloc(1, sizeof(*bag));

        if (bag == NULL) {
            free(s);
            scenario_fail(ctx, "out of memory");
        }
        bag->ctx = ctx;
        scenario_defer(ctx, free_bag, bag);
        current_bag = bag;
    }
    current_bag->items[current_bag->count++] = s;
    return s;
}

const char *identity_issuer(struct scenario_ctx *ctx)
{
    const char *issuer = scenario_setting(ctx, "ZITADEL_ISSUER");
    const char *domain = scenario_setting(ctx, "ZITADEL_EXTERNAL_DOMAIN");
    char buf[256];

    if (issuer != NULL && issuer[0] != '\0')
        return issuer;
    snprintf(buf, sizeof(buf), "http://%s:%ld",
             domain != NULL && domain[0] != '\0' ? domain : "localhost",
             scenario_require_int(ctx, "ZITADEL_PORT", 1, 65535));
    return identity_keep(ctx, strdup(buf));
}

static void free_jwks(void *p)
{
    jwks_free(p);
}

struct jwks *identity_jwks(struct scenario_ctx *ctx)
{
    char url[512];
    struct jwks_options opts = {.url = url, .cooldown_seconds = -1};
    struct hito_error err = {0};
    struct jwks *keys;

    snprintf(url, sizeof(url), "%s/oauth/v2/keys", identity_issuer(ctx));
    keys = jwks_new(&opts, &err);
    expect_ok(ctx, "create the JWKS cache", keys != NULL ? HITO_OK : err.code, &err);
    scenario_defer(ctx, free_jwks, keys);
    return keys;
}

static const char *setting_for(struct scenario_ctx *ctx, const char *prefix, const char *suffix)
{
    char key[128];

    snprintf(key, sizeof(key), "ZITADEL_%s_%s", prefix, suffix);
    return scenario_require(ctx, key);
}

const char *identity_client_token(struct scenario_ctx *ctx, const char *prefix)
{
    const char *project = scenario_require(ctx, "ZITADEL_PROJECT_ID");
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    char url[512], form[1024];
    char *user = httpc_escape(setting_for(ctx, prefix, "CLIENT_ID"));
    char *password = httpc_escape(setting_for(ctx, prefix, "CLIENT_SECRET"));
    struct httpc_request req = {.method = "POST", .url = url, .headers = headers, .body = form};
    const struct httpc_response *res;
    json_t *body;

    identity_keep(ctx, user);
    identity_keep(ctx, password);
    snprintf(url, sizeof(url), "%s/oauth/v2/token", identity_issuer(ctx));
    snprintf(form, sizeof(form),
             "grant_type=client_credentials&scope=openid%%20urn%%3Azitadel%%3Aiam%%3Aorg%%3A"
             "project%%3Aid%%3A%s%%3Aaud%%20urn%%3Azitadel%%3Aiam%%3Aorg%%3Aprojects%%3Aroles",
             project);
    req.body_len = strlen(form);
    req.basic_user = user;
    req.basic_password = password;
    res = http_request(ctx, &req);
    expect_http_status(ctx, res, 200);
    body = scenario_json(ctx, res);
    expect_json_str(ctx, body, "token_type", "Bearer");
    expect_true(ctx, json_is_string(json_object_get(body, "access_token")),
                "the response of %s has an access_token", prefix);
    return json_string_value(json_object_get(body, "access_token"));
}

void identity_verify(struct scenario_ctx *ctx, struct jwks *keys, const char *token,
                     struct jwt_claims *claims)
{
    struct jwt_verify_options opts = {.issuer = identity_issuer(ctx),
                                      .audience = scenario_require(ctx, "ZITADEL_PROJECT_ID")};
    struct hito_error err = {0};
    int rc = jwt_verify_token(keys, &opts, token, claims, NULL, &err);

    expect_ok(ctx, "verify the token's signature, iss, aud, exp and nbf", rc, &err);
}

/* Returns setting key, else run/$HITO_ENV/<suffix>. */
static const char *setting_or_run_path(struct scenario_ctx *ctx, const char *key,
                                       const char *suffix)
{
    const char *file = scenario_setting(ctx, key);
    const char *env = scenario_setting(ctx, "HITO_ENV");
    char path[512];

    if (file != NULL && file[0] != '\0')
        return file;
    snprintf(path, sizeof(path), "run/%s/%s", env != NULL ? env : "dev", suffix);
    return identity_keep(ctx, strdup(path));
}

const char *identity_admin_pat_file(struct scenario_ctx *ctx)
{
    return setting_or_run_path(ctx, "ZITADEL_ADMIN_PAT_FILE", "zitadel/admin.pat");
}

const char *identity_outputs_file(struct scenario_ctx *ctx)
{
    return setting_or_run_path(ctx, "ZITADEL_OUTPUTS_FILE", "zitadel.env");
}

const char *identity_admin_pat(struct scenario_ctx *ctx)
{
    const char *pat = scenario_setting(ctx, "ZITADEL_ADMIN_PAT");
    const char *path;
    char *buf;
    size_t len;
    FILE *f;

    if (pat != NULL && pat[0] != '\0')
        return pat;
    path = identity_admin_pat_file(ctx);
    f = fopen(path, "r");
    if (f == NULL)
        scenario_fail(ctx, "no admin token: set ZITADEL_ADMIN_PAT or ZITADEL_ADMIN_PAT_FILE, "
                           "or create %s", path);
    buf = calloc(1, PAT_MAX_BYTES);
    len = buf != NULL ? fread(buf, 1, PAT_MAX_BYTES - 1, f) : 0;
    fclose(f);
    identity_keep(ctx, buf);
    buf[strcspn(buf, "\r\n")] = '\0';
    if (len == 0)
        scenario_fail(ctx, "admin token file %s is empty", path);
    return buf;
}

const char *identity_run_provisioner(struct scenario_ctx *ctx, const char *args)
{
    char self[1024], cmd[4096];
    char *out = calloc(1, OUTPUT_MAX_BYTES);
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    double start = scenario_now_ms();
    size_t len = 0;
    FILE *p;
    int status;

    identity_keep(ctx, out);
    if (n <= 0)
        scenario_fail(ctx, "cannot find the running program's folder");
    self[n] = '\0';
    snprintf(cmd, sizeof(cmd), "%s/hito-zitadel-provision %s 2>&1", dirname(self), args);
    p = popen(cmd, "r");
    if (p == NULL)
        scenario_fail(ctx, "cannot run %s", cmd);
    while (len < OUTPUT_MAX_BYTES - 1 && fgets(out + len, (int)(OUTPUT_MAX_BYTES - len), p))
        len += strlen(out + len);
    status = pclose(p);
    scenario_record(ctx, "hito-zitadel-provision", cmd, out, scenario_now_ms() - start);
    expect_int_eq(ctx, "hito-zitadel-provision exit status", 0,
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return out;
}

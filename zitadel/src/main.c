/*
 * hito-zitadel-provision: applies zitadel/model.json to a ZITADEL instance
 * and writes the ids and secrets services need to a KEY=VALUE file.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/err.h"
#include "model.h"
#include "outputs.h"
#include "provision.h"
#include "zapi.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hito-zitadel-provision [--plan] --url BASE --token-file FILE\n"
            "                              --model zitadel/model.json --out FILE\n"
            "  --url BASE         ZITADEL's external URL, e.g. http://localhost:22080\n"
            "  --token-file FILE  file holding an IAM owner's personal access token\n"
            "  --model FILE       the identity model (JSON)\n"
            "  --out FILE         outputs (KEY=VALUE, mode 0600); read for existing secrets\n"
            "  --plan             print what would change, change nothing\n"
            "  --permissions ROLE print the permissions ROLE grants through the model's\n"
            "                     role hierarchy and exit (needs only --model)\n");
}

static int read_token(const char *path, char *buf, size_t size, struct hito_error *err)
{
    FILE *f = fopen(path, "r");
    size_t len;

    if (f == NULL)
        return hito_error_set(err, HITO_ERR_IO, "token file %s: cannot open", path);
    len = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[len] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (buf[0] == '\0')
        return hito_error_set(err, HITO_ERR_INVALID, "token file %s is empty", path);
    return HITO_OK;
}

static int print_permissions(const char *model_path, const char *role)
{
    struct hito_error err = {0};
    json_t *model = NULL, *perms, *item;
    size_t i;

    if (model_load(model_path, &model, &err) != HITO_OK) {
        fprintf(stderr, "hito-zitadel-provision: %s\n", err.message);
        return 1;
    }
    perms = model_role_permissions(model, role);
    if (perms == NULL) {
        fprintf(stderr, "hito-zitadel-provision: unknown role \"%s\"\n", role);
        json_decref(model);
        return 1;
    }
    json_array_foreach(perms, i, item)
        printf("%s\n", json_string_value(item));
    json_decref(perms);
    json_decref(model);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"url", required_argument, NULL, 'u'},   {"token-file", required_argument, NULL, 't'},
        {"model", required_argument, NULL, 'm'}, {"out", required_argument, NULL, 'o'},
        {"plan", no_argument, NULL, 'p'},        {"help", no_argument, NULL, 'h'},
        {"permissions", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *role = NULL;
    const char *url = NULL, *token_file = NULL, *model_path = NULL, *out_path = NULL;
    static char token[ZAPI_MAX_TOKEN + 1];
    char model_dir[4096];
    struct hito_error err = {0};
    struct provision prov = {0};
    struct zapi api;
    struct outputs *out = NULL;
    json_t *model = NULL;
    int opt, plan = 0, rc;

    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'u': url = optarg; break;
        case 't': token_file = optarg; break;
        case 'm': model_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'p': plan = 1; break;
        case 'r': role = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (role != NULL && model_path != NULL)
        return print_permissions(model_path, role);
    if (url == NULL || token_file == NULL || model_path == NULL || out_path == NULL) {
        usage(stderr);
        return 2;
    }
    out = outputs_new();
    if ((rc = model_load(model_path, &model, &err)) != HITO_OK ||
        (rc = read_token(token_file, token, sizeof(token), &err)) != HITO_OK ||
        (rc = zapi_init(&api, url, token, &err)) != HITO_OK ||
        (rc = outputs_load(out, out_path, &err)) != HITO_OK)
        goto out;
    snprintf(model_dir, sizeof(model_dir), "%s", model_path);
    prov.api = &api;
    prov.model = model;
    prov.model_dir = dirname(model_dir);
    prov.out = out;
    prov.plan = plan;
    prov.log = stdout;
    rc = provision_run(&prov, &err);
    /* Saved after a failure too: secrets ZITADEL showed once must not be lost. */
    if (!plan) {
        struct hito_error save_err = {0};
        int save_rc = outputs_save(out, out_path, &save_err);

        if (save_rc != HITO_OK && rc == HITO_OK) {
            rc = save_rc;
            err = save_err;
        } else if (save_rc != HITO_OK) {
            fprintf(stderr, "hito-zitadel-provision: %s\n", save_err.message);
        }
    }
    if (rc == HITO_OK)
        printf("%d change%s%s\n", prov.changes, prov.changes == 1 ? "" : "s",
               plan ? " planned" : "");
out:
    if (rc != HITO_OK)
        fprintf(stderr, "hito-zitadel-provision: %s\n", err.message);
    json_decref(model);
    outputs_free(out);
    return rc == HITO_OK ? 0 : 1;
}

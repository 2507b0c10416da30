/*
 * provisioning.c - checkpoint 2: a second provisioning run changes nothing,
 * and the role hierarchy grants the permissions services rely on.
 */
#include <stdio.h>
#include <string.h>

#include "identity.h"

static void run_idempotent(struct scenario_ctx *ctx)
{
    const char *out;
    char args[2048];

    step_begin(ctx, "the provisioner's plan against the provisioned instance");
    snprintf(args, sizeof(args), "--plan --url %s --token-file %s --model zitadel/model.json "
             "--out %s", identity_issuer(ctx), identity_admin_pat_file(ctx),
             identity_outputs_file(ctx));
    out = identity_run_provisioner(ctx, args);
    /* The summary line is the last one, and the only one when nothing changes. */
    expect_true(ctx, strncmp(out, "0 changes planned\n", 18) == 0 ||
                         strstr(out, "\n0 changes planned\n") != NULL,
                "the provisioner plans no change (output: %.200s)", out);
}

const struct scenario identity_provision_idempotent = {
    .name = "identity-provision-idempotent",
    .title = "Provisioning a second time changes nothing",
    .tags = "identity,provisioning",
    .run = run_idempotent,
};

/* Checks that role grants (present nonzero) or lacks each permission. */
static void expect_permissions(struct scenario_ctx *ctx, const char *role,
                               const char *const *perms, int present)
{
    char args[256];
    const char *out;

    snprintf(args, sizeof(args), "--model zitadel/model.json --permissions %s", role);
    out = identity_run_provisioner(ctx, args);
    for (size_t i = 0; perms[i] != NULL; i++) {
        char line[128];

        snprintf(line, sizeof(line), "%s\n", perms[i]);
        expect_true(ctx, (strstr(out, line) != NULL) == present, "%s %s %s", role,
                    present ? "has" : "lacks", perms[i]);
    }
}

static void run_hierarchy(struct scenario_ctx *ctx)
{
    static const char *const admin[] = {"payments:refund", "orders:read", "otp:issue",
                                        "orders:create", "catalog:write", NULL};
    static const char *const support[] = {"orders:read", "deliveries:track", "orders:create",
                                          NULL};
    static const char *const not_support[] = {"payments:refund", "catalog:write", NULL};
    static const char *const not_customer[] = {"payments:refund", "orders:write", NULL};

    step_begin(ctx, "admin includes support and merchant");
    expect_permissions(ctx, "admin", admin, 1);
    step_begin(ctx, "support includes customer but not refunds");
    expect_permissions(ctx, "support", support, 1);
    expect_permissions(ctx, "support", not_support, 0);
    step_begin(ctx, "customer cannot refund or write orders");
    expect_permissions(ctx, "customer", not_customer, 0);
}

const struct scenario identity_role_hierarchy = {
    .name = "identity-role-hierarchy",
    .title = "The role hierarchy grants the expected permissions",
    .tags = "identity,roles",
    .run = run_hierarchy,
};

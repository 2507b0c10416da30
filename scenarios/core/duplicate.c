/*
 * Checkpoint 4: Meta may deliver one webhook more than once; the customer
 * still gets exactly one reply.
 */
#include "core.h"

static void run(struct scenario_ctx *ctx)
{
    const char *customer = core_new_customer(ctx);
    double started = scenario_now_ms();

    step_begin(ctx, "One message delivered three times gets a reply");
    core_send_text(ctx, customer, "hola", 2);
    core_wait_sent(ctx, customer, 0, started, NULL);

    step_begin(ctx, "No second reply follows");
    core_expect_quiet(ctx, customer, 1);
}

const struct scenario core_duplicate = {
    .name = "duplicate-webhook",
    .title = "A webhook delivered three times produces exactly one reply",
    .tags = "core,orchestrator,whatsapp,idempotency",
    .timeout_ms = 60000,
    .run = run,
};

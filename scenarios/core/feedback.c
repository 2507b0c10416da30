/*
 * Checkpoint 4: an operator corrects the intent of a misclassified message,
 * the IA bot retrains, and the new model classifies the same message as
 * corrected (IA bot API). The candidate model is asked directly and never
 * promoted, so the model in use stays the same and every run corrects the
 * same message to the same intent.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

#define TRAINING_TIMEOUT_MS 60000
#define TRAINING_POLL_MS 500
/* A request the shop has no intent for, and the intent it is corrected to. */
#define FEEDBACK_TEXT "necesito que me envíen la factura por correo"
#define CORRECT_INTENT "payment_status"
/* The correction when the model in use already returns CORRECT_INTENT. */
#define OTHER_INTENT "order_status"

/* Starts a training run and returns the candidate model's version. */
static const char *train(struct scenario_ctx *ctx, const char *iabot,
                         const char *token)
{
    const struct httpc_response *res;
    struct scenario_poll poll;
    const char *id, *status = NULL;
    char path[256];
    json_t *run = NULL;

    res = core_post(ctx, iabot, "/v1/training/runs", token, NULL);
    expect_http_status(ctx, res, 202);
    id = json_string_value(json_object_get(scenario_json(ctx, res), "id"));
    expect_true(ctx, id != NULL, "the training run has an id");
    snprintf(path, sizeof(path), "/v1/training/runs/%s", id);
    poll = scenario_poll_start(ctx, "the training run ends",
                               TRAINING_TIMEOUT_MS, TRAINING_POLL_MS);
    while (scenario_poll_next(ctx, &poll)) {
        run = scenario_json(ctx, core_get(ctx, iabot, path, token));
        status = json_string_value(json_object_get(run, "status"));
        if (status != NULL &&
            (strcmp(status, "succeeded") == 0 || strcmp(status, "failed") == 0))
            break;
        scenario_poll_reason(&poll, "status %s", status ? status : "none");
    }
    expect_str_eq(ctx, "training run status", "succeeded", status);
    return json_string_value(json_object_get(run, "model_version"));
}

static void run(struct scenario_ctx *ctx)
{
    const char *iabot = scenario_url(ctx, "IABOT");
    const char *token;
    const char *customer = core_new_customer(ctx);
    const char *message_id, *intent, *version, *target;
    const struct httpc_response *res;
    json_t *analysis;
    const char *text;

    if (!scenario_target_is_local(ctx))
        scenario_skip(ctx, "training needs an admin token, signed here with "
                           "the identity emulator's key (local target only)");
    token = core_staff_token(ctx, "admin", "checkpoint-4-admin");

    step_begin(ctx, "The IA bot classifies the message");
    analysis = core_analyse(ctx, customer, FEEDBACK_TEXT);
    message_id = json_string_value(json_object_get(analysis, "message_id"));
    intent = json_string_value(json_object_get(analysis, "intent"));
    expect_true(ctx, message_id != NULL && intent != NULL,
                "the analysis has a message id and an intent");
    /* The model in use never changes here, so every run on a stack picks
     * the same target and the corrections agree. */
    target =
        strcmp(intent, CORRECT_INTENT) == 0 ? OTHER_INTENT : CORRECT_INTENT;
    scenario_note(ctx, "classified as %s; corrected to %s", intent, target);

    step_begin(ctx, "An operator corrects the intent");
    text = core_dump(ctx, json_pack("{s:s, s:s, s:s}", "message_id", message_id,
                                    "intent", target, "source", "operator"));
    res = core_post(ctx, iabot, "/v1/feedback", token, text);
    expect_http_status(ctx, res, 201);

    step_begin(ctx, "A training run builds a candidate model");
    version = train(ctx, iabot, token);
    expect_true(ctx, version != NULL, "the run names its model version");

    step_begin(ctx, "The candidate classifies the message as corrected");
    text = core_dump(ctx,
                     json_pack("{s:s, s:s, s:s, s:s}", "conversation_id",
                               "checkpoint-4", "customer_id", customer, "text",
                               FEEDBACK_TEXT, "model_version", version));
    res = core_post(ctx, iabot, "/v1/analyse", token, text);
    expect_http_status(ctx, res, 200);
    expect_json_str(ctx, scenario_json(ctx, res), "intent", target);
}

const struct scenario core_feedback = {
    .name = "feedback-retraining",
    .title = "A corrected intent is learnt by the next training run",
    .tags = "core,iabot,training",
    .timeout_ms = 120000,
    .run = run,
};

/*
 * Checkpoint 4: a message the IA bot cannot classify with confidence hands
 * the conversation to a human. It shows in the orchestrator's operator API,
 * an operator takes it over (the bot then stays quiet) and hands it back.
 *
 * The operator token is signed with the identity emulator's key
 * (core_staff_token), so the scenario needs the local target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define OPERATOR_ROLE "support"
#define OPERATOR_SUB "checkpoint-4-operator"
/* The orchestrator's default ORCH_MIN_CONFIDENCE_PERCENT. */
#define DEFAULT_MIN_CONFIDENCE_PERCENT 40

/* Texts that no intent of the IA bot's training data resembles. */
static const char *const unclear_texts[] = {
    "zxqv plorf grmbl",
    "kkkkk jjjj hhhh",
    "qwerty uiop asdf",
};

/*
 * Returns the first unclear text the orchestrator hands over: the IA bot
 * returns the intent handover, or a confidence below the orchestrator's
 * threshold (an intent the language model chose keeps the embedded
 * model's low confidence).
 */
static const char *unclear_text(struct scenario_ctx *ctx, const char *customer)
{
    const char *setting = scenario_setting(ctx, "ORCH_MIN_CONFIDENCE_PERCENT");
    double threshold =
        (setting ? atof(setting) : DEFAULT_MIN_CONFIDENCE_PERCENT) / 100.0;

    for (size_t i = 0; i < sizeof(unclear_texts) / sizeof(*unclear_texts);
         i++) {
        json_t *analysis = core_analyse(ctx, customer, unclear_texts[i]);
        const char *intent =
            json_string_value(json_object_get(analysis, "intent"));
        double confidence =
            json_number_value(json_object_get(analysis, "confidence"));

        scenario_note(ctx, "\"%s\": %s at %.2f", unclear_texts[i],
                      intent ? intent : "no intent", confidence);
        if ((intent != NULL && strcmp(intent, "handover") == 0) ||
            confidence < threshold)
            return unclear_texts[i];
    }
    scenario_fail(ctx, "the IA bot classified every unclear text with "
                       "confidence; none can show a handover");
}

static json_t *find_conversation(json_t *list, const char *customer)
{
    json_t *conv;
    size_t i;

    json_array_foreach(json_object_get(list, "conversations"), i, conv)
    {
        const char *c = json_string_value(json_object_get(conv, "customer"));

        if (c != NULL && strcmp(c, customer) == 0)
            return conv;
    }
    return NULL;
}

static void run(struct scenario_ctx *ctx)
{
    const char *customer = core_new_customer(ctx);
    const char *api = scenario_url(ctx, "ORCHESTRATOR");
    const char *token, *text;
    const struct httpc_response *res;
    json_t *conv;
    char path[256];
    double started;

    if (!scenario_target_is_local(ctx))
        scenario_skip(ctx, "the operator token is signed with the identity "
                           "emulator's key, which only the local target has");
    token = core_staff_token(ctx, OPERATOR_ROLE, OPERATOR_SUB);

    step_begin(ctx, "An unclear message hands the conversation over");
    text = unclear_text(ctx, customer);
    started = scenario_now_ms();
    core_send_text(ctx, customer, text, 0);
    expect_str_contains(
        ctx, "handover reply",
        core_body_text(core_wait_sent(ctx, customer, 0, started, NULL)),
        "persona");

    step_begin(ctx, "The operator API lists it with the reason");
    res = core_get(ctx, api, "/v1/handovers", token);
    expect_http_status(ctx, res, 200);
    conv = find_conversation(scenario_json(ctx, res), customer);
    expect_true(ctx, conv != NULL, "the list holds the customer");
    expect_json_str(ctx, conv, "state", "human");
    expect_json_str(ctx, conv, "handover_reason", "low_confidence");

    step_begin(ctx, "The gateway's operator route lists it too");
    res = core_get(ctx, scenario_url(ctx, "KRAKEND"), "/v1/operator/handovers",
                   token);
    expect_http_status(ctx, res, 200);
    expect_true(ctx,
                find_conversation(scenario_json(ctx, res), customer) != NULL,
                "the gateway's list holds the customer");

    step_begin(ctx, "A call without a token is rejected");
    expect_http_status(ctx, core_get(ctx, api, "/v1/handovers", NULL), 401);

    step_begin(ctx, "An operator takes it over and the bot stays quiet");
    snprintf(path, sizeof(path), "/v1/handovers/%s/take", customer);
    res = core_post(ctx, api, path, token, NULL);
    expect_http_status(ctx, res, 200);
    expect_json_str(ctx, scenario_json(ctx, res), "operator_id", OPERATOR_SUB);
    core_send_text(ctx, customer, "hola", 0);
    core_expect_quiet(ctx, customer, 1);

    step_begin(ctx, "The operator hands it back and the bot answers again");
    snprintf(path, sizeof(path), "/v1/handovers/%s/release", customer);
    res = core_post(ctx, api, path, token, NULL);
    expect_http_status(ctx, res, 200);
    expect_json_str(ctx, scenario_json(ctx, res), "state", "greeting");
    started = scenario_now_ms();
    core_send_text(ctx, customer, "hola", 0);
    expect_str_contains(
        ctx, "greeting after the hand-back",
        core_body_text(core_wait_sent(ctx, customer, 1, started, NULL)),
        "Hola");
}

const struct scenario core_handover = {
    .name = "handover",
    .title = "A low-confidence message hands the conversation to a human, "
             "visible and manageable in the operator API",
    .tags = "core,orchestrator,handover",
    .timeout_ms = 90000,
    .run = run,
};

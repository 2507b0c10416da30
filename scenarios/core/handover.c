/*
 * Checkpoint 4: a message the IA bot cannot classify with confidence hands
 * the conversation to a human. It shows in the orchestrator's operator API,
 * an operator takes it over (the bot then stays quiet) and hands it back.
 *
 * The operator token is the service token of svc-orchestrator re-signed
 * with the identity emulator's key and the role support, so the scenario
 * needs the local target (the key is read from the emulator's state).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../gateway/gateway.h"
#include "core.h"

#define OPERATOR_ROLE "support"
#define OPERATOR_SUB "checkpoint-4-operator"
#define ROLES_CLAIM "urn:zitadel:iam:org:project:roles"

/* Texts that no intent of the IA bot's training data resembles. */
static const char *const unclear_texts[] = {
    "zxqv plorf grmbl",
    "kkkkk jjjj hhhh",
    "qwerty uiop asdf",
};

static const char *operator_token(struct scenario_ctx *ctx)
{
    const char *token = gateway_service_token(ctx, "SVC_ORCHESTRATOR");
    const char *kid = json_string_value(
        json_object_get(gateway_token_part(ctx, token, 0), "kid"));
    json_t *claims = json_deep_copy(gateway_token_part(ctx, token, 1));
    const char *key;

    expect_true(ctx, kid != NULL && claims != NULL,
                "the service token has a kid and claims");
    key = gateway_issuer_key(ctx, kid);
    scenario_defer(ctx, (void (*)(void *))json_decref, claims);
    json_object_set_new(claims, "sub", json_string(OPERATOR_SUB));
    json_object_set_new(claims, ROLES_CLAIM,
                        json_pack("{s:{s:s}}", OPERATOR_ROLE, "checkpoint",
                                  "localhost"));
    json_object_del(claims, "roles");
    return gateway_sign(ctx, JWT_ALG_RS256, key, strlen(key), kid, claims);
}

/* Returns the first unclear text the IA bot hands over. */
static const char *unclear_text(struct scenario_ctx *ctx,
                                const char *customer)
{
    for (size_t i = 0; i < sizeof(unclear_texts) / sizeof(*unclear_texts);
         i++) {
        json_t *analysis = core_analyse(ctx, customer, unclear_texts[i]);
        const char *intent =
            json_string_value(json_object_get(analysis, "intent"));

        if (intent != NULL && strcmp(intent, "handover") == 0)
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
    token = operator_token(ctx);

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

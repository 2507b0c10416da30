/*
 * Checkpoint 4: a customer greets and is greeted back, asks for a product
 * and gets a list, and each reply matches the intent the IA bot gives for
 * the same text. The time from injecting a message to its reply is
 * attached as figures.
 */
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Checks that body is the reply the orchestrator sends for analysis. */
static void expect_reply_for(struct scenario_ctx *ctx, json_t *analysis,
                             json_t *body)
{
    const char *action =
        json_string_value(scenario_json_path(analysis, "reply_plan.action"));
    json_t *ids = scenario_json_path(analysis, "reply_plan.product_ids");
    const char *type = json_string_value(json_object_get(body, "type"));

    expect_true(ctx, action != NULL, "the analysis has a reply plan");
    scenario_note(ctx, "the IA bot's intent: %s, action: %s",
                  json_string_value(json_object_get(analysis, "intent")),
                  action);
    if (strcmp(action, "greet") == 0) {
        expect_str_eq(ctx, "reply type", "text", type);
        expect_str_contains(ctx, "greeting", core_body_text(body), "Hola");
    } else if (strcmp(action, "search_products") == 0 &&
               json_array_size(ids) > 0) {
        expect_str_eq(ctx, "reply type", "interactive", type);
        expect_json_str(ctx, body, "interactive.type", "list");
        expect_json_str(ctx, body, "interactive.action.sections.0.rows.0.id",
                        json_string_value(json_array_get(ids, 0)));
    } else if (strcmp(action, "search_products") == 0) {
        expect_str_contains(ctx, "question for the product",
                            core_body_text(body), "producto");
    } else {
        scenario_fail(ctx,
                      "the IA bot chose %s; this scenario expects "
                      "greet or search_products",
                      action);
    }
}

/* Sends text, waits for the reply number index and checks it. */
static double turn(struct scenario_ctx *ctx, const char *customer,
                   const char *text, size_t index)
{
    double started = scenario_now_ms();
    double latency = 0;
    json_t *body;

    core_send_text(ctx, customer, text, 0);
    body = core_wait_sent(ctx, customer, index, started, &latency);
    expect_reply_for(ctx, core_analyse(ctx, customer, text), body);
    return latency;
}

/* Reads one unlabelled sample, such as orch_reply_latency_seconds_sum,
 * from the orchestrator's /metrics; 0 when it is absent. */
static double metric(struct scenario_ctx *ctx, const char *name)
{
    const struct httpc_response *res =
        http_get(ctx, scenario_url(ctx, "ORCHESTRATOR"), "/metrics");
    size_t len = strlen(name);
    const char *line = res->body;

    expect_http_status(ctx, res, 200);
    while (line != NULL && *line != '\0') {
        if (strncmp(line, name, len) == 0 && line[len] == ' ')
            return strtod(line + len + 1, NULL);
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return 0;
}

static void run(struct scenario_ctx *ctx)
{
    const char *customer = core_new_customer(ctx);
    double greeting, search, sum, count;

    sum = metric(ctx, "orch_reply_latency_seconds_sum");
    count = metric(ctx, "orch_reply_latency_seconds_count");

    step_begin(ctx, "A greeting is answered with the greeting");
    greeting = turn(ctx, customer, "hola, buenas tardes", 0);
    scenario_figure(ctx, "greeting_reply_latency", greeting * 1000, "ms");

    step_begin(ctx, "A product search is answered with a product list");
    search = turn(ctx, customer, "busco camisetas", 1);
    scenario_figure(ctx, "search_reply_latency", search * 1000, "ms");

    step_begin(ctx, "No other message reaches the customer");
    core_expect_quiet(ctx, customer, 2);

    step_begin(ctx, "The orchestrator measured its webhook-to-send latency");
    sum = metric(ctx, "orch_reply_latency_seconds_sum") - sum;
    count = metric(ctx, "orch_reply_latency_seconds_count") - count;
    expect_true(ctx, count >= 2,
                "orch_reply_latency_seconds counted %.0f replies, expected "
                "at least 2",
                count);
    scenario_figure(ctx, "webhook_to_send_mean", sum / count * 1000, "ms");
}

const struct scenario core_conversation = {
    .name = "conversation",
    .title = "A greeting and a product search get the replies the IA bot's "
             "intents call for",
    .tags = "core,orchestrator,whatsapp,iabot",
    .timeout_ms = 60000,
    .run = run,
};

/*
 * Checkpoint 4: an order status needs a verified number. The customer gets
 * a code through the authentication template, a wrong code is rejected,
 * the right one is accepted, and the same code sent again is rejected.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

#define ORDER_TEXT "quiero saber el estado de mi pedido 123456"
#define CODE_MAX 16

/* Sends text and returns the next reply's text. */
static const char *say(struct scenario_ctx *ctx, const char *customer,
                       const char *text, size_t index)
{
    double started = scenario_now_ms();

    core_send_text(ctx, customer, text, 0);
    return core_body_text(core_wait_sent(ctx, customer, index, started, NULL));
}

/* Finds the authentication template among the first count messages and
 * copies its code (the body's first parameter). */
static void read_code(struct scenario_ctx *ctx, const char *customer,
                      size_t count, char code[CODE_MAX])
{
    code[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        json_t *body =
            core_wait_sent(ctx, customer, i, scenario_now_ms(), NULL);
        const char *type = json_string_value(json_object_get(body, "type"));
        const char *text;

        if (type == NULL || strcmp(type, "template") != 0)
            continue;
        text = json_string_value(scenario_json_path(
            body, "template.components.0.parameters.0.text"));
        expect_true(ctx, text != NULL && strlen(text) < CODE_MAX,
                    "the template carries the code");
        snprintf(code, CODE_MAX, "%s", text);
    }
    expect_true(ctx, code[0] != '\0',
                "an authentication template reached the customer");
}

static void run(struct scenario_ctx *ctx)
{
    const char *customer = core_new_customer(ctx);
    char code[CODE_MAX], wrong[CODE_MAX];
    double started;

    step_begin(ctx, "Asking for an order's status sends a code");
    started = scenario_now_ms();
    core_send_text(ctx, customer, ORDER_TEXT, 0);
    core_wait_sent(ctx, customer, 1, started, NULL);
    read_code(ctx, customer, 2, code);
    scenario_note(ctx, "a code of %zu digits was sent", strlen(code));

    step_begin(ctx, "A wrong code is rejected");
    snprintf(wrong, sizeof(wrong), "%s", code);
    wrong[0] = wrong[0] == '9' ? '1' : (char)(wrong[0] + 1);
    expect_str_contains(ctx, "reply to a wrong code",
                        say(ctx, customer, wrong, 2), "no es válido");

    step_begin(ctx, "The right code is accepted");
    expect_str_contains(ctx, "reply to the right code",
                        say(ctx, customer, code, 3), "Código correcto");

    step_begin(ctx, "The same code sent again is rejected");
    expect_str_contains(ctx, "reply to a reused code",
                        say(ctx, customer, code, 4), "No hay ningún código");
}

const struct scenario core_otp = {
    .name = "otp-flow",
    .title = "An order status asks for a code; wrong and reused codes are "
             "rejected, the right one accepted",
    .tags = "core,orchestrator,otp,whatsapp",
    .timeout_ms = 90000,
    .run = run,
};

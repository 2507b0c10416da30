/*
 * Checkpoint 4: RabbitMQ restarts in the middle of a conversation. The
 * message the customer sends while it is down waits in the WhatsApp
 * service's outbox; once the broker is back it is delivered and gets a
 * reply, exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define COMMAND_MAX 1024
#define OUTPUT_MAX 4096

/* Runs make <target> C=rabbitmq for the target's stack; fails on error. */
static void component(struct scenario_ctx *ctx, const char *target)
{
    const char *run_dir = scenario_run_dir(ctx);
    const char *env = scenario_require(ctx, "HITO_ENV");
    char command[COMMAND_MAX], output[OUTPUT_MAX] = "";
    double started = scenario_now_ms();
    size_t len = 0;
    FILE *pipe;
    int status;

    /* run_dir is <repository>/run/<env>. */
    snprintf(command, sizeof(command),
             "cd '%s/../..' && HITO_ENV='%s' make -s %s C=rabbitmq 2>&1",
             run_dir, env, target);
    pipe = popen(command, "r");
    if (pipe == NULL)
        scenario_fail(ctx, "running make %s failed", target);
    while (len < sizeof(output) - 1 &&
           fgets(output + len, (int)(sizeof(output) - len), pipe) != NULL)
        len = strlen(output);
    status = pclose(pipe);
    scenario_record(ctx, target, command, output, scenario_now_ms() - started);
    expect_int_eq(ctx, "exit status of make", 0, status);
}

/* Whether the scenario left RabbitMQ stopped; read by start_again. */
struct broker_state {
    struct scenario_ctx *ctx;
    int stopped;
};

/* Runs when the scenario ends: starts RabbitMQ again if the scenario
 * stopped before it did. */
static void start_again(void *arg)
{
    struct broker_state *broker = arg;
    const char *env = scenario_setting(broker->ctx, "HITO_ENV");
    char command[COMMAND_MAX];

    if (!broker->stopped)
        return;
    snprintf(command, sizeof(command),
             "cd '%s/../..' && HITO_ENV='%s' make -s start-component "
             "C=rabbitmq >/dev/null 2>&1",
             scenario_run_dir(broker->ctx), env ? env : "");
    if (system(command) != 0)
        fprintf(stderr, "starting RabbitMQ again failed\n");
}

static void run(struct scenario_ctx *ctx)
{
    const char *customer = core_new_customer(ctx);
    struct broker_state *broker = scenario_alloc(ctx, sizeof(*broker));
    double started = scenario_now_ms();
    double latency = 0;

    if (!scenario_target_is_local(ctx) || scenario_run_dir(ctx) == NULL)
        scenario_skip(ctx, "only the local stack can stop and start "
                           "RabbitMQ (make stop-component)");

    step_begin(ctx, "The conversation starts");
    core_send_text(ctx, customer, "hola", 0);
    core_wait_sent(ctx, customer, 0, started, NULL);

    step_begin(ctx, "RabbitMQ stops");
    broker->ctx = ctx;
    scenario_defer(ctx, start_again, broker);
    broker->stopped = 1;
    component(ctx, "stop-component");

    step_begin(ctx, "The customer writes while RabbitMQ is down");
    started = scenario_now_ms();
    core_send_text(ctx, customer, "busco camisetas", 0);

    step_begin(ctx, "RabbitMQ starts again and the message is answered");
    component(ctx, "start-component");
    broker->stopped = 0;
    core_wait_sent(ctx, customer, 1, started, &latency);
    scenario_figure(ctx, "reply_latency_across_restart", latency * 1000, "ms");

    step_begin(ctx, "No message is answered twice");
    core_expect_quiet(ctx, customer, 2);
}

const struct scenario core_rabbitmq_restart = {
    .name = "rabbitmq-restart",
    .title = "A RabbitMQ restart mid-conversation loses no message and "
             "answers none twice",
    .tags = "core,orchestrator,rabbitmq,resilience",
    .timeout_ms = 120000,
    .run = run,
};

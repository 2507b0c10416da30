#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../gateway/gateway.h"
#include "../identity/identity.h"

#define AUTH_SIZE 4200

/*
 * Clears the emulator's record when it is nearly full: it keeps
 * CLOUD_MOCK_MAX_RECORDS (2000, mocks/whatsapp-cloud/cloud_mock.h) sends
 * and drops later ones, which the scenarios could then never see.
 */
static void make_room(struct scenario_ctx *ctx)
{
    const char *base = scenario_url(ctx, "WHATSAPP_CLOUD");
    const struct httpc_response *res = http_get(ctx, base, "/__emulator/sent");
    size_t count =
        json_array_size(json_object_get(scenario_json(ctx, res), "messages"));

    if (count < CORE_EMULATOR_RECORDS_MAX - CORE_EMULATOR_RECORDS_SPARE)
        return;
    scenario_note(ctx, "the emulator recorded %zu sends; resetting it", count);
    expect_http_status(
        ctx, core_post(ctx, base, "/__emulator/reset", NULL, NULL), 200);
}

const char *core_new_customer(struct scenario_ctx *ctx)
{
    char *number = scenario_alloc(ctx, 32);
    struct timespec now;

    make_room(ctx);
    /* 346 + 9 digits from the clock and the process id: a Spanish mobile
     * number shape, unique per run. */
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(number, 32, "346%09ld",
             (long)((now.tv_sec * 1000L + now.tv_nsec / 1000000L +
                     (long)getpid() * 7919L) %
                    1000000000L));
    return number;
}

static const struct httpc_response *send_json(
    struct scenario_ctx *ctx, const char *method, const char *base,
    const char *path, const char *token, const char *body)
{
    char *url = scenario_alloc(ctx, 512);
    char *auth = scenario_alloc(ctx, AUTH_SIZE);
    const char *headers[] = { "Content-Type: application/json", auth, NULL };
    struct httpc_request req = { .method = method,
                                 .url = url,
                                 .headers = headers,
                                 .body = body,
                                 .body_len = body ? strlen(body) : 0 };

    snprintf(url, 512, "%s%s", base, path);
    if (token != NULL)
        snprintf(auth, AUTH_SIZE, "Authorization: Bearer %s", token);
    else
        headers[1] = NULL;
    return http_request(ctx, &req);
}

const struct httpc_response *core_post(struct scenario_ctx *ctx,
                                       const char *base, const char *path,
                                       const char *token, const char *body)
{
    return send_json(ctx, "POST", base, path, token, body);
}

const struct httpc_response *core_get(struct scenario_ctx *ctx,
                                      const char *base, const char *path,
                                      const char *token)
{
    return send_json(ctx, "GET", base, path, token, NULL);
}

const char *core_dump(struct scenario_ctx *ctx, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;

    json_decref(value);
    if (text == NULL)
        scenario_fail(ctx, "out of memory");
    scenario_defer(ctx, free, text);
    return text;
}

const char *core_send_text(struct scenario_ctx *ctx, const char *customer,
                           const char *text, int duplicates)
{
    const char *body =
        core_dump(ctx, json_pack("{s:s, s:s, s:s, s:i}", "from", customer,
                                 "name", "Cliente de prueba", "text", text,
                                 "duplicates", duplicates));
    const struct httpc_response *res;
    json_t *reply;
    const char *wamid;

    res = core_post(ctx, scenario_url(ctx, "WHATSAPP_CLOUD"),
                    "/__emulator/inbound", NULL, body);
    expect_http_status(ctx, res, 200);
    reply = scenario_json(ctx, res);
    wamid = json_string_value(json_object_get(reply, "wamid"));
    expect_true(ctx, wamid != NULL, "the emulator returned the wamid");
    return wamid;
}

/*
 * Counts the messages the emulator accepted for customer and returns the
 * body of the one number index (NULL when there are not that many). The
 * body belongs to the recorded response, which lives until the scenario
 * ends.
 */
static json_t *sent_to(struct scenario_ctx *ctx, const char *customer,
                       size_t index, size_t *count)
{
    const struct httpc_response *res =
        http_get(ctx, scenario_url(ctx, "WHATSAPP_CLOUD"), "/__emulator/sent");
    json_t *all, *record, *found = NULL;
    size_t i;

    expect_http_status(ctx, res, 200);
    all = json_object_get(scenario_json(ctx, res), "messages");
    *count = 0;
    json_array_foreach(all, i, record)
    {
        json_t *body = json_object_get(record, "body");
        const char *to = json_string_value(json_object_get(body, "to"));

        if (to == NULL ||
            json_integer_value(json_object_get(record, "error_code")) != 0)
            continue;
        if (to[0] == '+')
            to++;
        if (strcmp(to, customer) != 0)
            continue;
        if (*count == index)
            found = body;
        (*count)++;
    }
    return found;
}

size_t core_sent_count(struct scenario_ctx *ctx, const char *customer)
{
    size_t count = 0;

    sent_to(ctx, customer, 0, &count);
    return count;
}

json_t *core_wait_sent(struct scenario_ctx *ctx, const char *customer,
                       size_t after, double sent_at, double *latency_s)
{
    struct scenario_poll poll = scenario_poll_start(
        ctx, "the platform replies", CORE_REPLY_TIMEOUT_MS, CORE_POLL_MS);
    json_t *body = NULL;
    size_t count = 0;

    while (scenario_poll_next(ctx, &poll)) {
        body = sent_to(ctx, customer, after, &count);
        if (body != NULL)
            break;
        scenario_poll_reason(&poll, "%zu messages sent to %s", count, customer);
    }
    if (latency_s != NULL)
        *latency_s = (scenario_now_ms() - sent_at) / 1000.0;
    return body;
}

void core_expect_quiet(struct scenario_ctx *ctx, const char *customer,
                       size_t count)
{
    double until = scenario_now_ms() + CORE_QUIET_MS;

    while (scenario_now_ms() < until) {
        scenario_check_deadline(ctx);
        usleep(250 * 1000);
    }
    expect_int_eq(ctx, "messages sent to the customer", (long long)count,
                  (long long)core_sent_count(ctx, customer));
}

const char *core_body_text(json_t *body)
{
    const char *text = json_string_value(scenario_json_path(body, "text.body"));

    if (text == NULL)
        text = json_string_value(
            scenario_json_path(body, "interactive.body.text"));
    return text != NULL ? text : "";
}

const char *core_service_token(struct scenario_ctx *ctx)
{
    return identity_client_token(ctx, "SVC_ORCHESTRATOR");
}

json_t *core_analyse(struct scenario_ctx *ctx, const char *customer,
                     const char *text)
{
    const char *body = core_dump(
        ctx, json_pack("{s:s, s:s, s:s}", "conversation_id", "checkpoint-4",
                       "customer_id", customer, "text", text));
    const struct httpc_response *res;

    res = core_post(ctx, scenario_url(ctx, "IABOT"), "/v1/analyse",
                    core_service_token(ctx), body);
    expect_http_status(ctx, res, 200);
    return scenario_json(ctx, res);
}

const char *core_staff_token(struct scenario_ctx *ctx, const char *role,
                             const char *sub)
{
    const char *token = gateway_service_token(ctx, "SVC_ORCHESTRATOR");
    const char *kid = json_string_value(
        json_object_get(gateway_token_part(ctx, token, 0), "kid"));
    json_t *claims = json_deep_copy(gateway_token_part(ctx, token, 1));
    const char *key;

    expect_true(ctx, kid != NULL && claims != NULL,
                "the service token has a kid and claims");
    scenario_defer(ctx, (void (*)(void *))json_decref, claims);
    key = gateway_issuer_key(ctx, kid);
    json_object_set_new(claims, "sub", json_string(sub));
    json_object_set_new(
        claims, CORE_ROLES_CLAIM,
        json_pack("{s:{s:s}}", role, "checkpoint", "localhost"));
    /* The flat claim that the identity provider's action adds, which the
     * gateway checks. */
    json_object_set_new(claims, "roles", json_pack("[s]", role));
    return gateway_sign(ctx, JWT_ALG_RS256, key, strlen(key), kid, claims);
}

/*
 * Integration test of the IA bot: the whole service (app/iabot_app.h) on an
 * ephemeral loopback port, against the PostgreSQL of the running stack of
 * $HITO_ENV and an in-process LLM emulator (mocks/llm). It sends feedback,
 * retrains, and checks the corrected message is classified right; checks
 * promotion, rollback, the LLM fallback and what the LLM prompt contains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../../mocks/llm/llm_mock.h"
#include "hito/config.h"
#include "hito/db.h"
#include "hito/httpc.h"
#include "hito/log.h"
#include "iabot_app.h"
#include "iabot_settings.h"

/* The seed model sends this to delivery_tracking; an operator says a human
 * should take it. */
#define CORRECTED_TEXT "mi paquete llegó roto, quiero devolverlo"
#define CORRECTED_INTENT "talk_to_human"
/* Nonsense the model is not confident about, so the LLM is asked. */
#define UNCLEAR_TEXT "xq zz vv"
#define LLM_TIMEOUT_MS "500"
#define TRAINING_POLLS 240
#define TRAINING_POLL_MS 250

struct fixture {
    struct llm_mock *llm;
    struct iabot_app *app;
    struct iabot_settings settings;
    char base[64];
    char secret[IABOT_SETTINGS_TEXT]; /* the PG password, which no prompt may
                                         contain */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct llm_mock_options mock = {"127.0.0.1:0", "order_status", 0};
    struct hito_error err = {0};
    struct config *cfg = config_new();
    char url[128];

    if (f == NULL || cfg == NULL)
        return -1;
    *state = f;
    log_init("iabot-itest", LOG_LEVEL_WARN, NULL);
    f->llm = llm_mock_start(&mock, &err);
    if (f->llm == NULL || config_load_profile(cfg, NULL, &err) != HITO_OK) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        return -1;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1", llm_mock_port(f->llm));
    setenv("IABOT_PORT", "0", 1);
    setenv("IABOT_AUTH", "off", 1);
    setenv("LLM_BASE_URL", url, 1);
    setenv("LLM_TIMEOUT_MS", LLM_TIMEOUT_MS, 1);
    if (iabot_settings_load(cfg, &f->settings, &err) != HITO_OK) {
        fprintf(stderr, "settings: %s\n", err.message);
        return -1;
    }
    snprintf(f->secret, sizeof(f->secret), "%s",
             config_get_default(cfg, "PG_PASSWORD_IABOT", "unset"));
    config_free(cfg);
    f->app = iabot_app_start(&f->settings, &err);
    if (f->app == NULL) {
        fprintf(stderr, "the IA bot did not start: %s\n", err.message);
        return -1;
    }
    snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d",
             iabot_app_port(f->app));
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    if (f == NULL)
        return 0;
    iabot_app_free(f->app);
    llm_mock_free(f->llm);
    iabot_settings_clear(&f->settings);
    free(f);
    return 0;
}

/* Sends a request; returns the status and stores the parsed JSON body in *out.
 */
static long call(struct fixture *f, const char *method, const char *path,
                 json_t *body, json_t **out)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    struct httpc_request req = {0};
    struct httpc_response res = {0};
    char url[256];
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    long status;

    snprintf(url, sizeof(url), "%s%s", f->base, path);
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.body = text;
    req.body_len = text != NULL ? strlen(text) : 0;
    assert_int_equal(httpc_do(&req, &res, NULL), HITO_OK);
    status = res.status;
    if (out != NULL)
        *out = json_loads(res.body, 0, NULL);
    httpc_response_free(&res);
    free(text);
    json_decref(body);
    return status;
}

static json_t *analyse(struct fixture *f, const char *text, const char *version)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s}", "conversation_id", "itest-conversation",
                  "customer_id", "itest-customer-7", "text", text);
    json_t *out = NULL;

    if (version != NULL)
        json_object_set_new(body, "model_version", json_string(version));
    assert_int_equal(call(f, "POST", "/v1/analyse", body, &out), 200);
    assert_non_null(out);
    return out;
}

static const char *str(json_t *obj, const char *key)
{
    const char *value = json_string_value(json_object_get(obj, key));

    assert_non_null(value);
    return value;
}

static void analyse_returns_plan(void **state)
{
    struct fixture *f = *state;
    json_t *out = analyse(f, "Hola, quiero 2 camisetas", NULL);

    assert_string_equal(str(out, "intent"), "add_to_cart");
    assert_string_equal(str(out, "source"), "model");
    assert_string_equal(str(json_object_get(out, "reply_plan"), "action"),
                        "add_to_cart");
    assert_int_equal(json_array_size(json_object_get(out, "entities")), 2);
    assert_int_equal(strncmp(str(out, "model_version"), "m-", 2), 0);
    json_decref(out);
}

static void metrics_name_model(void **state)
{
    struct fixture *f = *state;
    struct httpc_request req = {0};
    struct httpc_response res = {0};
    char url[128];

    snprintf(url, sizeof(url), "%s/metrics", f->base);
    req.url = url;
    assert_int_equal(httpc_do(&req, &res, NULL), HITO_OK);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.body, "iabot_model_info{version=\"m-"));
    assert_non_null(
        strstr(res.body, "iabot_intents_total{intent=\"add_to_cart\"}"));
    assert_non_null(strstr(res.body, "iabot_analyse_seconds"));
    httpc_response_free(&res);
}

static void history_lists_conversation(void **state)
{
    struct fixture *f = *state;
    json_t *first = analyse(f, "hola, busco zapatillas", NULL);
    json_t *out = NULL, *messages, *last;

    assert_int_equal(
        call(f, "GET", "/v1/conversations/itest-conversation/messages?limit=3",
             NULL, &out),
        200);
    messages = json_object_get(out, "messages");
    assert_true(json_array_size(messages) >= 1);
    assert_true(json_array_size(messages) <= 3);
    last = json_array_get(messages, json_array_size(messages) - 1);
    assert_string_equal(str(last, "message_id"), str(first, "message_id"));
    assert_string_equal(str(last, "text"), "hola, busco zapatillas");
    assert_string_equal(str(last, "customer_id"), "itest-customer-7");
    json_decref(out);
    json_decref(first);
    assert_int_equal(
        call(f, "GET", "/v1/conversations/itest-conversation/messages?limit=0",
             NULL, NULL),
        400);
    assert_int_equal(
        call(f, "GET", "/v1/conversations/itest-conversation/messages?limit=x",
             NULL, NULL),
        400);
}

static void analyse_rejects_bad_input(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(call(f, "POST", "/v1/analyse",
                          json_pack("{s:s, s:s}", "conversation_id", "c",
                                    "customer_id", "u"),
                          NULL),
                     400);
    assert_int_equal(call(f, "POST", "/v1/analyse",
                          json_pack("{s:s, s:s, s:s}", "conversation_id", "c",
                                    "customer_id", "u", "text", ""),
                          NULL),
                     400);
    assert_int_equal(call(f, "POST", "/v1/feedback",
                          json_pack("{s:s, s:s, s:s}", "message_id",
                                    "00000000-0000-4000-8000-000000000000",
                                    "intent", "greeting", "source", "operator"),
                          NULL),
                     404);
    assert_int_equal(
        call(f, "POST", "/v1/feedback",
             json_pack("{s:s, s:s, s:s}", "message_id", "not-a-uuid", "intent",
                       "greeting", "source", "operator"),
             NULL),
        400);
}

/* Starts a training run and waits for it; returns the new model's version
 * (caller frees). */
static char *train(struct fixture *f)
{
    struct timespec pause = {0, TRAINING_POLL_MS * 1000000L};
    json_t *out = NULL;
    char path[128];
    char *version = NULL;
    int i;

    assert_int_equal(call(f, "POST", "/v1/training/runs", NULL, &out), 202);
    snprintf(path, sizeof(path), "/v1/training/runs/%s", str(out, "id"));
    json_decref(out);
    for (i = 0; i < TRAINING_POLLS && version == NULL; i++) {
        nanosleep(&pause, NULL);
        assert_int_equal(call(f, "GET", path, NULL, &out), 200);
        assert_string_not_equal(str(out, "status"), "failed");
        if (strcmp(str(out, "status"), "succeeded") == 0) {
            assert_non_null(json_object_get(json_object_get(out, "metrics"),
                                            "heldout_macro_f1"));
            version = strdup(str(out, "model_version"));
        }
        json_decref(out);
    }
    assert_non_null(version);
    return version;
}

/* Deletes the corrections earlier runs of this test stored, so each run starts
 * alike. */
static void forget_test_feedback(struct fixture *f)
{
    static const char sql[] = "DELETE FROM iabot_feedback WHERE message_id IN"
                              " (SELECT id FROM iabot_messages WHERE "
                              "conversation_id = 'itest-conversation')";
    struct db_pool *pool = db_pool_new(f->settings.pg_conninfo, 1, NULL);
    PGconn *conn = NULL;

    assert_non_null(pool);
    assert_int_equal(db_acquire(pool, 0, &conn, NULL), HITO_OK);
    assert_int_equal(db_exec(conn, sql, 0, NULL, NULL, NULL), HITO_OK);
    db_release(pool, conn);
    db_pool_free(pool);
}

static void feedback_retrain_corrects(void **state)
{
    struct fixture *f = *state;
    char *before, *version;
    json_t *out;
    long status;

    /* A model trained without this test's corrections gets the message wrong.
     */
    forget_test_feedback(f);
    before = train(f);
    out = analyse(f, CORRECTED_TEXT, before);
    assert_string_not_equal(str(out, "intent"), CORRECTED_INTENT);
    assert_int_equal(
        call(f, "POST", "/v1/feedback",
             json_pack("{s:s, s:s, s:s}", "message_id", str(out, "message_id"),
                       "intent", CORRECTED_INTENT, "source", "operator"),
             NULL),
        201);
    json_decref(out);

    version = train(f);
    assert_string_not_equal(version, before);
    out = analyse(f, CORRECTED_TEXT, version);
    assert_string_equal(str(out, "intent"), CORRECTED_INTENT);
    assert_string_equal(str(out, "model_version"), version);
    json_decref(out);
    free(before);

    /* Promotion goes through only with a better held-out macro-F1, else 409
     * with both. */
    {
        char path[128];

        snprintf(path, sizeof(path), "/v1/models/%s/promote", version);
        status = call(f, "POST", path, NULL, &out);
        assert_true(status == 200 || status == 409);
        assert_non_null(json_object_get(json_object_get(out, "current"),
                                        "heldout_macro_f1"));
        assert_non_null(json_object_get(json_object_get(out, "candidate"),
                                        "heldout_macro_f1"));
        if (status == 409)
            assert_true(
                json_real_value(json_object_get(
                    json_object_get(out, "candidate"), "heldout_macro_f1")) <=
                json_real_value(json_object_get(json_object_get(out, "current"),
                                                "heldout_macro_f1")));
        json_decref(out);
    }
    free(version);
}

static void llm_used_below_threshold(void **state)
{
    struct fixture *f = *state;
    size_t before = llm_mock_request_count(f->llm);
    json_t *out;
    char *prompt;

    llm_mock_set_reply(f->llm, "order_status", 0);
    out = analyse(f, UNCLEAR_TEXT, NULL);
    assert_string_equal(str(out, "source"), "llm");
    assert_string_equal(str(out, "intent"), "order_status");
    json_decref(out);
    assert_int_equal(llm_mock_request_count(f->llm), before + 1);

    /* The prompt contains this message only: no ids, no secret, no other
     * message. */
    prompt = llm_mock_last_request(f->llm);
    assert_non_null(prompt);
    assert_non_null(strstr(prompt, UNCLEAR_TEXT));
    assert_null(strstr(prompt, "itest-customer-7"));
    assert_null(strstr(prompt, "itest-conversation"));
    assert_null(strstr(prompt, "camisetas"));
    assert_null(strstr(prompt, "devolverlo"));
    assert_null(strstr(prompt, f->secret));
    free(prompt);
}

static void llm_timeout_falls_back(void **state)
{
    struct fixture *f = *state;
    json_t *out;

    llm_mock_set_reply(f->llm, "order_status", 3000);
    out = analyse(f, UNCLEAR_TEXT, NULL);
    assert_string_equal(str(out, "intent"), "handover");
    assert_string_equal(str(out, "source"), "model");
    assert_string_equal(str(json_object_get(out, "reply_plan"), "action"),
                        "handover");
    json_decref(out);
    llm_mock_set_reply(f->llm, "not an intent", 0);
    out = analyse(f, UNCLEAR_TEXT, NULL);
    assert_string_equal(str(out, "intent"), "handover");
    json_decref(out);
}

static void rollback_restores_previous(void **state)
{
    struct fixture *f = *state;
    json_t *out = NULL;
    char before[32];
    long status;

    assert_int_equal(call(f, "GET", "/v1/models/current", NULL, &out), 200);
    snprintf(before, sizeof(before), "%s", str(out, "model_version"));
    json_decref(out);
    status = call(f, "POST", "/v1/models/rollback", NULL, &out);
    assert_true(status == 200 || status == 404);
    if (status == 200) {
        assert_string_not_equal(str(out, "model_version"), before);
        json_decref(out);
        assert_int_equal(call(f, "GET", "/v1/models/current", NULL, &out), 200);
        assert_string_not_equal(str(out, "model_version"), before);
    }
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(analyse_returns_plan),
        cmocka_unit_test(analyse_rejects_bad_input),
        cmocka_unit_test(feedback_retrain_corrects),
        cmocka_unit_test(llm_used_below_threshold),
        cmocka_unit_test(llm_timeout_falls_back),
        cmocka_unit_test(rollback_restores_previous),
        cmocka_unit_test(metrics_name_model),
        cmocka_unit_test(history_lists_conversation),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * Unit tests of app/iabot_service.c with the in-memory ports of
 * iabot_fakes.h: the first model, analysis, feedback, training runs,
 * promotion, rollback and the language-model fallback.
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

#include "hito/log.h"
#include "iabot_fakes.h"
#include "iabot_service.h"

/* Small feature space so the trainings of these tests stay fast. */
#define TEST_DIM_BITS 14
#define RUN_POLLS 400
#define RUN_POLL_MS 25

struct fixture {
    struct stemmer *st;
    struct catalogue *cat;
    struct dataset *seed;
    struct dataset *heldout;
    struct fake_store store;
    struct fake_llm llm;
    struct iabot_llm llm_port;
    struct iabot_service *service;
};

static struct dataset *load(const char *name)
{
    struct dataset *ds = dataset_new();
    char *text = fake_read_fixture(name);

    assert_non_null(ds);
    assert_non_null(text);
    assert_int_equal(dataset_parse(ds, text, NULL), HITO_OK);
    free(text);
    return ds;
}

/* Starts a service on empty fakes with the given handover threshold. */
static struct fixture *start(double threshold, int with_llm)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct iabot_service_options opts = {0};
    struct hito_error err = {0};

    assert_non_null(f);
    f->st = stemmer_new();
    f->cat = catalogue_new();
    assert_int_equal(
        catalogue_add(f->cat, f->st, "sku-camiseta", "Camiseta", NULL),
        HITO_OK);
    f->seed = load("train.tsv");
    f->heldout = load("test.tsv");
    fake_store_init(&f->store, &opts.store);
    fake_llm_port(&f->llm, &f->llm_port);
    opts.llm = with_llm ? &f->llm_port : NULL;
    opts.catalogue = f->cat;
    opts.seed = f->seed;
    opts.heldout = f->heldout;
    model_params_default(&opts.params);
    opts.params.dim_bits = TEST_DIM_BITS;
    opts.params.threshold = threshold;
    f->service = iabot_service_new(&opts, &err);
    if (f->service == NULL)
        fail_msg("service did not start: %s", err.message);
    return f;
}

static void stop(struct fixture *f)
{
    iabot_service_free(f->service);
    fake_store_clear(&f->store);
    dataset_free(f->seed);
    dataset_free(f->heldout);
    catalogue_free(f->cat);
    stemmer_free(f->st);
    free(f);
}

static json_t *analyse(struct fixture *f, const char *text, const char *version)
{
    struct iabot_analyse_request req = {"conversation-1", "customer-1", text,
                                        version};
    json_t *out = NULL;

    assert_int_equal(iabot_service_analyse(f->service, &req, &out, NULL),
                     HITO_OK);
    assert_non_null(out);
    return out;
}

static const char *str(json_t *obj, const char *key)
{
    const char *value = json_string_value(json_object_get(obj, key));

    assert_non_null(value);
    return value;
}

/* Starts a training run, waits for it and copies the new model version. */
static void train(struct fixture *f, char version[MODEL_VERSION_SIZE])
{
    struct timespec pause = {0, RUN_POLL_MS * 1000000L};
    char status[16] = "", id[IABOT_ID_SIZE];
    json_t *out = NULL;
    int i;

    assert_int_equal(iabot_service_start_training(f->service, &out, NULL),
                     HITO_OK);
    snprintf(id, sizeof(id), "%s", str(out, "id"));
    json_decref(out);
    for (i = 0; i < RUN_POLLS && strcmp(status, "succeeded") != 0; i++) {
        nanosleep(&pause, NULL);
        fake_store_run_status(&f->store, id, status, version);
        assert_string_not_equal(status, "failed");
    }
    assert_string_equal(status, "succeeded");
}

static void service_bootstraps_first_model(void **state)
{
    struct fixture *f = start(0.4, 0);
    char version[MODEL_VERSION_SIZE];

    (void)state;
    iabot_service_model_version(f->service, version);
    assert_int_equal(f->store.model_count, 1);
    assert_string_equal(f->store.models[0].status, "active");
    assert_string_equal(f->store.models[0].rec.version, version);
    assert_true(f->store.models[0].rec.heldout_macro_f1 > 0.5);
    stop(f);
}

static void analyse_stores_message(void **state)
{
    struct fixture *f = start(0.4, 0);
    json_t *out = analyse(f, "quiero 2 camisetas", NULL);

    (void)state;
    assert_string_equal(str(out, "intent"), "add_to_cart");
    assert_string_equal(str(out, "source"), "model");
    assert_string_equal(str(json_object_get(out, "reply_plan"), "action"),
                        "add_to_cart");
    assert_int_equal(f->store.message_count, 1);
    assert_string_equal(f->store.messages[0].id, str(out, "message_id"));
    assert_string_equal(f->store.messages[0].intent, "add_to_cart");
    json_decref(out);
    stop(f);
}

static void analyse_rejects_bad_requests(void **state)
{
    struct fixture *f = start(0.4, 0);
    char long_id[IABOT_NAME_MAX + 1];
    struct iabot_analyse_request empty = {"c", "u", "", NULL};
    struct iabot_analyse_request no_ids = {long_id, "u", "hola", NULL};
    struct iabot_analyse_request unknown = {"c", "u", "hola", "m-000000000000"};
    json_t *out = NULL;

    (void)state;
    memset(long_id, 'x', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_int_equal(iabot_service_analyse(f->service, &empty, &out, NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(iabot_service_analyse(f->service, &no_ids, &out, NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(iabot_service_analyse(f->service, &unknown, &out, NULL),
                     HITO_ERR_NOT_FOUND);
    assert_int_equal(iabot_service_analyse(f->service,
                                           &(struct iabot_analyse_request){
                                               "c", "u", "abc\xff", NULL},
                                           &out, NULL),
                     HITO_ERR_INVALID);
    assert_null(out);
    assert_int_equal(f->store.message_count, 0);
    stop(f);
}

static void feedback_checks_input(void **state)
{
    struct fixture *f = start(0.4, 0);
    json_t *msg = analyse(f, "hola", NULL), *out = NULL;
    const char *id = str(msg, "message_id");

    (void)state;
    assert_int_equal(iabot_service_feedback(f->service, id, "nonsense",
                                            "operator", &out, NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(iabot_service_feedback(f->service, id, "handover",
                                            "operator", &out, NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(
        iabot_service_feedback(f->service, id, "goodbye", "robot", &out, NULL),
        HITO_ERR_INVALID);
    assert_int_equal(iabot_service_feedback(
                         f->service, "00000000-0000-4000-8000-000000000000",
                         "goodbye", "operator", &out, NULL),
                     HITO_ERR_NOT_FOUND);
    assert_int_equal(iabot_service_feedback(f->service, id, "goodbye",
                                            "outcome", &out, NULL),
                     HITO_OK);
    assert_string_equal(f->store.messages[0].corrected, "goodbye");
    json_decref(out);
    json_decref(msg);
    stop(f);
}

static void retraining_learns_correction(void **state)
{
    struct fixture *f = start(0.4, 0);
    const char *text = "mi paquete llegó roto, quiero devolverlo";
    json_t *msg = analyse(f, text, NULL), *out = NULL;
    char version[MODEL_VERSION_SIZE];

    (void)state;
    assert_string_not_equal(str(msg, "intent"), "talk_to_human");
    assert_int_equal(iabot_service_feedback(f->service, str(msg, "message_id"),
                                            "talk_to_human", "operator", &out,
                                            NULL),
                     HITO_OK);
    json_decref(out);
    json_decref(msg);
    train(f, version);
    msg = analyse(f, text, version);
    assert_string_equal(str(msg, "intent"), "talk_to_human");
    assert_string_equal(str(msg, "model_version"), version);
    json_decref(msg);
    stop(f);
}

static void promotion_needs_better_score(void **state)
{
    struct fixture *f = start(0.4, 0);
    char first[MODEL_VERSION_SIZE], current[MODEL_VERSION_SIZE];
    char candidate[MODEL_VERSION_SIZE];
    json_t *msg = analyse(f, "hola", NULL), *out = NULL;

    (void)state;
    iabot_service_model_version(f->service, first);
    assert_int_equal(iabot_service_feedback(f->service, str(msg, "message_id"),
                                            "goodbye", "operator", &out, NULL),
                     HITO_OK);
    json_decref(out);
    json_decref(msg);
    train(f, candidate);
    assert_string_not_equal(candidate, first);

    fake_store_set_f1(&f->store, candidate, 0.0);
    assert_int_equal(iabot_service_promote(f->service, candidate, &out, NULL),
                     HITO_ERR_CONFLICT);
    assert_string_equal(str(out, "verdict"), "not_better");
    assert_non_null(
        json_object_get(json_object_get(out, "current"), "heldout_macro_f1"));
    assert_non_null(
        json_object_get(json_object_get(out, "candidate"), "heldout_macro_f1"));
    json_decref(out);
    iabot_service_model_version(f->service, current);
    assert_string_equal(current, first);

    fake_store_set_f1(&f->store, candidate, 0.999);
    assert_int_equal(iabot_service_promote(f->service, candidate, &out, NULL),
                     HITO_OK);
    json_decref(out);
    iabot_service_model_version(f->service, current);
    assert_string_equal(current, candidate);

    assert_int_equal(iabot_service_rollback(f->service, &out, NULL), HITO_OK);
    assert_string_equal(str(out, "model_version"), first);
    json_decref(out);
    iabot_service_model_version(f->service, current);
    assert_string_equal(current, first);
    assert_int_equal(iabot_service_rollback(f->service, &out, NULL),
                     HITO_ERR_NOT_FOUND);
    stop(f);
}

static void training_runs_one_at_a_time(void **state)
{
    struct fixture *f = start(0.4, 0);
    json_t *first = NULL, *second = NULL;

    (void)state;
    assert_int_equal(iabot_service_start_training(f->service, &first, NULL),
                     HITO_OK);
    assert_int_equal(iabot_service_start_training(f->service, &second, NULL),
                     HITO_ERR_CONFLICT);
    assert_null(second);
    stop(f); /* waits for the running training */
    json_decref(first);
}

static void llm_replaces_handover(void **state)
{
    struct fixture *f =
        start(1.0, 1); /* every prediction is below the threshold */
    json_t *out;

    (void)state;
    f->llm.reply = INTENT_ORDER_STATUS;
    out = analyse(f, "hola", NULL);
    assert_string_equal(str(out, "intent"), "order_status");
    assert_string_equal(str(out, "source"), "llm");
    assert_int_equal(f->llm.calls, 1);
    assert_string_equal(f->llm.last_text, "hola");
    json_decref(out);

    f->llm.fail = 1;
    out = analyse(f, "hola", NULL);
    assert_string_equal(str(out, "intent"), "handover");
    assert_string_equal(str(out, "source"), "model");
    assert_string_equal(str(json_object_get(out, "reply_plan"), "action"),
                        "handover");
    json_decref(out);
    stop(f);
}

static void conversation_checks_limit(void **state)
{
    struct fixture *f = start(0.4, 0);
    json_t *msg = analyse(f, "hola", NULL), *out = NULL;

    (void)state;
    assert_int_equal(iabot_service_conversation(f->service, "conversation-1",
                                                10, &out, NULL),
                     HITO_OK);
    assert_int_equal(json_array_size(json_object_get(out, "messages")), 1);
    json_decref(out);
    out = NULL;
    assert_int_equal(
        iabot_service_conversation(f->service, "conversation-1", 0, &out, NULL),
        HITO_ERR_INVALID);
    assert_int_equal(iabot_service_conversation(f->service, "conversation-1",
                                                IABOT_MAX_HISTORY + 1, &out,
                                                NULL),
                     HITO_ERR_INVALID);
    assert_int_equal(iabot_service_conversation(f->service, "", 10, &out, NULL),
                     HITO_ERR_INVALID);
    assert_null(out);
    json_decref(msg);
    stop(f);
}

static void llm_skipped_when_confident(void **state)
{
    struct fixture *f = start(0.4, 1);
    json_t *out = analyse(f, "quiero 2 camisetas", NULL);

    (void)state;
    assert_string_equal(str(out, "source"), "model");
    assert_int_equal(f->llm.calls, 0);
    json_decref(out);
    stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(service_bootstraps_first_model),
        cmocka_unit_test(analyse_stores_message),
        cmocka_unit_test(analyse_rejects_bad_requests),
        cmocka_unit_test(feedback_checks_input),
        cmocka_unit_test(retraining_learns_correction),
        cmocka_unit_test(promotion_needs_better_score),
        cmocka_unit_test(training_runs_one_at_a_time),
        cmocka_unit_test(llm_replaces_handover),
        cmocka_unit_test(llm_skipped_when_confident),
        cmocka_unit_test(conversation_checks_limit),
    };

    log_init("iabot-test", LOG_LEVEL_ERROR, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

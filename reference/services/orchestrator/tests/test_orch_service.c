#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "orch_fakes.h"
#include "orch_service.h"

#define CUSTOMER "+34600000001"

struct fixture {
    struct fake_iabot iabot;
    struct fake_otp otp;
    struct fake_whatsapp whatsapp;
    struct fake_store store;
    struct orch_service *svc;
    int next_wamid;
};

static int setup(void **state)
{
    static struct fixture f;
    struct orch_service_deps deps;

    memset(&f, 0, sizeof(f));
    deps = (struct orch_service_deps){
        .iabot = fake_iabot_port(&f.iabot),
        .otp = fake_otp_port(&f.otp),
        .whatsapp = fake_whatsapp_port(&f.whatsapp),
        .store = fake_store_port(&f.store),
        .clock = fake_clock,
        .policy = { 0.40 },
    };
    f.svc = orch_service_new(&deps, NULL);
    *state = &f;
    return f.svc == NULL;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    orch_service_free(f->svc);
    return 0;
}

static void inbound(struct orch_inbound *msg, const char *wamid,
                    const char *text)
{
    memset(msg, 0, sizeof(*msg));
    snprintf(msg->wamid, sizeof(msg->wamid), "%s", wamid);
    snprintf(msg->from, sizeof(msg->from), "%s", CUSTOMER);
    snprintf(msg->text, sizeof(msg->text), "%s", text);
    msg->received_ms = fake_clock_ms - 250;
}

/* Sends one message the IA bot reads as intent/action; returns the rc. */
static int say(struct fixture *f, const char *intent, const char *action,
               double confidence, struct orch_turn_result *result)
{
    struct orch_inbound msg;
    char wamid[32];

    snprintf(wamid, sizeof(wamid), "wamid.%d", ++f->next_wamid);
    fake_analysis(&f->iabot.next, intent, action, confidence);
    inbound(&msg, wamid, "texto");
    return orch_service_handle(f->svc, &msg, result, NULL);
}

static enum orch_state current_state(struct fixture *f)
{
    return f->store.conversations[0].state;
}

static const struct orch_message *last_sent(struct fixture *f)
{
    return &f->whatsapp.sent[f->whatsapp.count - 1];
}

static void service_greeting_replies(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    assert_int_equal(say(f, "greeting", "greet", 0.9, &r), HITO_OK);
    assert_true(r.new_conversation);
    assert_true(r.replied);
    assert_string_equal(r.reply, "greeting");
    assert_string_equal(r.intent, "greeting");
    assert_int_equal(f->whatsapp.count, 1);
    assert_int_equal(last_sent(f)->kind, ORCH_MESSAGE_TEXT);
    assert_int_equal(current_state(f), ORCH_STATE_GREETING);
    assert_true(r.latency_s > 0.24 && r.latency_s < 0.26);
}

static void service_search_sends_list(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    fake_analysis(&f->iabot.next, "product_search", "search_products", 0.9);
    f->iabot.next.product_count = 2;
    snprintf(f->iabot.next.product_ids[0], ORCH_OPTION_ID_SIZE, "arroz-1kg");
    snprintf(f->iabot.next.product_ids[1], ORCH_OPTION_ID_SIZE, "cafe-500g");
    {
        struct orch_inbound msg;

        inbound(&msg, "wamid.search", "quiero arroz");
        assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
    }
    assert_string_equal(r.reply, "products");
    assert_int_equal(last_sent(f)->kind, ORCH_MESSAGE_LIST);
    assert_int_equal(last_sent(f)->option_count, 2);
    assert_string_equal(last_sent(f)->options[1].id, "cafe-500g");
    assert_int_equal(current_state(f), ORCH_STATE_BROWSING);
}

static void service_duplicate_is_skipped(void **state)
{
    struct fixture *f = *state;
    struct orch_inbound msg;
    struct orch_turn_result r;

    fake_analysis(&f->iabot.next, "greeting", "greet", 0.9);
    inbound(&msg, "wamid.dup", "hola");
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
    assert_true(r.duplicate);
    assert_false(r.replied);
    assert_int_equal(f->whatsapp.count, 1);
    assert_int_equal(f->iabot.calls, 1);
}

/* A send that failed is retried with the saved reply, not a new decision. */
static void service_retry_resends_saved_reply(void **state)
{
    struct fixture *f = *state;
    struct orch_inbound msg;
    struct orch_turn_result r;

    fake_analysis(&f->iabot.next, "greeting", "greet", 0.9);
    inbound(&msg, "wamid.retry", "hola");
    f->whatsapp.fail = 1;
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL),
                     HITO_ERR_UNAVAILABLE);
    f->whatsapp.fail = 0;
    fake_analysis(&f->iabot.next, "goodbye", "close_conversation", 0.9);
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
    assert_true(r.resent);
    assert_int_equal(f->iabot.calls, 1);
    assert_int_equal(f->whatsapp.count, 1);
    assert_int_equal(f->store.turns[0].done, 1);
}

static void service_iabot_down_is_retryable(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    f->iabot.fail = 1;
    assert_int_equal(say(f, "greeting", "greet", 0.9, &r),
                     HITO_ERR_UNAVAILABLE);
    assert_int_equal(f->store.turn_count, 0);
    assert_int_equal(f->whatsapp.count, 0);
}

static void service_invalid_message_rejected(void **state)
{
    struct fixture *f = *state;
    struct orch_inbound msg;
    struct orch_turn_result r;

    inbound(&msg, "", "hola");
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL),
                     HITO_ERR_INVALID);
    inbound(&msg, "wamid.empty", "");
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL),
                     HITO_ERR_INVALID);
}

static void service_checkout_needs_cart(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    assert_int_equal(say(f, "checkout", "start_checkout", 0.9, &r), HITO_OK);
    assert_string_equal(r.reply, "cart_empty");
    assert_int_equal(f->otp.issued, 0);
    assert_int_equal(current_state(f), ORCH_STATE_GREETING);
}

static void service_checkout_with_code(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    assert_int_equal(say(f, "add_to_cart", "add_to_cart", 0.9, &r), HITO_OK);
    assert_int_equal(last_sent(f)->kind, ORCH_MESSAGE_BUTTONS);
    assert_int_equal(say(f, "checkout", "start_checkout", 0.9, &r), HITO_OK);
    assert_int_equal(f->otp.issued, 1);
    assert_string_equal(f->otp.last_purpose, ORCH_PURPOSE_CHECKOUT);
    assert_int_equal(current_state(f), ORCH_STATE_AWAITING_OTP);
    assert_int_equal(say(f, "checkout", "start_checkout", 0.9, &r), HITO_OK);
    assert_string_equal(r.reply, "ask_code");
    assert_int_equal(f->otp.issued, 1);

    snprintf(f->otp.valid_code, ORCH_CODE_SIZE, "123456");
    fake_analysis(&f->iabot.next, "otp_code", "verify_otp", 0.9);
    snprintf(f->iabot.next.otp_code, ORCH_CODE_SIZE, "654321");
    {
        struct orch_inbound msg;

        inbound(&msg, "wamid.wrong", "654321");
        assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
        assert_string_equal(r.reply, "code_rejected");
        assert_int_equal(current_state(f), ORCH_STATE_AWAITING_OTP);

        snprintf(f->iabot.next.otp_code, ORCH_CODE_SIZE, "123456");
        inbound(&msg, "wamid.right", "123456");
        assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
        assert_string_equal(r.reply, "checkout_confirmed");
        assert_int_equal(current_state(f), ORCH_STATE_AWAITING_PAYMENT);

        inbound(&msg, "wamid.reused", "123456");
        assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
        assert_string_equal(r.reply, "no_code_pending");
    }
    assert_int_equal(f->otp.verified, 2);
}

static void service_order_status_verified(void **state)
{
    struct fixture *f = *state;
    struct orch_inbound msg;
    struct orch_turn_result r;

    fake_analysis(&f->iabot.next, "order_status", "get_order_status", 0.9);
    snprintf(f->iabot.next.order_id, ORCH_ID_SIZE, "ORD-123456");
    inbound(&msg, "wamid.status", "estado del pedido 123456");
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
    assert_string_equal(f->otp.last_purpose, ORCH_PURPOSE_STATUS);
    assert_non_null(strstr(last_sent(f)->text, "ORD-123456"));

    snprintf(f->otp.valid_code, ORCH_CODE_SIZE, "111111");
    fake_analysis(&f->iabot.next, "otp_code", "verify_otp", 0.9);
    snprintf(f->iabot.next.otp_code, ORCH_CODE_SIZE, "111111");
    inbound(&msg, "wamid.code", "111111");
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
    assert_string_equal(r.reply, "order_verified");
    assert_non_null(strstr(last_sent(f)->text, "ORD-123456"));
    assert_int_equal(current_state(f), ORCH_STATE_TRACKING);
}

static void service_otp_send_failure_keeps_state(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    f->otp.fail_issue = 1;
    assert_int_equal(say(f, "order_status", "get_order_status", 0.9, &r),
                     HITO_OK);
    assert_string_equal(r.reply, "otp_failed");
    assert_int_equal(current_state(f), ORCH_STATE_GREETING);
}

static void service_low_confidence_hands_over(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;
    struct orch_conversation list[4];
    size_t count = 0;

    assert_int_equal(say(f, "greeting", "greet", 0.2, &r), HITO_OK);
    assert_string_equal(r.handover, ORCH_REASON_LOW_CONFIDENCE);
    assert_string_equal(r.reply, "handover");
    assert_int_equal(current_state(f), ORCH_STATE_HUMAN);
    assert_int_equal(orch_service_list_handovers(f->svc, list, 4, &count, NULL),
                     HITO_OK);
    assert_int_equal(count, 1);
    assert_string_equal(list[0].handover_reason, ORCH_REASON_LOW_CONFIDENCE);

    /* The bot stays quiet while a human has the conversation. */
    assert_int_equal(say(f, "greeting", "greet", 0.9, &r), HITO_OK);
    assert_false(r.replied);
    assert_int_equal(f->iabot.calls, 1);
    assert_int_equal(f->whatsapp.count, 1);
}

static void service_handover_intent(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    assert_int_equal(say(f, "handover", "handover", 0.3, &r), HITO_OK);
    assert_string_equal(r.handover, ORCH_REASON_LOW_CONFIDENCE);
    assert_int_equal(say(f, "talk_to_human", "handover", 0.9, &r), HITO_OK);
    assert_string_equal(r.handover, "");
    assert_int_equal(current_state(f), ORCH_STATE_HUMAN);
}

static void service_take_over_and_hand_back(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;
    struct orch_conversation conv;

    assert_int_equal(
        orch_service_take_over(f->svc, CUSTOMER, "op-1", &conv, NULL),
        HITO_ERR_NOT_FOUND);
    assert_int_equal(say(f, "talk_to_human", "handover", 0.9, &r), HITO_OK);
    assert_string_equal(r.handover, ORCH_REASON_CUSTOMER);
    assert_int_equal(
        orch_service_take_over(f->svc, CUSTOMER, "op-1", &conv, NULL), HITO_OK);
    assert_string_equal(conv.operator_id, "op-1");
    assert_int_equal(
        orch_service_take_over(f->svc, CUSTOMER, "op-2", &conv, NULL),
        HITO_ERR_CONFLICT);
    assert_int_equal(orch_service_hand_back(f->svc, CUSTOMER, &conv, NULL),
                     HITO_OK);
    assert_int_equal(conv.state, ORCH_STATE_GREETING);
    assert_string_equal(conv.operator_id, "");
    assert_int_equal(orch_service_hand_back(f->svc, CUSTOMER, &conv, NULL),
                     HITO_ERR_CONFLICT);
}

/* A save that lost a race with another writer sends nothing and can be
 * retried; the retry reloads and succeeds. */
static void service_concurrent_save_retried(void **state)
{
    struct fixture *f = *state;
    struct orch_inbound msg;
    struct orch_turn_result r;

    assert_int_equal(say(f, "greeting", "greet", 0.9, &r), HITO_OK);
    f->store.saved_meanwhile = 1;
    fake_analysis(&f->iabot.next, "goodbye", "close_conversation", 0.9);
    inbound(&msg, "wamid.race", "adios");
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL),
                     HITO_ERR_CONFLICT);
    assert_int_equal(f->whatsapp.count, 1);
    assert_int_equal(orch_service_handle(f->svc, &msg, &r, NULL), HITO_OK);
    assert_string_equal(r.reply, "goodbye");
    assert_int_equal(f->whatsapp.count, 2);
}

static void service_hand_back_race_conflicts(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;
    struct orch_conversation conv;

    assert_int_equal(say(f, "talk_to_human", "handover", 0.9, &r), HITO_OK);
    f->store.saved_meanwhile = 1;
    assert_int_equal(orch_service_hand_back(f->svc, CUSTOMER, &conv, NULL),
                     HITO_ERR_CONFLICT);
    assert_int_equal(current_state(f), ORCH_STATE_HUMAN);
}

static void service_unknown_action_explains_scope(void **state)
{
    struct fixture *f = *state;
    struct orch_turn_result r;

    assert_int_equal(say(f, "out_of_scope", "dance", 0.9, &r), HITO_OK);
    assert_string_equal(r.reply, "scope");
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(service_greeting_replies),
        TEST(service_search_sends_list),
        TEST(service_duplicate_is_skipped),
        TEST(service_retry_resends_saved_reply),
        TEST(service_iabot_down_is_retryable),
        TEST(service_invalid_message_rejected),
        TEST(service_checkout_needs_cart),
        TEST(service_checkout_with_code),
        TEST(service_order_status_verified),
        TEST(service_otp_send_failure_keeps_state),
        TEST(service_low_confidence_hands_over),
        TEST(service_handover_intent),
        TEST(service_take_over_and_hand_back),
        TEST(service_concurrent_save_retried),
        TEST(service_hand_back_race_conflicts),
        TEST(service_unknown_action_explains_scope),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

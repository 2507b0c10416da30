#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "orch_state.h"

struct transition {
    enum orch_state from;
    enum orch_event event;
    enum orch_state to;
};

static const struct transition allowed[] = {
    { ORCH_STATE_GREETING, ORCH_EVENT_BROWSE, ORCH_STATE_BROWSING },
    { ORCH_STATE_BROWSING, ORCH_EVENT_ADD_TO_CART, ORCH_STATE_CART },
    { ORCH_STATE_CART, ORCH_EVENT_CHECKOUT, ORCH_STATE_CHECKOUT },
    { ORCH_STATE_CHECKOUT, ORCH_EVENT_OTP_SENT, ORCH_STATE_AWAITING_OTP },
    { ORCH_STATE_AWAITING_OTP, ORCH_EVENT_CHECKOUT_VERIFIED,
      ORCH_STATE_AWAITING_PAYMENT },
    { ORCH_STATE_AWAITING_OTP, ORCH_EVENT_STATUS_VERIFIED,
      ORCH_STATE_TRACKING },
    { ORCH_STATE_GREETING, ORCH_EVENT_OTP_SENT, ORCH_STATE_AWAITING_OTP },
    { ORCH_STATE_AWAITING_PAYMENT, ORCH_EVENT_TRACK, ORCH_STATE_TRACKING },
    { ORCH_STATE_TRACKING, ORCH_EVENT_HANDOVER, ORCH_STATE_HUMAN },
    { ORCH_STATE_HUMAN, ORCH_EVENT_HANDOVER, ORCH_STATE_HUMAN },
    { ORCH_STATE_HUMAN, ORCH_EVENT_HAND_BACK, ORCH_STATE_GREETING },
    { ORCH_STATE_CART, ORCH_EVENT_CLOSE, ORCH_STATE_GREETING },
};

static const struct transition rejected[] = {
    { ORCH_STATE_GREETING, ORCH_EVENT_CHECKOUT, 0 },
    { ORCH_STATE_BROWSING, ORCH_EVENT_CHECKOUT, 0 },
    { ORCH_STATE_GREETING, ORCH_EVENT_CHECKOUT_VERIFIED, 0 },
    { ORCH_STATE_CHECKOUT, ORCH_EVENT_STATUS_VERIFIED, 0 },
    { ORCH_STATE_HUMAN, ORCH_EVENT_GREET, 0 },
    { ORCH_STATE_HUMAN, ORCH_EVENT_BROWSE, 0 },
    { ORCH_STATE_HUMAN, ORCH_EVENT_OTP_SENT, 0 },
    { ORCH_STATE_CART, ORCH_EVENT_HAND_BACK, 0 },
    { ORCH_STATE_AWAITING_PAYMENT, ORCH_EVENT_ADD_TO_CART, 0 },
};

static void state_next_allowed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        enum orch_state to = ORCH_STATE_COUNT;

        assert_int_equal(
            orch_state_next(allowed[i].from, allowed[i].event, &to), HITO_OK);
        assert_int_equal(to, allowed[i].to);
    }
}

static void state_next_rejected(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
        enum orch_state to = ORCH_STATE_COUNT;

        assert_int_equal(
            orch_state_next(rejected[i].from, rejected[i].event, &to),
            HITO_ERR_CONFLICT);
        assert_int_equal(to, ORCH_STATE_COUNT);
    }
}

static void state_next_out_of_range(void **state)
{
    enum orch_state to = ORCH_STATE_GREETING;

    (void)state;
    assert_int_equal(orch_state_next(ORCH_STATE_COUNT, ORCH_EVENT_GREET, &to),
                     HITO_ERR_INVALID);
    assert_int_equal(orch_state_next(ORCH_STATE_CART, ORCH_EVENT_COUNT, &to),
                     HITO_ERR_INVALID);
}

/* Every state but human can be handed over and closed. */
static void state_next_handover_from_all(void **state)
{
    (void)state;
    for (int s = 0; s < ORCH_STATE_COUNT; s++) {
        enum orch_state to;

        assert_int_equal(
            orch_state_next((enum orch_state)s, ORCH_EVENT_HANDOVER, &to),
            HITO_OK);
        assert_int_equal(to, ORCH_STATE_HUMAN);
    }
}

static void state_names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < ORCH_STATE_COUNT; s++) {
        enum orch_state parsed = ORCH_STATE_COUNT;

        assert_int_equal(
            orch_state_parse(orch_state_name((enum orch_state)s), &parsed),
            HITO_OK);
        assert_int_equal(parsed, s);
    }
    assert_string_equal(orch_state_name(ORCH_STATE_COUNT), "unknown");
    assert_string_equal(orch_event_name(ORCH_EVENT_OTP_SENT), "otp_sent");
}

static void state_parse_unknown(void **state)
{
    enum orch_state parsed = ORCH_STATE_CART;

    (void)state;
    assert_int_equal(orch_state_parse("shopping", &parsed), HITO_ERR_INVALID);
    assert_int_equal(parsed, ORCH_STATE_CART);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_next_allowed),
        cmocka_unit_test(state_next_rejected),
        cmocka_unit_test(state_next_out_of_range),
        cmocka_unit_test(state_next_handover_from_all),
        cmocka_unit_test(state_names_round_trip),
        cmocka_unit_test(state_parse_unknown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

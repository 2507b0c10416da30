/*
 * The conversation store against the running stack's PostgreSQL (database
 * orchestrator, migrations applied) and Redis: turns and their replies,
 * the cache in front of PostgreSQL, and the list of handed-over
 * conversations. Customers and wamids are random, so runs do not collide.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "orch_itest_env.h"
#include "orch_reply.h"
#include "store/orch_store.h"

struct fixture {
    struct orch_settings settings;
    struct db_pool *db;
    struct redisc *redis;
    struct orch_pg_store *pg;
    struct orch_store store;
    struct orch_conversation conv;
    char wamid[ORCH_ID_SIZE];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct hito_error err = { 0 };
    struct redisc_options redis;

    if (f == NULL)
        return -1;
    orch_itest_settings(&f->settings);
    orch_settings_redis(&f->settings, &redis);
    f->db = db_pool_new(f->settings.pg_conninfo, 2, &err);
    if (f->db == NULL || db_migrate(f->db, f->settings.migrations_dir, &err))
        goto fail;
    f->redis = redisc_new(&redis, &err);
    if (f->redis == NULL)
        goto fail;
    f->pg = orch_store_new(f->db, f->redis, &err);
    if (f->pg == NULL)
        goto fail;
    f->store = orch_store_port(f->pg);
    orch_itest_name("3499", f->conv.customer, sizeof(f->conv.customer));
    orch_itest_name("wamid.itest.", f->wamid, sizeof(f->wamid));
    f->conv.state = ORCH_STATE_BROWSING;
    f->conv.turns = 1;
    f->conv.updated_ms = 1764866400123LL;
    *state = f;
    return 0;

fail:
    fprintf(stderr, "setup failed: %s\n", err.message);
    return -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    orch_store_free(f->pg);
    redisc_free(f->redis);
    db_pool_free(f->db);
    orch_settings_clear(&f->settings);
    free(f);
    return 0;
}

static void store_turn_round_trip(void **state)
{
    struct fixture *f = *state;
    struct orch_message reply, found;
    int done = -1, has_reply = -1;

    orch_reply_build(ORCH_REPLY_ADDED, NULL, NULL, &reply);
    assert_int_equal(f->store.ops->save_turn(f->store.self, &f->conv, f->wamid,
                                             &reply, NULL),
                     HITO_OK);
    assert_int_equal(f->store.ops->find_turn(f->store.self, f->wamid, &done,
                                             &has_reply, &found, NULL),
                     HITO_OK);
    assert_int_equal(done, 0);
    assert_int_equal(has_reply, 1);
    assert_int_equal(found.kind, ORCH_MESSAGE_BUTTONS);
    assert_string_equal(found.text, reply.text);
    assert_int_equal(found.option_count, 2);
    assert_string_equal(found.options[0].id, ORCH_BUTTON_CHECKOUT);

    assert_int_equal(f->store.ops->finish_turn(f->store.self, f->wamid, NULL),
                     HITO_OK);
    assert_int_equal(f->store.ops->find_turn(f->store.self, f->wamid, &done,
                                             &has_reply, &found, NULL),
                     HITO_OK);
    assert_int_equal(done, 1);
}

static void store_turn_twice_conflicts(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(
        f->store.ops->save_turn(f->store.self, &f->conv, f->wamid, NULL, NULL),
        HITO_OK);
    assert_int_equal(
        f->store.ops->save_turn(f->store.self, &f->conv, f->wamid, NULL, NULL),
        HITO_ERR_CONFLICT);
}

static void store_unknown_turn_not_found(void **state)
{
    struct fixture *f = *state;
    struct orch_message found;
    int done, has_reply;

    assert_int_equal(f->store.ops->find_turn(f->store.self, f->wamid, &done,
                                             &has_reply, &found, NULL),
                     HITO_ERR_NOT_FOUND);
}

/* The same conversation comes back from the cache and, once the cached
 * copy is gone, from PostgreSQL. */
static void store_load_cache_and_database(void **state)
{
    struct fixture *f = *state;
    struct orch_conversation loaded;

    snprintf(f->conv.order_id, sizeof(f->conv.order_id), "ORD-123456");
    f->conv.pending = ORCH_PENDING_ORDER_STATUS;
    assert_int_equal(f->store.ops->save(f->store.self, &f->conv, NULL),
                     HITO_OK);
    assert_int_equal(
        f->store.ops->load(f->store.self, f->conv.customer, &loaded, NULL),
        HITO_OK);
    assert_string_equal(loaded.order_id, "ORD-123456");

    assert_int_equal(redisc_command(f->redis, NULL, NULL, "DEL orch:conv:%s",
                                    f->conv.customer),
                     HITO_OK);
    memset(&loaded, 0, sizeof(loaded));
    assert_int_equal(
        f->store.ops->load(f->store.self, f->conv.customer, &loaded, NULL),
        HITO_OK);
    assert_int_equal(loaded.state, ORCH_STATE_BROWSING);
    assert_int_equal(loaded.pending, ORCH_PENDING_ORDER_STATUS);
    assert_string_equal(loaded.order_id, "ORD-123456");
    assert_int_equal(loaded.turns, 1);
    assert_true(loaded.updated_ms == f->conv.updated_ms);
}

/* A save from a stale load changes nothing and reports the conflict. */
static void store_stale_save_conflicts(void **state)
{
    struct fixture *f = *state;
    struct orch_conversation first, stale;

    assert_int_equal(f->store.ops->save(f->store.self, &f->conv, NULL),
                     HITO_OK);
    assert_int_equal(
        f->store.ops->load(f->store.self, f->conv.customer, &first, NULL),
        HITO_OK);
    assert_true(first.version == 1);
    stale = first;
    first.state = ORCH_STATE_GREETING;
    assert_int_equal(f->store.ops->save(f->store.self, &first, NULL), HITO_OK);
    stale.state = ORCH_STATE_CART;
    assert_int_equal(f->store.ops->save(f->store.self, &stale, NULL),
                     HITO_ERR_CONFLICT);
    assert_int_equal(
        f->store.ops->save_turn(f->store.self, &stale, f->wamid, NULL, NULL),
        HITO_ERR_CONFLICT);
    assert_int_equal(
        f->store.ops->load(f->store.self, f->conv.customer, &first, NULL),
        HITO_OK);
    assert_int_equal(first.state, ORCH_STATE_GREETING);
    assert_true(first.version == 2);
}

static void store_unknown_customer_not_found(void **state)
{
    struct fixture *f = *state;
    struct orch_conversation loaded;

    assert_int_equal(
        f->store.ops->load(f->store.self, f->conv.customer, &loaded, NULL),
        HITO_ERR_NOT_FOUND);
}

static void store_lists_handed_over(void **state)
{
    struct fixture *f = *state;
    struct orch_conversation list[100];
    size_t count = 0;
    int found = 0;

    f->conv.state = ORCH_STATE_HUMAN;
    snprintf(f->conv.handover_reason, sizeof(f->conv.handover_reason),
             "low_confidence");
    f->conv.updated_ms = 4102444800000LL; /* 2100: first in the list */
    assert_int_equal(f->store.ops->save(f->store.self, &f->conv, NULL),
                     HITO_OK);
    assert_int_equal(f->store.ops->list(f->store.self, ORCH_STATE_HUMAN, list,
                                        100, &count, NULL),
                     HITO_OK);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(list[i].state, ORCH_STATE_HUMAN);
        if (strcmp(list[i].customer, f->conv.customer) == 0)
            found = 1;
    }
    assert_true(found);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(store_turn_round_trip),
        TEST(store_turn_twice_conflicts),
        TEST(store_unknown_turn_not_found),
        TEST(store_load_cache_and_database),
        TEST(store_stale_save_conflicts),
        TEST(store_unknown_customer_not_found),
        TEST(store_lists_handed_over),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

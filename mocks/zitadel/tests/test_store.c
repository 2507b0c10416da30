/* test_store.c - the state document: ids, stamps, atomic save and reload. */
#define _GNU_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"

struct paths {
    char dir[64];
    char file[96];
};

static int setup(void **state)
{
    struct paths *p = calloc(1, sizeof(*p));

    snprintf(p->dir, sizeof(p->dir), "/tmp/hito-store-test-XXXXXX");
    if (mkdtemp(p->dir) == NULL)
        return -1;
    snprintf(p->file, sizeof(p->file), "%s/state.json", p->dir);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    struct paths *p = *state;

    unlink(p->file);
    rmdir(p->dir);
    free(p);
    return 0;
}

static void save_and_reload_keeps_objects(void **state)
{
    struct paths *p = *state;
    struct store *st = NULL;
    char id[STORE_ID_SIZE];
    char again[STORE_ID_SIZE];
    json_t *obj = json_pack("{s:s}", "name", "x");
    struct stat sb;

    assert_int_equal(store_open(p->file, &st, NULL), HITO_OK);
    store_next_id(st, id, sizeof(id));
    assert_int_equal(strlen(id), 18);
    store_stamp_new(st, obj, "org1");
    json_object_set_new(store_coll(st, STORE_PROJECTS), id, obj);
    assert_int_equal(store_save(st, NULL), HITO_OK);
    store_free(st);

    assert_int_equal(stat(p->file, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(store_open(p->file, &st, NULL), HITO_OK);
    obj = json_object_get(store_coll(st, STORE_PROJECTS), id);
    assert_string_equal(json_string_value(json_object_get(obj, "name")), "x");
    store_next_id(st, again, sizeof(again));
    assert_string_not_equal(again, id);
    store_free(st);
}

static void details_follow_stamps(void **state)
{
    struct paths *p = *state;
    struct store *st = NULL;
    json_t *obj = json_object();
    json_t *details;
    json_t *changed;
    const char *first;

    assert_int_equal(store_open(p->file, &st, NULL), HITO_OK);
    store_stamp_new(st, obj, "org1");
    details = store_details(obj);
    first = json_string_value(json_object_get(details, "sequence"));
    assert_non_null(first);
    assert_string_equal(json_string_value(json_object_get(details, "resourceOwner")), "org1");
    store_stamp_change(st, obj);
    changed = store_details(obj);
    assert_string_not_equal(json_string_value(json_object_get(changed, "sequence")), first);
    json_decref(changed);
    json_decref(details);
    json_decref(obj);
    store_free(st);
}

static void prune_drops_expired(void **state)
{
    struct paths *p = *state;
    struct store *st = NULL;
    json_t *tokens;

    assert_int_equal(store_open(p->file, &st, NULL), HITO_OK);
    tokens = store_coll(st, STORE_TOKENS);
    json_object_set_new(tokens, "old", json_pack("{s:f}", "exp", 10.0));
    json_object_set_new(tokens, "new", json_pack("{s:f}", "exp", 1e12));
    store_prune_expired(st, STORE_TOKENS, 100.0);
    assert_null(json_object_get(tokens, "old"));
    assert_non_null(json_object_get(tokens, "new"));
    store_free(st);
}

static void malformed_file_is_rejected(void **state)
{
    struct paths *p = *state;
    struct store *st = NULL;
    FILE *f = fopen(p->file, "w");

    assert_non_null(f);
    fputs("[1, 2", f);
    fclose(f);
    assert_int_equal(store_open(p->file, &st, NULL), HITO_ERR_INVALID);
    assert_null(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(save_and_reload_keeps_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(details_follow_stamps, setup, teardown),
        cmocka_unit_test_setup_teardown(prune_drops_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_file_is_rejected, setup, teardown),
    };

    return cmocka_run_group_tests_name("zitadel_emulator_store", tests, NULL, NULL);
}

/* Unit tests of log.c: format, levels, request ids and redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "hito/log.h"

struct capture {
    char *text;
    size_t len;
    FILE *stream;
};

static int capture_start(void **state)
{
    struct capture *c = calloc(1, sizeof(*c));

    c->stream = open_memstream(&c->text, &c->len);
    log_init("test-service", LOG_LEVEL_INFO, c->stream);
    *state = c;
    return 0;
}

static int capture_stop(void **state)
{
    struct capture *c = *state;

    log_init("hito", LOG_LEVEL_INFO, NULL);
    log_set_request_id(NULL);
    fclose(c->stream);
    free(c->text);
    free(c);
    return 0;
}

/* Parses the last line written so far. */
static json_t *last_event(struct capture *c)
{
    char *line;
    char *end;

    fflush(c->stream);
    if (c->len == 0)
        return NULL;
    end = c->text + c->len - 1;
    assert_int_equal(*end, '\n');
    line = end;
    while (line > c->text && line[-1] != '\n')
        line--;
    return json_loadb(line, (size_t)(end - line), 0, NULL);
}

static void event_has_standard_fields(void **state)
{
    struct capture *c = *state;
    json_t *event;

    LOG_INFO("server started", "port", "8080");
    event = last_event(c);
    assert_non_null(event);
    assert_string_equal(json_string_value(json_object_get(event, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(event, "service")), "test-service");
    assert_string_equal(json_string_value(json_object_get(event, "msg")), "server started");
    assert_string_equal(json_string_value(json_object_get(event, "port")), "8080");
    assert_null(json_object_get(event, "request_id"));
    /* 2026-12-04T15:56:02.123Z */
    assert_int_equal(strlen(json_string_value(json_object_get(event, "time"))), 24);
    json_decref(event);
}

static void event_below_level_not_written(void **state)
{
    struct capture *c = *state;

    LOG_DEBUG("hidden");
    fflush(c->stream);
    assert_int_equal(c->len, 0);
    assert_false(log_enabled(LOG_LEVEL_DEBUG));
    assert_true(log_enabled(LOG_LEVEL_ERROR));
}

static void event_carries_request_id(void **state)
{
    struct capture *c = *state;
    json_t *event;

    log_set_request_id("req-123");
    LOG_WARN("slow");
    event = last_event(c);
    assert_string_equal(json_string_value(json_object_get(event, "request_id")), "req-123");
    assert_string_equal(log_request_id(), "req-123");
    json_decref(event);
    log_set_request_id(NULL);
    assert_null(log_request_id());
}

static void event_escapes_values(void **state)
{
    struct capture *c = *state;
    json_t *event;

    LOG_ERROR("quote \" and newline \n", "detail", "tab\there");
    event = last_event(c);
    assert_non_null(event);
    assert_string_equal(json_string_value(json_object_get(event, "msg")),
                        "quote \" and newline \n");
    assert_string_equal(json_string_value(json_object_get(event, "detail")), "tab\there");
    json_decref(event);
}

static void event_redacts_secret_keys(void **state)
{
    static const char *const keys[] = {"password", "DB_PASSWORD", "client_secret", "Token",
                                       "access_token", "Authorization", "api_key", "Cookie",
                                       "set-cookie"};
    struct capture *c = *state;
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *event;

        log_event(LOG_LEVEL_INFO, "login", keys[i], "hunter2", "user", "ana", NULL);
        event = last_event(c);
        assert_string_equal(json_string_value(json_object_get(event, keys[i])), "[REDACTED]");
        assert_string_equal(json_string_value(json_object_get(event, "user")), "ana");
        json_decref(event);
    }
    assert_null(strstr(c->text, "hunter2"));
}

static void key_is_secret_ignores_plain_keys(void **state)
{
    (void)state;
    assert_false(log_key_is_secret("user"));
    assert_false(log_key_is_secret("path"));
    assert_false(log_key_is_secret("status"));
    assert_true(log_key_is_secret("X_API_KEY"));
}

static void level_parse_names(void **state)
{
    (void)state;
    assert_int_equal(log_level_parse("debug"), LOG_LEVEL_DEBUG);
    assert_int_equal(log_level_parse("WARN"), LOG_LEVEL_WARN);
    assert_int_equal(log_level_parse("error"), LOG_LEVEL_ERROR);
    assert_int_equal(log_level_parse("verbose"), -1);
    assert_int_equal(log_level_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(event_has_standard_fields, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(event_below_level_not_written, capture_start,
                                        capture_stop),
        cmocka_unit_test_setup_teardown(event_carries_request_id, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(event_escapes_values, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(event_redacts_secret_keys, capture_start, capture_stop),
        cmocka_unit_test(key_is_secret_ignores_plain_keys),
        cmocka_unit_test(level_parse_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of the webhook parser against the fixtures of
 * tests/fixtures/webhook: each valid/NAME.json with NAME.expected ("key
 * value" lines), each invalid/NAME.json with NAME.error (a part of the
 * expected error message). Run from the repository root.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wa_webhook.h"

#define FIXTURES "reference/services/whatsapp/tests/fixtures/webhook"
#define FIXTURE_MAX (64 * 1024)

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(FIXTURE_MAX + 1);

    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, FIXTURE_MAX, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Returns the value of "key value" in expected, or NULL. */
static const char *expected_value(char *expected, const char *key, char *out,
                                  size_t size)
{
    size_t n = strlen(key);

    for (char *line = expected; line != NULL && *line != '\0';) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);

        if (len > n && strncmp(line, key, n) == 0 && line[n] == ' ') {
            snprintf(out, size, "%.*s", (int)(len - n - 1), line + n + 1);
            return out;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

static void check_field(char *expected, const char *key, const char *actual)
{
    char value[512];

    if (expected_value(expected, key, value, sizeof(value)) != NULL)
        assert_string_equal(actual, value);
}

static void check_valid(const char *name)
{
    char path[512], value[64];
    struct wa_notification n;
    struct hito_error err = { 0 };
    size_t len, elen;
    char *body, *expected;

    snprintf(path, sizeof(path), FIXTURES "/valid/%s.json", name);
    body = read_file(path, &len);
    snprintf(path, sizeof(path), FIXTURES "/valid/%s.expected", name);
    expected = read_file(path, &elen);
    print_message("valid/%s\n", name);

    assert_int_equal(wa_webhook_parse(body, len, &n, &err), HITO_OK);
    assert_non_null(expected_value(expected, "messages", value, sizeof(value)));
    assert_int_equal(n.message_count, strtoul(value, NULL, 10));
    assert_non_null(expected_value(expected, "statuses", value, sizeof(value)));
    assert_int_equal(n.status_count, strtoul(value, NULL, 10));
    if (n.message_count > 0) {
        check_field(expected, "wamid", n.messages[0].wamid);
        check_field(expected, "type", n.messages[0].type);
        check_field(expected, "text",
                    n.messages[0].text ? n.messages[0].text : "");
        check_field(expected, "reply_type", n.messages[0].reply_type);
        check_field(expected, "reply_id", n.messages[0].reply_id);
        check_field(expected, "reply_title", n.messages[0].reply_title);
        check_field(expected, "contact", n.messages[0].contact_name);
    }
    for (size_t i = 0; i < n.status_count; i++) {
        char key[32], code[32];

        snprintf(key, sizeof(key), "status%zu", i);
        check_field(expected, key, wa_status_name(n.statuses[i].status));
        snprintf(key, sizeof(key), "error%zu", i);
        snprintf(code, sizeof(code), "%ld", n.statuses[i].error_code);
        check_field(expected, key, code);
    }
    wa_notification_clear(&n);
    free(body);
    free(expected);
}

static void check_invalid(const char *name)
{
    char path[512];
    struct wa_notification n;
    struct hito_error err = { 0 };
    size_t len, elen;
    char *body, *expected;

    snprintf(path, sizeof(path), FIXTURES "/invalid/%s.json", name);
    body = read_file(path, &len);
    snprintf(path, sizeof(path), FIXTURES "/invalid/%s.error", name);
    expected = read_file(path, &elen);
    expected[strcspn(expected, "\n")] = '\0';
    print_message("invalid/%s\n", name);

    assert_int_equal(wa_webhook_parse(body, len, &n, &err), HITO_ERR_INVALID);
    assert_non_null(strstr(err.message, expected));
    wa_notification_clear(&n);
    free(body);
    free(expected);
}

/* Calls check for every NAME.json of folder; returns how many there were. */
static int for_each_fixture(const char *folder, void (*check)(const char *))
{
    DIR *dir = opendir(folder);
    struct dirent *e;
    int count = 0;

    assert_non_null(dir);
    while ((e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        char name[256];

        if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)(n - 5), e->d_name);
        check(name);
        count++;
    }
    closedir(dir);
    return count;
}

static void webhook_valid_fixtures(void **state)
{
    (void)state;
    assert_true(for_each_fixture(FIXTURES "/valid", check_valid) >= 5);
}

static void webhook_invalid_fixtures(void **state)
{
    (void)state;
    assert_true(for_each_fixture(FIXTURES "/invalid", check_invalid) >= 10);
}

static void webhook_too_many_messages(void **state)
{
    const char *head = "{\"object\":\"whatsapp_business_account\",\"entry\":"
                       "[{\"changes\":[{\"field\":\"messages\",\"value\":"
                       "{\"messages\":[";
    const char *item = "{\"from\":\"34600111222\",\"id\":\"wamid.X\","
                       "\"timestamp\":\"1\",\"type\":\"image\"}";
    size_t cap =
        strlen(head) + (WA_WEBHOOK_MAX_MESSAGES + 1) * (strlen(item) + 1) + 16;
    char *body = malloc(cap);
    struct wa_notification n;
    struct hito_error err = { 0 };

    (void)state;
    assert_non_null(body);
    strcpy(body, head);
    for (int i = 0; i <= WA_WEBHOOK_MAX_MESSAGES; i++) {
        strcat(body, item);
        strcat(body, i < WA_WEBHOOK_MAX_MESSAGES ? "," : "");
    }
    strcat(body, "]}}]}]}");
    assert_int_equal(wa_webhook_parse(body, strlen(body), &n, &err),
                     HITO_ERR_LIMIT);
    wa_notification_clear(&n);
    free(body);
}

static void webhook_long_name_stays_utf8(void **state)
{
    char body[2048];
    char name[600] = "";
    struct wa_notification n;
    struct hito_error err = { 0 };

    (void)state;
    for (int i = 0; i < 200; i++)
        strcat(name, "\xc3\xa9"); /* "é": 400 bytes in all */
    snprintf(body, sizeof(body),
             "{\"object\":\"whatsapp_business_account\",\"entry\":[{"
             "\"changes\":[{\"field\":\"messages\",\"value\":{\"contacts\":"
             "[{\"profile\":{\"name\":\"X%s\"},\"wa_id\":\"34600111222\"}],"
             "\"messages\":[{\"from\":\"34600111222\",\"id\":\"wamid.N\","
             "\"timestamp\":\"1\",\"type\":\"image\"}]}}]}]}",
             name);
    assert_int_equal(wa_webhook_parse(body, strlen(body), &n, &err), HITO_OK);
    assert_int_equal(strlen(n.messages[0].contact_name) % 2, 1);
    assert_true(strlen(n.messages[0].contact_name) < WA_NAME_SIZE);
    wa_notification_clear(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(webhook_valid_fixtures),
        cmocka_unit_test(webhook_invalid_fixtures),
        cmocka_unit_test(webhook_too_many_messages),
        cmocka_unit_test(webhook_long_name_stays_utf8),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

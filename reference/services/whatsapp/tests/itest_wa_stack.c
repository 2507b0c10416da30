/*
 * Integration tests of the WhatsApp service on the running stack of
 * $HITO_ENV: the service, its Cloud API emulator, PostgreSQL (read as the
 * whatsapp role) and RabbitMQ, which one test stops and starts again with
 * `make stop-component` / `make start-component`. Run from the repository
 * root, as `make integration` does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "hito/db.h"
#include "hito/httpc.h"
#include "hito/log.h"
#include "hito/token_cache.h"
#include "integration/it_settings.h"

#define URL_SIZE 256
#define OUTAGE_MESSAGES 5
/* Bound of the waits for the relay after the broker is back. */
#define PUBLISH_WAIT_SECONDS 60

static struct config *settings;
static char service_url[URL_SIZE], cloud_url[URL_SIZE];
static struct db_pool *db;
static struct token_cache *tokens;

/* Sends one request, stores the parsed body and returns the status. */
static long request(const char *method, const char *url, const char *body,
                    const char *extra_header, json_t **reply)
{
    char *token = NULL;
    char auth[TOKEN_CACHE_MAX_TOKEN_BYTES + 32] = "X-No-Auth: 1";
    const char *headers[] = { "Content-Type: application/json", auth,
                              extra_header, NULL };
    struct httpc_request req = { 0 };
    struct httpc_response res = { 0 };
    struct hito_error err = { 0 };
    long status;

    if (strncmp(url, service_url, strlen(service_url)) == 0 &&
        token_cache_get(tokens, &token, &err) == HITO_OK) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        free(token);
    }
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    assert_int_equal(httpc_do(&req, &res, &err), HITO_OK);
    status = res.status;
    if (reply != NULL)
        *reply = json_loadb(res.body, res.body_len, 0, NULL);
    httpc_response_free(&res);
    return status;
}

static long emulator(const char *path, const char *body, json_t **reply)
{
    char url[URL_SIZE * 2];

    snprintf(url, sizeof(url), "%s%s", cloud_url, path);
    return request(body ? "POST" : "GET", url, body, NULL, reply);
}

/* Returns the integer result of a query with one text parameter. */
static long long query_number(const char *sql, const char *param)
{
    const char *params[] = { param };
    PGconn *conn = NULL;
    PGresult *res = NULL;
    long long value;

    assert_int_equal(db_acquire(db, 0, &conn, NULL), HITO_OK);
    assert_int_equal(db_exec(conn, sql, 1, params, &res, NULL), HITO_OK);
    value = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    db_release(db, conn);
    return value;
}

/* Writes a random Spanish mobile number (digits only). */
static void random_phone(char *out, size_t size)
{
    unsigned int n = 0;

    RAND_bytes((unsigned char *)&n, sizeof(n));
    snprintf(out, size, "346%08u", n % 100000000u);
}

/* Has the emulator deliver one inbound text and copies its wamid. */
static void inbound(const char *from, const char *text, int duplicates,
                    char *wamid, size_t size, long *first_status)
{
    char body[512];
    json_t *reply = NULL;

    snprintf(body, sizeof(body),
             "{\"from\":\"%s\",\"name\":\"Jos\xc3\xa9\",\"text\":\"%s\","
             "\"duplicates\":%d}",
             from, text, duplicates);
    assert_int_equal(emulator("/__emulator/inbound", body, &reply), 200);
    snprintf(wamid, size, "%s",
             json_string_value(json_object_get(reply, "wamid")));
    *first_status = (long)json_integer_value(
        json_array_get(json_object_get(reply, "deliveries"), 0));
    json_decref(reply);
}

static void duplicate_delivery_stored_once(void **state)
{
    char phone[32], wamid[256];
    long status = 0;

    (void)state;
    random_phone(phone, sizeof(phone));
    inbound(phone, "Hola, \\u00bfhay pizza? https://hito.example/menu", 2,
            wamid, sizeof(wamid), &status);
    assert_int_equal(status, 200);
    assert_int_equal(
        query_number("SELECT count(*) FROM wa_message WHERE wamid = $1", wamid),
        1);
    assert_int_equal(
        query_number("SELECT count(*) FROM wa_outbox WHERE wamid = $1", wamid),
        1);
}

static void escaped_body_verified_and_decoded(void **state)
{
    char phone[32], body[1024], request_body[2048];
    json_t *reply = NULL, *wrapper;
    char *wrapped;

    (void)state;
    random_phone(phone, sizeof(phone));
    snprintf(body, sizeof(body),
             "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":"
             "\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{"
             "\"messages\":[{\"from\":\"%s\",\"id\":\"wamid.ESC%s\","
             "\"timestamp\":\"1733312000\",\"type\":\"text\",\"text\":{"
             "\"body\":\"Caf\\u00e9 https:\\/\\/hito.example\"}}]}}]}]}",
             phone, phone);
    wrapper = json_pack("{s:s}", "body", body);
    wrapped = json_dumps(wrapper, JSON_COMPACT);
    snprintf(request_body, sizeof(request_body), "%s", wrapped);
    free(wrapped);
    json_decref(wrapper);
    assert_int_equal(emulator("/__emulator/webhook", request_body, &reply),
                     200);
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(reply, "deliveries"), 0)),
                     200);
    json_decref(reply);
    snprintf(body, sizeof(body), "wamid.ESC%s", phone);
    assert_int_equal(query_number("SELECT count(*) FROM wa_message WHERE wamid "
                                  "= $1 AND body->'text'->>'body' = "
                                  "'Caf\xc3\xa9 https://hito.example'",
                                  body),
                     1);
}

static void wrong_signature_rejected(void **state)
{
    char phone[32], body[1024];
    json_t *reply = NULL, *wrapper;
    char *request_body;

    (void)state;
    random_phone(phone, sizeof(phone));
    snprintf(body, sizeof(body),
             "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":"
             "\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{"
             "\"messages\":[{\"from\":\"%s\",\"id\":\"wamid.BAD%s\","
             "\"timestamp\":\"1733312000\",\"type\":\"text\",\"text\":{"
             "\"body\":\"x\"}}]}}]}]}",
             phone, phone);
    wrapper = json_pack("{s:s, s:s}", "body", body, "signature",
                        "sha256=0000000000000000000000000000000000000000000000"
                        "000000000000000000");
    request_body = json_dumps(wrapper, JSON_COMPACT);
    assert_int_equal(emulator("/__emulator/webhook", request_body, &reply),
                     200);
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(reply, "deliveries"), 0)),
                     401);
    snprintf(body, sizeof(body), "wamid.BAD%s", phone);
    assert_int_equal(
        query_number("SELECT count(*) FROM wa_message WHERE wamid = $1", body),
        0);
    free(request_body);
    json_decref(wrapper);
    json_decref(reply);
}

/* Counts the emulator's recorded sends to phone, and those with code. */
/*
 * Counts the emulator's recorded sends to phone, only those whose text body
 * is text when it is not NULL: on the full stack the orchestrator also
 * replies to the test's inbound messages.
 */
static void count_sends(const char *phone, const char *text, long code, int *all,
                        int *with_code)
{
    json_t *reply = NULL, *item;
    size_t i;

    *all = 0;
    *with_code = 0;
    assert_int_equal(emulator("/__emulator/sent", NULL, &reply), 200);
    json_array_foreach(json_object_get(reply, "messages"), i, item)
    {
        const char *to = json_string_value(
            json_object_get(json_object_get(item, "body"), "to"));

        const char *body = json_string_value(json_object_get(
            json_object_get(json_object_get(item, "body"), "text"), "body"));

        if (to == NULL || strcmp(to, phone) != 0)
            continue;
        if (text != NULL && (body == NULL || strcmp(body, text) != 0))
            continue;
        (*all)++;
        *with_code +=
            json_integer_value(json_object_get(item, "error_code")) == code;
    }
    json_decref(reply);
}

#define SENT_TEXT "Tu pedido est\xc3\xa1 en camino"

static long send_text(const char *phone, json_t **reply)
{
    char url[URL_SIZE * 2], body[256];

    snprintf(url, sizeof(url), "%s/v1/messages", service_url);
    snprintf(body, sizeof(body),
             "{\"to\":\"%s\",\"type\":\"text\",\"text\":{\"body\":\""
             SENT_TEXT "\"}}",
             phone);
    return request("POST", url, body, NULL, reply);
}

/*
 * Opens a conversation with a new random phone and makes the emulator fail
 * the next send to it with the Cloud API error code.
 */
static void open_with_fault(char *phone, size_t size, int code)
{
    char wamid[256], fault[256];
    long status = 0;

    random_phone(phone, size);
    inbound(phone, "hola", 0, wamid, sizeof(wamid), &status);
    /*
     * Scoped to this recipient and the test's own text: the orchestrator may
     * reply to "hola" meanwhile, to the same phone.
     */
    snprintf(fault, sizeof(fault),
             "{\"code\":%d,\"count\":1,\"to\":\"%s\",\"text\":\"" SENT_TEXT "\"}", code,
             phone);
    assert_int_equal(emulator("/__emulator/faults", fault, NULL), 200);
}

static void send_retried_after_throughput_error(void **state)
{
    char phone[32];
    json_t *reply = NULL;
    int all = 0, limited = 0;

    (void)state;
    open_with_fault(phone, sizeof(phone), 130429);
    assert_int_equal(send_text(phone, &reply), 200);
    assert_non_null(json_string_value(json_object_get(reply, "message_id")));
    count_sends(phone, SENT_TEXT, 130429, &all, &limited);
    assert_int_equal(all, 2);
    assert_int_equal(limited, 1);
    json_decref(reply);
}

static void permanent_error_not_retried(void **state)
{
    char phone[32];
    json_t *reply = NULL;
    int all = 0, undeliverable = 0;

    (void)state;
    open_with_fault(phone, sizeof(phone), 131026);
    assert_int_equal(send_text(phone, &reply), 422);
    count_sends(phone, SENT_TEXT, 131026, &all, &undeliverable);
    assert_int_equal(all, 1);
    assert_int_equal(undeliverable, 1);
    json_decref(reply);
}

static void text_outside_window_rejected(void **state)
{
    char phone[32];
    json_t *reply = NULL;
    int all = 0, unused = 0;

    (void)state;
    random_phone(phone, sizeof(phone));
    assert_int_equal(send_text(phone, &reply), 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(reply, "error"), "code")),
                        "outside_service_window");
    count_sends(phone, NULL, 0, &all, &unused);
    assert_int_equal(all, 0);
    json_decref(reply);
}

static void send_without_token_rejected(void **state)
{
    char url[URL_SIZE * 2];
    const char *headers[] = { "Content-Type: application/json", NULL };
    struct httpc_request req = { 0 };
    struct httpc_response res = { 0 };

    (void)state;
    snprintf(url, sizeof(url), "%s/v1/messages", service_url);
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = "{}";
    req.body_len = 2;
    assert_int_equal(httpc_do(&req, &res, NULL), HITO_OK);
    assert_int_equal(res.status, 401);
    httpc_response_free(&res);
}

static void idempotent_send_sent_once(void **state)
{
    char phone[32], wamid[256], url[URL_SIZE * 2], body[256], key[96];
    json_t *first = NULL, *second = NULL, *other = NULL;
    long status = 0;
    int all = 0, unused = 0;

    (void)state;
    random_phone(phone, sizeof(phone));
    inbound(phone, "hola", 0, wamid, sizeof(wamid), &status);
    snprintf(url, sizeof(url), "%s/v1/messages", service_url);
    snprintf(key, sizeof(key), "Idempotency-Key: itest-%s", phone);
    snprintf(body, sizeof(body),
             "{\"to\":\"%s\",\"type\":\"text\",\"text\":{\"body\":"
             "\"una vez\"}}",
             phone);
    assert_int_equal(request("POST", url, body, key, &first), 200);
    assert_int_equal(request("POST", url, body, key, &second), 200);
    assert_true(json_equal(json_object_get(first, "message_id"),
                           json_object_get(second, "message_id")));
    count_sends(phone, "una vez", 0, &all, &unused);
    assert_int_equal(all, 1);
    body[strlen(body) - 4] = 'Z';
    assert_int_equal(request("POST", url, body, key, &other), 409);
    json_decref(first);
    json_decref(second);
    json_decref(other);
}

static void history_pages_newest_first(void **state)
{
    char phone[32], wamids[3][256], url[URL_SIZE * 3];
    json_t *page = NULL;
    long long next;
    long status = 0;

    (void)state;
    random_phone(phone, sizeof(phone));
    for (int i = 0; i < 3; i++)
        inbound(phone, "pagina", 0, wamids[i], sizeof(wamids[i]), &status);
    snprintf(url, sizeof(url),
             "%s/v1/whatsapp/conversations/%s/messages?limit=2", service_url,
             phone);
    assert_int_equal(request("GET", url, NULL, NULL, &page), 200);
    assert_int_equal(json_array_size(json_object_get(page, "messages")), 2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(page, "messages"), 0), "wamid")),
        wamids[2]);
    next = json_integer_value(json_object_get(page, "next_before"));
    json_decref(page);
    snprintf(url, sizeof(url),
             "%s/v1/whatsapp/conversations/%s/messages?limit=2&before=%lld",
             service_url, phone, next);
    assert_int_equal(request("GET", url, NULL, NULL, &page), 200);
    assert_int_equal(json_array_size(json_object_get(page, "messages")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(page, "messages"), 0), "wamid")),
        wamids[0]);
    assert_true(json_is_null(json_object_get(page, "next_before")));
    json_decref(page);
}

static void statuses_applied_monotonically(void **state)
{
    char phone[32], wamid[256], body[512], url[URL_SIZE * 3];
    json_t *reply = NULL;
    long status = 0;

    (void)state;
    random_phone(phone, sizeof(phone));
    inbound(phone, "hola", 0, wamid, sizeof(wamid), &status);
    assert_int_equal(send_text(phone, &reply), 200);
    snprintf(wamid, sizeof(wamid), "%s",
             json_string_value(json_object_get(reply, "message_id")));
    json_decref(reply);
    snprintf(body, sizeof(body),
             "{\"wamid\":\"%s\",\"recipient\":\"%s\",\"statuses\":[\"read\","
             "\"sent\",\"delivered\",\"read\"]}",
             wamid, phone);
    assert_int_equal(emulator("/__emulator/statuses", body, NULL), 200);
    snprintf(url, sizeof(url), "%s/v1/whatsapp/messages/%s", service_url,
             wamid);
    assert_int_equal(request("GET", url, NULL, NULL, &reply), 200);
    assert_string_equal(json_string_value(json_object_get(reply, "status")),
                        "read");
    assert_int_equal(json_array_size(json_object_get(reply, "statuses")), 3);
    json_decref(reply);
}

static int make_component(const char *verb)
{
    char command[128];

    snprintf(command, sizeof(command),
             "make -s --no-print-directory %s-component C=rabbitmq", verb);
    return system(command);
}

static void broker_outage_loses_nothing(void **state)
{
    char phone[32], wamids[OUTAGE_MESSAGES][256], list[2048] = "{";
    long status = 0;
    long long published = 0;

    (void)state;
    random_phone(phone, sizeof(phone));
    assert_int_equal(make_component("stop"), 0);
    for (int i = 0; i < OUTAGE_MESSAGES; i++) {
        inbound(phone, "durante la caida", 0, wamids[i], sizeof(wamids[i]),
                &status);
        assert_int_equal(status, 200);
        strcat(list, i ? "," : "");
        strcat(list, wamids[i]);
    }
    strcat(list, "}");
    assert_int_equal(query_number("SELECT count(*) FROM wa_outbox WHERE wamid "
                                  "= ANY($1::text[]) AND published_at IS NULL",
                                  list),
                     OUTAGE_MESSAGES);
    assert_int_equal(make_component("start"), 0);
    for (int i = 0; i < PUBLISH_WAIT_SECONDS && published < OUTAGE_MESSAGES;
         i++) {
        sleep(1);
        published = query_number("SELECT count(*) FROM wa_outbox WHERE wamid "
                                 "= ANY($1::text[]) AND published_at IS NOT "
                                 "NULL",
                                 list);
    }
    assert_int_equal(published, OUTAGE_MESSAGES);
}

static int setup(void **state)
{
    struct hito_error err = { 0 };
    char conninfo[DB_CONNINFO_MAX], token_url[URL_SIZE], scope[URL_SIZE];
    const char *host;
    struct token_cache_options opts = { 0 };

    (void)state;
    settings = it_settings_load();
    {
        char path[URL_SIZE];
        const char *env = getenv("HITO_ENV");

        snprintf(path, sizeof(path), "run/%s/zitadel.env", env ? env : "dev");
        if (config_load_file(settings, path, &err) != HITO_OK) {
            fprintf(stderr, "%s\n", err.message);
            return -1;
        }
    }
    host = config_get_default(settings, "HITO_HOST", "127.0.0.1");
    snprintf(service_url, sizeof(service_url), "http://%s:%d", host,
             it_setting_int(settings, "WHATSAPP_PORT", 1, 65535));
    snprintf(cloud_url, sizeof(cloud_url), "http://%s:%d", host,
             it_setting_int(settings, "WHATSAPP_CLOUD_PORT", 1, 65535));
    db_conninfo(conninfo, sizeof(conninfo), host,
                it_setting_int(settings, "PG_PORT", 1, 65535), "whatsapp",
                "whatsapp", it_setting(settings, "PG_PASSWORD_WHATSAPP"));
    db = db_pool_new(conninfo, 2, &err);
    snprintf(token_url, sizeof(token_url), "http://localhost:%s/oauth/v2/token",
             it_setting(settings, "ZITADEL_PORT"));
    snprintf(scope, sizeof(scope),
             "openid urn:zitadel:iam:org:project:id:%s:aud "
             "urn:zitadel:iam:org:projects:roles",
             it_setting(settings, "ZITADEL_PROJECT_ID"));
    opts.token_url = token_url;
    opts.client_id = it_setting(settings, "ZITADEL_SVC_ORCHESTRATOR_CLIENT_ID");
    opts.client_secret =
        it_setting(settings, "ZITADEL_SVC_ORCHESTRATOR_CLIENT_SECRET");
    opts.scope = scope;
    tokens = token_cache_new(&opts, &err);
    if (db == NULL || tokens == NULL) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    token_cache_free(tokens);
    db_pool_free(db);
    config_free(settings);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(duplicate_delivery_stored_once),
        cmocka_unit_test(escaped_body_verified_and_decoded),
        cmocka_unit_test(wrong_signature_rejected),
        cmocka_unit_test(send_retried_after_throughput_error),
        cmocka_unit_test(permanent_error_not_retried),
        cmocka_unit_test(text_outside_window_rejected),
        cmocka_unit_test(send_without_token_rejected),
        cmocka_unit_test(idempotent_send_sent_once),
        cmocka_unit_test(history_pages_newest_first),
        cmocka_unit_test(statuses_applied_monotonically),
        cmocka_unit_test(broker_outage_loses_nothing),
    };

    log_init("whatsapp-itest", LOG_LEVEL_WARN, NULL);
    return cmocka_run_group_tests(tests, setup, teardown);
}

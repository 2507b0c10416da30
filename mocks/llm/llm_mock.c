#include "llm_mock.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hito/httpd.h"

#define MAX_DELAY_MS 60000
#define MAX_BODY_BYTES (256 * 1024)

struct llm_mock {
    struct httpd *srv;
    pthread_mutex_t lock; /* guards the fields below */
    char reply[LLM_MOCK_REPLY_MAX];
    long delay_ms;
    char *requests[LLM_MOCK_MAX_REQUESTS]; /* ring of request bodies */
    size_t count;
};

static void remember(struct llm_mock *mock, const char *body, size_t len)
{
    char *copy = malloc(len + 1);
    size_t slot;

    if (copy == NULL)
        return;
    memcpy(copy, body, len);
    copy[len] = '\0';
    pthread_mutex_lock(&mock->lock);
    slot = mock->count % LLM_MOCK_MAX_REQUESTS;
    free(mock->requests[slot]);
    mock->requests[slot] = copy;
    mock->count++;
    pthread_mutex_unlock(&mock->lock);
}

static void handle_completion(struct httpd_req *req, void *user)
{
    struct llm_mock *mock = user;
    char reply[LLM_MOCK_REPLY_MAX];
    struct timespec wait;
    size_t len = 0;
    const char *body = httpd_body(req, &len);
    long delay;

    remember(mock, body, len);
    pthread_mutex_lock(&mock->lock);
    memcpy(reply, mock->reply, sizeof(reply));
    delay = mock->delay_ms;
    pthread_mutex_unlock(&mock->lock);
    if (delay > 0) {
        wait.tv_sec = delay / 1000;
        wait.tv_nsec = (delay % 1000) * 1000000L;
        nanosleep(&wait, NULL);
    }
    httpd_reply_json(req, 200,
                     json_pack("{s:s, s:s, s:s, s:[{s:i, s:{s:s, s:s}, s:s}]}",
                               "id", "chatcmpl-mock", "object",
                               "chat.completion", "model", "mock", "choices",
                               "index", 0, "message", "role", "assistant",
                               "content", reply, "finish_reason", "stop"));
}

static void handle_requests(struct httpd_req *req, void *user)
{
    struct llm_mock *mock = user;
    json_t *list = json_array();
    size_t i, first;

    pthread_mutex_lock(&mock->lock);
    first = mock->count > LLM_MOCK_MAX_REQUESTS
                ? mock->count - LLM_MOCK_MAX_REQUESTS
                : 0;
    for (i = first; i < mock->count; i++)
        json_array_append_new(
            list, json_string(mock->requests[i % LLM_MOCK_MAX_REQUESTS]));
    pthread_mutex_unlock(&mock->lock);
    httpd_reply_json(req, 200, list);
}

struct llm_mock *llm_mock_start(const struct llm_mock_options *opts,
                                struct hito_error *err)
{
    struct llm_mock *mock = calloc(1, sizeof(*mock));
    struct httpd_options http = {0};

    if (mock == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&mock->lock, NULL);
    llm_mock_set_reply(mock, opts->reply, opts->delay_ms);
    http.service = "llm-mock";
    http.listen = opts->listen;
    http.threads = 8;
    http.max_body_bytes = MAX_BODY_BYTES;
    mock->srv = httpd_new(&http, err);
    if (mock->srv == NULL ||
        httpd_route(mock->srv, "POST", "/v1/chat/completions",
                    handle_completion, mock) != 0 ||
        httpd_route(mock->srv, "GET", "/_mock/requests", handle_requests,
                    mock) != 0 ||
        httpd_start(mock->srv, err) != HITO_OK) {
        llm_mock_free(mock);
        return NULL;
    }
    return mock;
}

int llm_mock_port(const struct llm_mock *mock)
{
    return httpd_port(mock->srv);
}

void llm_mock_set_reply(struct llm_mock *mock, const char *reply, long delay_ms)
{
    pthread_mutex_lock(&mock->lock);
    snprintf(mock->reply, sizeof(mock->reply), "%s", reply);
    if (delay_ms < 0)
        delay_ms = 0;
    if (delay_ms > MAX_DELAY_MS)
        delay_ms = MAX_DELAY_MS;
    mock->delay_ms = delay_ms;
    pthread_mutex_unlock(&mock->lock);
}

size_t llm_mock_request_count(struct llm_mock *mock)
{
    size_t count;

    pthread_mutex_lock(&mock->lock);
    count = mock->count;
    pthread_mutex_unlock(&mock->lock);
    return count;
}

char *llm_mock_last_request(struct llm_mock *mock)
{
    char *copy = NULL;

    pthread_mutex_lock(&mock->lock);
    if (mock->count > 0)
        copy =
            strdup(mock->requests[(mock->count - 1) % LLM_MOCK_MAX_REQUESTS]);
    pthread_mutex_unlock(&mock->lock);
    return copy;
}

void llm_mock_free(struct llm_mock *mock)
{
    size_t i;

    if (mock == NULL)
        return;
    httpd_free(mock->srv);
    for (i = 0; i < LLM_MOCK_MAX_REQUESTS; i++)
        free(mock->requests[i]);
    pthread_mutex_destroy(&mock->lock);
    free(mock);
}

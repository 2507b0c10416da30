/* httpc.c - a blocking HTTP client on libcurl. */
#include "hito/httpc.h"
#include "hito/log.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "X-Request-Id: " and a request id of up to 128 bytes. */
#define HTTPC_REQUEST_ID_HEADER_MAX 160
/* Headers kept from one response; further ones are dropped. */
#define HTTPC_MAX_HEADERS 128

struct transfer {
    struct httpc_response *res;
    size_t capacity;             /* bytes allocated for res->body */
    int over_limit;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;
/* Each thread's easy handle, kept so its connection cache reuses connections. */
static pthread_key_t handle_key;

static void free_handle(void *handle)
{
    curl_easy_cleanup(handle);
}

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (curl_init_result == CURLE_OK && pthread_key_create(&handle_key, free_handle) != 0)
        curl_init_result = CURLE_FAILED_INIT;
}

/* Returns the calling thread's handle with its options reset; NULL when out of memory. */
static CURL *thread_handle(void)
{
    CURL *curl = pthread_getspecific(handle_key);

    if (curl != NULL) {
        curl_easy_reset(curl);
        return curl;
    }
    curl = curl_easy_init();
    if (curl != NULL && pthread_setspecific(handle_key, curl) != 0) {
        curl_easy_cleanup(curl);
        return NULL;
    }
    return curl;
}

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
    struct transfer *t = user;
    struct httpc_response *res = t->res;
    size_t len = size * count;
    char *grown;

    if (res->body_len + len > HTTPC_MAX_BODY) {
        t->over_limit = 1;
        return 0;
    }
    if (res->body_len + len + 1 > t->capacity) {
        /* Doubling keeps the copying linear in the body size. */
        size_t capacity = t->capacity ? t->capacity : 4096;

        while (capacity < res->body_len + len + 1)
            capacity *= 2;
        grown = realloc(res->body, capacity);
        if (grown == NULL)
            return 0;
        res->body = grown;
        t->capacity = capacity;
    }
    memcpy(res->body + res->body_len, data, len);
    res->body_len += len;
    res->body[res->body_len] = '\0';
    return len;
}

static void clear_headers(struct httpc_response *res)
{
    size_t i;

    for (i = 0; i < res->header_count; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    free(res->headers);
    res->headers = NULL;
    res->header_count = 0;
}

/* Copies data[0..len) without the surrounding blanks and line end. */
static char *trimmed_copy(const char *data, size_t len)
{
    while (len > 0 && (data[0] == ' ' || data[0] == '\t')) {
        data++;
        len--;
    }
    while (len > 0 && strchr(" \t\r\n", data[len - 1]) != NULL)
        len--;
    return strndup(data, len);
}

/*
 * Stores one header line. A status line starts a new response (after a
 * redirect or a 100 Continue), so only the final response's headers stay.
 */
static size_t on_header(char *data, size_t size, size_t count, void *user)
{
    struct transfer *t = user;
    struct httpc_response *res = t->res;
    size_t len = size * count;
    const char *colon = memchr(data, ':', len);
    struct httpc_header *grown;
    struct httpc_header *header;

    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        clear_headers(res);
        return len;
    }
    if (colon == NULL)
        return len;
    if (res->header_count == HTTPC_MAX_HEADERS)
        return len;
    grown = realloc(res->headers, (res->header_count + 1) * sizeof(*grown));
    if (grown == NULL)
        return 0;
    res->headers = grown;
    header = &res->headers[res->header_count];
    header->name = trimmed_copy(data, (size_t)(colon - data));
    header->value = trimmed_copy(colon + 1, len - (size_t)(colon - data) - 1);
    if (header->name == NULL || header->value == NULL) {
        free(header->name);
        free(header->value);
        return 0;
    }
    res->header_count++;
    return len;
}

static int map_curl_error(CURLcode code, const struct transfer *t)
{
    if (t->over_limit)
        return HITO_ERR_LIMIT;
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return HITO_ERR_TIMEOUT;
    case CURLE_OUT_OF_MEMORY:
        return HITO_ERR_NOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return HITO_ERR_INVALID;
    case CURLE_WEIRD_SERVER_REPLY:
        return HITO_ERR_PROTOCOL;
    default:
        return HITO_ERR_IO;
    }
}

/* Appends line to *list; returns -1 when out of memory (the list is then freed). */
static int append_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *next = curl_slist_append(*list, line);

    if (next == NULL) {
        curl_slist_free_all(*list);
        *list = NULL;
        return -1;
    }
    *list = next;
    return 0;
}

/*
 * Builds the header list: the caller's headers, plus X-Request-Id with the
 * calling thread's request id unless the caller set one. Sets *failed when
 * out of memory.
 */
static struct curl_slist *build_headers(const struct httpc_request *req, int *failed)
{
    char request_id[HTTPC_REQUEST_ID_HEADER_MAX];
    struct curl_slist *list = NULL;
    const char *const *h;
    int has_request_id = 0;

    *failed = 0;
    for (h = req->headers; h != NULL && *h != NULL; h++) {
        if (strncasecmp(*h, "X-Request-Id:", 13) == 0)
            has_request_id = 1;
        if (append_header(&list, *h) != 0) {
            *failed = 1;
            return NULL;
        }
    }
    if (!has_request_id && log_request_id() != NULL) {
        snprintf(request_id, sizeof(request_id), "X-Request-Id: %s", log_request_id());
        if (append_header(&list, request_id) != 0)
            *failed = 1;
    }
    return list;
}

static void set_options(CURL *curl, const struct httpc_request *req, struct transfer *t,
                        struct curl_slist *headers, char *error_text)
{
    const char *method = req->method ? req->method : "GET";
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : HTTPC_DEFAULT_TIMEOUT_MS;

    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (req->follow_redirects) {
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    }
    if (req->basic_user != NULL) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, req->basic_user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD,
                         req->basic_password ? req->basic_password : "");
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    else if (req->body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    else if (strcmp(method, "GET") == 0 && req->body != NULL)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "GET");
}

int httpc_do(const struct httpc_request *req, struct httpc_response *res,
             struct hito_error *err)
{
    char error_text[CURL_ERROR_SIZE] = "";
    struct transfer t = {res, 0, 0};
    struct curl_slist *headers = NULL;
    CURL *curl = NULL;
    CURLcode code;
    double total = 0;
    int headers_failed = 0;
    int rc = HITO_OK;

    memset(res, 0, sizeof(*res));
    pthread_once(&curl_once, init_curl);
    if (curl_init_result != CURLE_OK)
        return hito_error_set(err, HITO_ERR_IO, "%s: curl_global_init failed", req->url);
    curl = thread_handle();
    headers = build_headers(req, &headers_failed);
    if (curl == NULL || headers_failed) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "%s: out of memory", req->url);
        goto out;
    }
    set_options(curl, req, &t, headers, error_text);
    code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
        rc = map_curl_error(code, &t);
        if (rc == HITO_ERR_LIMIT)
            hito_error_set(err, rc, "%s: response body larger than %d bytes", req->url,
                           HTTPC_MAX_BODY);
        else
            hito_error_set(err, rc, "%s: %s", req->url,
                           error_text[0] ? error_text : curl_easy_strerror(code));
        goto out;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &total);
    res->elapsed_ms = total * 1000.0;
    if (res->body == NULL) {
        res->body = calloc(1, 1);
        if (res->body == NULL)
            rc = hito_error_set(err, HITO_ERR_NOMEM, "%s: out of memory", req->url);
    }
out:
    if (curl != NULL) {
        /* The handle outlives this call: drop its pointers to this frame. */
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    }
    curl_slist_free_all(headers);
    return rc;
}

const char *httpc_response_header(const struct httpc_response *res, const char *name)
{
    size_t i;

    for (i = 0; i < res->header_count; i++) {
        if (strcasecmp(res->headers[i].name, name) == 0)
            return res->headers[i].value;
    }
    return NULL;
}

void httpc_response_free(struct httpc_response *res)
{
    if (res == NULL)
        return;
    clear_headers(res);
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
}

char *httpc_escape(const char *s)
{
    char *escaped;
    char *copy;

    pthread_once(&curl_once, init_curl);
    escaped = curl_easy_escape(NULL, s, 0);
    if (escaped == NULL)
        return NULL;
    copy = strdup(escaped);
    curl_free(escaped);
    return copy;
}

/* action.c - ZITADEL v1 Actions on duktape, one forked child per run. */
#include "action.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <duktape.h>

/*
 * Builds ctx and api around the JSON inputs, calls the named function and
 * returns JSON.stringify({claims, logs}). Reserved claims (iss, sub, ...,
 * urn:zitadel:iam:*) are kept out as ZITADEL keeps them out.
 */
static const char prelude[] =
    "(function (name, ctxJson, existingJson, maxLogs) {\n"
    "  var v1 = JSON.parse(ctxJson);\n"
    "  var existing = JSON.parse(existingJson);\n"
    "  var added = {};\n"
    "  var logs = [];\n"
    "  var reserved = /^(iss|sub|aud|exp|iat|nbf|jti|azp|auth_time|nonce|urn:zitadel:iam:.*)$/;\n"
    "  var api = { v1: { claims: {\n"
    "    setClaim: function (key, value) {\n"
    "      if (typeof key !== 'string' || reserved.test(key)) return;\n"
    "      if (existing.hasOwnProperty(key) || added.hasOwnProperty(key)) return;\n"
    "      added[key] = value;\n"
    "    },\n"
    "    appendLogIntoClaims: function (text) {\n"
    "      if (logs.length < maxLogs) logs.push(String(text));\n"
    "    }\n"
    "  } } };\n"
    "  v1.getUser = function () { return v1.user; };\n"
    "  var fn = this[name];\n"
    "  if (typeof fn !== 'function') throw new Error('function ' + name + ' is not defined');\n"
    "  fn({ v1: v1 }, api);\n"
    "  return JSON.stringify({ claims: added, logs: logs });\n"
    "})";

/* Writes all of buf to fd; used by the child only. */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Runs the script in the child; writes "ok <json>" or "error <message>". */
static int child_run(int fd, const char *name, const char *script, const char *ctx_json,
                     const char *existing_json)
{
    duk_context *duk = duk_create_heap_default();
    const char *result;
    int rc = 1;

    if (duk == NULL) {
        write_all(fd, "error out of memory", 19);
        return 1;
    }
    if (duk_peval_string(duk, script) != 0) {
        result = duk_safe_to_string(duk, -1);
        write_all(fd, "error ", 6);
        write_all(fd, result, strlen(result));
        goto out;
    }
    duk_pop(duk);
    if (duk_peval_string(duk, prelude) != 0) {
        write_all(fd, "error prelude failed", 20);
        goto out;
    }
    duk_push_global_object(duk);
    duk_push_string(duk, name);
    duk_push_string(duk, ctx_json);
    duk_push_string(duk, existing_json);
    duk_push_int(duk, ACTION_MAX_LOGS);
    if (duk_pcall_method(duk, 4) != 0) {
        result = duk_safe_to_string(duk, -1);
        write_all(fd, "error ", 6);
        write_all(fd, result, strlen(result));
        goto out;
    }
    result = duk_safe_to_string(duk, -1);
    write_all(fd, "ok ", 3);
    write_all(fd, result, strlen(result));
    rc = 0;
out:
    duk_destroy_heap(duk);
    return rc;
}

static double monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the child's output until EOF or the deadline; returns -1 on timeout. */
static int read_output(int fd, char *buf, size_t size, size_t *len, double deadline)
{
    *len = 0;
    for (;;) {
        double left = deadline - monotonic_s();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (left <= 0)
            return -1;
        if (poll(&pfd, 1, (int)(left * 1000) + 1) == 0)
            continue;
        n = read(fd, buf + *len, size - 1 - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        *len += (size_t)n;
        if (*len == size - 1)
            break;
    }
    buf[*len] = '\0';
    return 0;
}

/* Turns the child's "ok {claims, logs}" into the claims object. */
static int parse_output(const char *name, const char *out, json_t **claims,
                        struct hito_error *err)
{
    json_t *doc;
    json_t *logs;
    char key[256];

    if (strncmp(out, "error ", 6) == 0)
        return hito_error_set(err, HITO_ERR_INVALID, "action %s failed: %s", name, out + 6);
    if (strncmp(out, "ok ", 3) != 0)
        return hito_error_set(err, HITO_ERR_IO, "action %s ended without a result", name);
    doc = json_loads(out + 3, 0, NULL);
    if (!json_is_object(json_object_get(doc, "claims"))) {
        json_decref(doc);
        return hito_error_set(err, HITO_ERR_INVALID, "action %s returned malformed claims",
                              name);
    }
    *claims = json_incref(json_object_get(doc, "claims"));
    logs = json_object_get(doc, "logs");
    if (json_array_size(logs) > 0) {
        snprintf(key, sizeof(key), "urn:zitadel:iam:action:%s:log", name);
        json_object_set(*claims, key, logs);
    }
    json_decref(doc);
    return HITO_OK;
}

int action_run(const char *name, const char *script, double timeout_s, const json_t *ctx_v1,
               const json_t *existing, json_t **claims, struct hito_error *err)
{
    char *ctx_json = json_dumps(ctx_v1, JSON_COMPACT | JSON_ENCODE_ANY);
    char *existing_json = json_dumps(existing, JSON_COMPACT);
    char *out = malloc(ACTION_MAX_OUTPUT);
    int fds[2] = {-1, -1};
    size_t len;
    pid_t pid;
    int status;
    int rc;

    *claims = NULL;
    if (ctx_json == NULL || existing_json == NULL || out == NULL) {
        rc = hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (timeout_s <= 0 || timeout_s > ACTION_MAX_TIMEOUT_S)
        timeout_s = ACTION_MAX_TIMEOUT_S;
    if (pipe(fds) < 0) {
        rc = hito_error_set(err, HITO_ERR_IO, "pipe: %s", strerror(errno));
        goto out;
    }
    pid = fork();
    if (pid < 0) {
        rc = hito_error_set(err, HITO_ERR_IO, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        close(fds[0]);
        _exit(child_run(fds[1], name, script, ctx_json, existing_json));
    }
    close(fds[1]);
    fds[1] = -1;
    if (read_output(fds[0], out, ACTION_MAX_OUTPUT, &len, monotonic_s() + timeout_s) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        rc = hito_error_set(err, HITO_ERR_TIMEOUT, "action %s ran longer than %.1f s", name,
                            timeout_s);
        goto out;
    }
    waitpid(pid, &status, 0);
    rc = parse_output(name, out, claims, err);
out:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    free(ctx_json);
    free(existing_json);
    free(out);
    return rc;
}

#include "scenario.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "hito/err.h"
#include "redact.h"
#include "scenario_run.h"
#include "strbuf.h"
#include "target.h"

/* Maximum length of a recorded note, check message, expected or actual value. */
#define SCENARIO_TEXT_MAX 2048
/* Maximum number of request or response header lines kept in an exchange record. */
#define SCENARIO_MAX_HEADER_LINES 40

struct owned {
    void *ptr;
    void (*free)(void *ptr);
};

struct scenario_ctx {
    const struct scenario *scenario;
    struct target *target;
    struct scenario_result *result;
    double started_ms;
    double deadline_ms;
    jmp_buf stop;
    struct {
        void (*fn)(void *);
        void *arg;
    } deferred[SCENARIO_MAX_DEFERRED];
    size_t deferred_count;
    struct owned *owned;
    size_t owned_count;
};

double scenario_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* --- Text cleaning ----------------------------------------------------- */

static void append_valid_utf8(struct strbuf *out, const char *text, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    size_t i = 0;

    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);

        if (n <= 0 || cp == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') ||
            cp == 0x7f || (cp >= 0xfffe && cp <= 0xffff)) {
            /* Invalid UTF-8, NUL, control characters and the two
             * non-characters XML 1.0 forbids become '?'. */
            strbuf_putc(out, text[i] == '\r' ? ' ' : '?');
            i += n > 0 ? (size_t)n : 1;
            continue;
        }
        strbuf_append(out, text + i, (size_t)n);
        i += (size_t)n;
    }
}

char *scenario_clean_text(const struct target *t, const char *text, size_t len,
                          size_t max)
{
    struct strbuf out;
    char *clean, *redacted;
    size_t keep = len;

    if (!text)
        return NULL;
    if (keep > max) {
        keep = max;
        /* Do not cut a UTF-8 sequence in two. */
        while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
            keep--;
    }
    strbuf_init(&out);
    append_valid_utf8(&out, text, keep);
    if (keep < len)
        strbuf_printf(&out, "\n[... %zu more bytes not recorded]", len - keep);
    clean = strbuf_take(&out);
    if (!clean)
        return NULL;
    redacted = redactor_apply(t ? t->redactor : NULL, clean);
    free(clean);
    return redacted;
}

static char *clean(struct scenario_ctx *ctx, const char *text, size_t max)
{
    return text ? scenario_clean_text(ctx->target, text, strlen(text), max)
                : NULL;
}

static char *vformat(const char *fmt, va_list ap)
{
    char buf[SCENARIO_TEXT_MAX];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    return strdup(buf);
}

/* --- Recording --------------------------------------------------------- */

static struct step *current_step(struct scenario_ctx *ctx)
{
    struct scenario_result *r = ctx->result;

    if (r->step_count == 0)
        step_begin(ctx, "Start");
    return r->step_count ? &r->steps[r->step_count - 1] : NULL;
}

static struct event *add_event(struct scenario_ctx *ctx, enum event_kind kind)
{
    struct step *step = current_step(ctx);
    struct event *ev;

    if (!step)
        return NULL;
    if (step->event_count == RESULT_MAX_EVENTS) {
        step->dropped_events++;
        return NULL;
    }
    ev = &step->events[step->event_count++];
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    return ev;
}

static void end_step(struct scenario_ctx *ctx)
{
    struct scenario_result *r = ctx->result;
    struct step *step;

    if (r->step_count == 0)
        return;
    step = &r->steps[r->step_count - 1];
    step->duration_ms = scenario_now_ms() - ctx->started_ms - step->offset_ms;
}

void step_begin(struct scenario_ctx *ctx, const char *fmt, ...)
{
    struct scenario_result *r = ctx->result;
    struct step *step;
    va_list ap;
    char *title;

    end_step(ctx);
    if (r->step_count == RESULT_MAX_STEPS) {
        r->dropped_steps++;
        return;
    }
    va_start(ap, fmt);
    title = vformat(fmt, ap);
    va_end(ap);
    step = &r->steps[r->step_count];
    memset(step, 0, sizeof(*step));
    step->events = calloc(RESULT_MAX_EVENTS, sizeof(struct event));
    if (!step->events) {
        free(title);
        return;
    }
    step->title =
        clean(ctx, title ? title : "(out of memory)", SCENARIO_TEXT_MAX);
    free(title);
    step->offset_ms = scenario_now_ms() - ctx->started_ms;
    step->outcome = OUTCOME_PASS;
    r->step_count++;
}

void scenario_note(struct scenario_ctx *ctx, const char *fmt, ...)
{
    struct event *ev = add_event(ctx, EVENT_NOTE);
    va_list ap;
    char *text;

    if (!ev)
        return;
    va_start(ap, fmt);
    text = vformat(fmt, ap);
    va_end(ap);
    ev->text = clean(ctx, text, SCENARIO_TEXT_MAX);
    free(text);
}

void scenario_record(struct scenario_ctx *ctx, const char *summary,
                     const char *sent, const char *received, double elapsed_ms)
{
    struct event *ev = add_event(ctx, EVENT_EXCHANGE);

    if (!ev)
        return;
    ev->text = clean(ctx, summary ? summary : "exchange", SCENARIO_TEXT_MAX);
    ev->sent = clean(ctx, sent, SCENARIO_EXCERPT_MAX);
    ev->received = clean(ctx, received, SCENARIO_EXCERPT_MAX);
    ev->elapsed_ms = elapsed_ms;
}

void scenario_figure(struct scenario_ctx *ctx, const char *name, double value,
                     const char *unit)
{
    struct scenario_result *r = ctx->result;
    struct figure *fig;

    if (!isfinite(value))
        scenario_fail(ctx, "figure %s is not a finite number", name);
    scenario_note(ctx, "figure: %s = %g%s%s", name, value,
                  unit && *unit ? " " : "", unit ? unit : "");
    if (!r->figures) {
        r->figures = calloc(RESULT_MAX_FIGURES, sizeof(*r->figures));
        if (!r->figures)
            scenario_fail(ctx, "out of memory recording figure %s", name);
    }
    if (r->figure_count == RESULT_MAX_FIGURES) {
        r->dropped_figures++;
        return;
    }
    fig = &r->figures[r->figure_count];
    fig->name = clean(ctx, name, SCENARIO_TEXT_MAX);
    fig->unit = clean(ctx, unit ? unit : "", SCENARIO_TEXT_MAX);
    if (!fig->name || !fig->unit) {
        free(fig->name);
        free(fig->unit);
        memset(fig, 0, sizeof(*fig));
        scenario_fail(ctx, "out of memory recording figure %s", name);
    }
    fig->value = value;
    r->figure_count++;
}

/* Ends the scenario with outcome and message; does not return. */
static _Noreturn void stop(struct scenario_ctx *ctx, enum outcome outcome,
                           const char *location, const char *message)
{
    struct scenario_result *r = ctx->result;
    struct step *step = current_step(ctx);

    if (step && outcome == OUTCOME_FAIL)
        step->outcome = OUTCOME_FAIL;
    if (step && outcome == OUTCOME_SKIP)
        step->outcome = OUTCOME_SKIP;
    r->outcome = outcome;
    free(r->message);
    r->message = clean(ctx, message, SCENARIO_TEXT_MAX);
    free(r->location);
    r->location = location ? strdup(location) : NULL;
    longjmp(ctx->stop, 1);
}

_Noreturn void scenario_fail(struct scenario_ctx *ctx, const char *fmt, ...)
{
    char message[SCENARIO_TEXT_MAX];
    struct event *ev;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    ev = add_event(ctx, EVENT_CHECK);
    if (ev)
        ev->text = clean(ctx, message, SCENARIO_TEXT_MAX);
    stop(ctx, OUTCOME_FAIL, NULL, message);
}

_Noreturn void scenario_skip(struct scenario_ctx *ctx, const char *fmt, ...)
{
    char message[SCENARIO_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    scenario_note(ctx, "skipped: %s", message);
    stop(ctx, OUTCOME_SKIP, NULL, message);
}

void scenario_defer(struct scenario_ctx *ctx, void (*fn)(void *), void *arg)
{
    if (ctx->deferred_count == SCENARIO_MAX_DEFERRED) {
        fn(arg);
        scenario_fail(ctx, "more than %d deferred clean-ups in one scenario",
                      SCENARIO_MAX_DEFERRED);
    }
    ctx->deferred[ctx->deferred_count].fn = fn;
    ctx->deferred[ctx->deferred_count].arg = arg;
    ctx->deferred_count++;
}

/* Keeps ptr until the scenario ends; fails the scenario past the bound. */
static void own(struct scenario_ctx *ctx, void *ptr, void (*fn)(void *))
{
    if (ctx->owned_count == SCENARIO_MAX_OWNED) {
        fn(ptr);
        scenario_fail(
            ctx, "a scenario may hold at most %d responses and values at once",
            SCENARIO_MAX_OWNED);
    }
    ctx->owned[ctx->owned_count].ptr = ptr;
    ctx->owned[ctx->owned_count].free = fn;
    ctx->owned_count++;
}

void *scenario_alloc(struct scenario_ctx *ctx, size_t size)
{
    void *ptr = calloc(1, size ? size : 1);

    if (!ptr)
        scenario_fail(ctx, "out of memory allocating %zu bytes", size);
    own(ctx, ptr, free);
    return ptr;
}

static char *own_string(struct scenario_ctx *ctx, char *s)
{
    if (!s)
        scenario_fail(ctx, "out of memory");
    own(ctx, s, free);
    return s;
}

/* --- Settings ---------------------------------------------------------- */

const char *scenario_setting(struct scenario_ctx *ctx, const char *key)
{
    return target_get(ctx->target, key);
}

const char *scenario_require(struct scenario_ctx *ctx, const char *key)
{
    const char *value = target_get(ctx->target, key);

    if (!value || !*value)
        scenario_fail(ctx, "setting %s is missing from target %s (files: %s%s)",
                      key, ctx->target->name,
                      ctx->target->file_count ? ctx->target->files[0] : "none",
                      ctx->target->file_count > 1 ? " and others" : "");
    return value;
}

long scenario_require_int(struct scenario_ctx *ctx, const char *key, long min,
                          long max)
{
    const char *value = scenario_require(ctx, key);
    char *end;
    long n;

    n = strtol(value, &end, 10);
    if (*end != '\0' || end == value || n < min || n > max)
        scenario_fail(
            ctx,
            "setting %s=\"%s\" of target %s is not an integer in [%ld, %ld]",
            key, value, ctx->target->name, min, max);
    return n;
}

const char *scenario_host(struct scenario_ctx *ctx, const char *name)
{
    char key[128];
    const char *host;

    snprintf(key, sizeof(key), "%s_HOST", name);
    host = target_get(ctx->target, key);
    if (host && *host)
        return host;
    return scenario_require(ctx, "HITO_HOST");
}

const char *scenario_url(struct scenario_ctx *ctx, const char *name)
{
    char key[128], url[512];
    const char *value, *host;
    long port;

    snprintf(key, sizeof(key), "%s_URL", name);
    value = target_get(ctx->target, key);
    if (value && *value)
        return value;
    host = scenario_host(ctx, name);
    snprintf(key, sizeof(key), "%s_PORT", name);
    port = scenario_require_int(ctx, key, 1, 65535);
    if (strchr(host, ':'))
        snprintf(url, sizeof(url), "http://[%s]:%ld", host, port);
    else
        snprintf(url, sizeof(url), "http://%s:%ld", host, port);
    return own_string(ctx, strdup(url));
}

int scenario_target_is_local(const struct scenario_ctx *ctx)
{
    return ctx->target->kind == TARGET_LOCAL;
}

const char *scenario_run_dir(const struct scenario_ctx *ctx)
{
    return ctx->target->kind == TARGET_LOCAL ? ctx->target->run_dir : NULL;
}

void scenario_each_setting(struct scenario_ctx *ctx,
                           void (*fn)(const char *key, const char *value,
                                      void *arg),
                           void *arg)
{
    for (size_t i = 0; i < ctx->target->key_count; i++)
        fn(ctx->target->keys[i], target_get(ctx->target, ctx->target->keys[i]),
           arg);
}

/* --- Time -------------------------------------------------------------- */

long scenario_remaining_ms(const struct scenario_ctx *ctx)
{
    double left = ctx->deadline_ms - scenario_now_ms();

    return left < 1 ? 1 : (long)left;
}

void scenario_check_deadline(struct scenario_ctx *ctx)
{
    if (scenario_now_ms() >= ctx->deadline_ms)
        scenario_fail(
            ctx, "scenario %s timed out after %ld ms", ctx->scenario->name,
            ctx->scenario->timeout_ms ? ctx->scenario->timeout_ms
                                      : (long)SCENARIO_DEFAULT_TIMEOUT_MS);
}

static void sleep_ms(double ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
    nanosleep(&ts, NULL);
}

struct scenario_poll scenario_poll_start(struct scenario_ctx *ctx,
                                         const char *what, long timeout_ms,
                                         long interval_ms)
{
    struct scenario_poll poll;

    memset(&poll, 0, sizeof(poll));
    poll.what = what;
    poll.timeout_ms = timeout_ms;
    poll.interval_ms = interval_ms > 0 ? interval_ms : 100;
    poll.started_ms = scenario_now_ms();
    scenario_note(ctx, "waiting up to %ld ms, every %ld ms: %s", timeout_ms,
                  poll.interval_ms, what);
    poll.step = ctx->result->step_count ? ctx->result->step_count - 1 : 0;
    return poll;
}

/*
 * Keeps the first attempt's events and drops those of the attempt that
 * just ended, so a long wait does not fill the step with repeats. The
 * latest attempt's events follow a note that counts the dropped ones.
 */
static void collapse_attempts(struct scenario_ctx *ctx,
                              struct scenario_poll *poll)
{
    struct scenario_result *r = ctx->result;
    struct step *step;

    if (r->step_count == 0 || r->step_count - 1 != poll->step)
        return; /* a new step began inside the loop: keep everything */
    step = &r->steps[poll->step];
    if (poll->attempts == 1) {
        poll->first_end = step->event_count;
        return;
    }
    while (step->event_count > poll->first_end)
        event_clear(&step->events[--step->event_count]);
    scenario_note(
        ctx,
        "%d attempts after the first are not shown; the latest one follows",
        poll->attempts - 1);
}

int scenario_poll_next(struct scenario_ctx *ctx, struct scenario_poll *poll)
{
    double now = scenario_now_ms(),
           deadline = poll->started_ms + (double)poll->timeout_ms;

    if (poll->attempts > 0) {
        double wake = now + (double)poll->interval_ms;

        if (wake > deadline)
            wake = deadline;
        if (wake > ctx->deadline_ms)
            wake = ctx->deadline_ms;
        sleep_ms(wake - now);
        now = scenario_now_ms();
        if (now >= deadline || now >= ctx->deadline_ms)
            scenario_fail(
                ctx, "%s: not reached after %.0f ms (%d attempts): %s",
                poll->what, now - poll->started_ms, poll->attempts,
                poll->reason[0] ? poll->reason : "no reason recorded");
        collapse_attempts(ctx, poll);
    }
    poll->attempts++;
    return 1;
}

void scenario_poll_reason(struct scenario_poll *poll, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(poll->reason, sizeof(poll->reason), fmt, ap);
    va_end(ap);
}

/* --- HTTP -------------------------------------------------------------- */

static void append_excerpt(struct strbuf *sb, const char *body, size_t len)
{
    if (!body || len == 0)
        return;
    strbuf_puts(sb, "\n\n");
    /* Cut here already so a large body is not copied whole; the cleaning
     * step notes the cut. */
    strbuf_append(sb, body,
                  len > SCENARIO_EXCERPT_MAX ? SCENARIO_EXCERPT_MAX : len);
    if (len > SCENARIO_EXCERPT_MAX)
        strbuf_printf(sb, "\n[... %zu more bytes not recorded]",
                      len - SCENARIO_EXCERPT_MAX);
}

static void record_http(struct scenario_ctx *ctx,
                        const struct httpc_request *req,
                        const struct httpc_response *res, const char *failure,
                        double ms)
{
    const char *method = req->method ? req->method : "GET";
    struct strbuf summary, sent, received;
    char *s, *q, *r;

    strbuf_init(&summary);
    strbuf_init(&sent);
    strbuf_init(&received);
    if (failure)
        strbuf_printf(&summary, "%s %s -> %s", method, req->url, failure);
    else
        strbuf_printf(&summary, "%s %s -> %ld", method, req->url, res->status);
    strbuf_printf(&sent, "%s %s", method, req->url);
    for (size_t i = 0;
         req->headers && req->headers[i] && i < SCENARIO_MAX_HEADER_LINES; i++)
        strbuf_printf(&sent, "\n%s", req->headers[i]);
    if (req->basic_user)
        strbuf_puts(&sent, "\nAuthorization: Basic (user and password set)");
    append_excerpt(&sent, req->body, req->body ? req->body_len : 0);
    if (failure) {
        strbuf_puts(&received, failure);
    } else {
        strbuf_printf(&received, "HTTP %ld", res->status);
        for (size_t i = 0;
             i < res->header_count && i < SCENARIO_MAX_HEADER_LINES; i++)
            strbuf_printf(&received, "\n%s: %s", res->headers[i].name,
                          res->headers[i].value);
        append_excerpt(&received, res->body, res->body_len);
    }
    s = strbuf_take(&summary);
    q = strbuf_take(&sent);
    r = strbuf_take(&received);
    scenario_record(ctx, s, q, r, ms);
    free(s);
    free(q);
    free(r);
}

static void free_response(void *ptr)
{
    httpc_response_free(ptr);
    free(ptr);
}

const struct httpc_response *http_try(struct scenario_ctx *ctx,
                                      const struct httpc_request *req,
                                      char *reason, size_t reason_size)
{
    struct httpc_request capped = *req;
    struct httpc_response *res;
    struct hito_error err = { 0 };
    long left = scenario_remaining_ms(ctx);
    double started;
    int rc;

    scenario_check_deadline(ctx);
    if (capped.timeout_ms <= 0 || capped.timeout_ms > left)
        capped.timeout_ms =
            capped.timeout_ms <= 0 && left > HTTPC_DEFAULT_TIMEOUT_MS
                ? HTTPC_DEFAULT_TIMEOUT_MS
                : left;
    res = calloc(1, sizeof(*res));
    if (!res)
        scenario_fail(ctx, "out of memory");
    started = scenario_now_ms();
    rc = httpc_do(&capped, res, &err);
    if (rc != HITO_OK) {
        record_http(ctx, req, NULL,
                    err.message[0] ? err.message : hito_strerror(rc),
                    scenario_now_ms() - started);
        if (reason && reason_size)
            snprintf(reason, reason_size, "%s",
                     err.message[0] ? err.message : hito_strerror(rc));
        free_response(res);
        return NULL;
    }
    record_http(ctx, req, res, NULL, scenario_now_ms() - started);
    own(ctx, res, free_response);
    return res;
}

const struct httpc_response *http_request(struct scenario_ctx *ctx,
                                          const struct httpc_request *req)
{
    char reason[HITO_ERROR_MESSAGE_MAX];
    const struct httpc_response *res =
        http_try(ctx, req, reason, sizeof(reason));

    if (!res)
        scenario_fail(ctx, "%s %s failed: %s",
                      req->method ? req->method : "GET", req->url, reason);
    return res;
}

const struct httpc_response *http_get(struct scenario_ctx *ctx,
                                      const char *base, const char *path)
{
    struct httpc_request req = { 0 };
    char *url;
    size_t len = strlen(base) + strlen(path) + 1;

    url = own_string(ctx, malloc(len));
    snprintf(url, len, "%s%s", base, path);
    req.url = url;
    return http_request(ctx, &req);
}

static void free_json(void *ptr)
{
    json_decref(ptr);
}

json_t *scenario_json(struct scenario_ctx *ctx,
                      const struct httpc_response *res)
{
    json_error_t jerr;
    json_t *root =
        json_loadb(res->body ? res->body : "", res->body_len, 0, &jerr);

    if (!root)
        scenario_fail(
            ctx, "response body is not valid JSON: %s (line %d, column %d)",
            jerr.text, jerr.line, jerr.column);
    own(ctx, root, free_json);
    return root;
}

json_t *scenario_json_path(json_t *root, const char *path)
{
    char segment[256];
    const char *p = path;

    while (root && *p) {
        size_t len = strcspn(p, ".");
        char *end;

        if (len >= sizeof(segment))
            return NULL;
        memcpy(segment, p, len);
        segment[len] = '\0';
        if (json_is_array(root)) {
            unsigned long index = strtoul(segment, &end, 10);

            root =
                (*end == '\0' && len > 0) ? json_array_get(root, index) : NULL;
        } else {
            root = json_object_get(root, segment);
        }
        p += len;
        if (*p == '.')
            p++;
    }
    return root;
}

/* --- Checks ------------------------------------------------------------ */

/* Records a check; a failed one stops the scenario. */
static void check(struct scenario_ctx *ctx, const char *file, int line,
                  int passed, const char *text, const char *expected,
                  const char *actual)
{
    struct event *ev = add_event(ctx, EVENT_CHECK);
    char location[256], message[SCENARIO_TEXT_MAX];

    snprintf(location, sizeof(location), "%s:%d", file, line);
    if (ev) {
        ev->passed = passed;
        ev->text = clean(ctx, text, SCENARIO_TEXT_MAX);
        ev->expected = clean(ctx, expected, SCENARIO_TEXT_MAX);
        ev->actual = clean(ctx, actual, SCENARIO_TEXT_MAX);
        ev->location = strdup(location);
    }
    if (passed)
        return;
    if (expected)
        snprintf(message, sizeof(message), "%s: expected %s, got %s", text,
                 expected, actual ? actual : "nothing");
    else
        snprintf(message, sizeof(message), "%s", text);
    stop(ctx, OUTCOME_FAIL, location, message);
}

void expect_true_at(struct scenario_ctx *ctx, const char *file, int line,
                    int cond, const char *fmt, ...)
{
    char text[SCENARIO_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    check(ctx, file, line, cond, text, NULL, NULL);
}

void expect_int_eq_at(struct scenario_ctx *ctx, const char *file, int line,
                      const char *what, long long expected, long long actual)
{
    char e[32], a[32];

    snprintf(e, sizeof(e), "%lld", expected);
    snprintf(a, sizeof(a), "%lld", actual);
    check(ctx, file, line, expected == actual, what, e, a);
}

static void format_quoted(char *buf, size_t size, const char *s)
{
    if (s)
        snprintf(buf, size, "\"%s\"", s);
    else
        snprintf(buf, size, "nothing");
}

void expect_str_eq_at(struct scenario_ctx *ctx, const char *file, int line,
                      const char *what, const char *expected,
                      const char *actual)
{
    char e[SCENARIO_TEXT_MAX], a[SCENARIO_TEXT_MAX];
    int passed = expected && actual && strcmp(expected, actual) == 0;

    format_quoted(e, sizeof(e), expected);
    format_quoted(a, sizeof(a), actual);
    check(ctx, file, line, passed, what, e, a);
}

void expect_str_contains_at(struct scenario_ctx *ctx, const char *file,
                            int line, const char *what, const char *haystack,
                            const char *needle)
{
    char te[SCENARIO_TEXT_MAX], ta[SCENARIO_TEXT_MAX];
    int passed = haystack && needle && strstr(haystack, needle) != NULL;

    snprintf(te, sizeof(te), "text containing \"%s\"", needle ? needle : "");
    if (haystack)
        snprintf(ta, sizeof(ta), "\"%.*s%s\"", 300, haystack,
                 strlen(haystack) > 300 ? "..." : "");
    else
        snprintf(ta, sizeof(ta), "nothing");
    check(ctx, file, line, passed, what, te, ta);
}

void expect_http_status_at(struct scenario_ctx *ctx, const char *file, int line,
                           const struct httpc_response *res, long status)
{
    char what[64], e[32], a[SCENARIO_TEXT_MAX];

    snprintf(what, sizeof(what), "HTTP status");
    snprintf(e, sizeof(e), "%ld", status);
    if (res->status == status)
        snprintf(a, sizeof(a), "%ld", res->status);
    else
        snprintf(a, sizeof(a), "%ld with body \"%.*s%s\"", res->status, 200,
                 res->body ? res->body : "", res->body_len > 200 ? "..." : "");
    check(ctx, file, line, res->status == status, what, e, a);
}

static void describe_json(json_t *value, char *buf, size_t size)
{
    char *dump;

    if (!value) {
        snprintf(buf, size, "no value (path not found)");
        return;
    }
    dump = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, size, "%.*s%s", 300, dump ? dump : "?",
             dump && strlen(dump) > 300 ? "..." : "");
    free(dump);
}

void expect_json_str_at(struct scenario_ctx *ctx, const char *file, int line,
                        json_t *root, const char *path, const char *expected)
{
    json_t *value = scenario_json_path(root, path);
    char what[300], e[SCENARIO_TEXT_MAX], a[SCENARIO_TEXT_MAX];
    int passed = json_is_string(value) &&
                 strcmp(json_string_value(value), expected) == 0;

    snprintf(what, sizeof(what), "JSON %s", path);
    snprintf(e, sizeof(e), "\"%s\"", expected);
    describe_json(value, a, sizeof(a));
    check(ctx, file, line, passed, what, e, a);
}

void expect_json_int_at(struct scenario_ctx *ctx, const char *file, int line,
                        json_t *root, const char *path, long long expected)
{
    json_t *value = scenario_json_path(root, path);
    char what[300], e[32], a[SCENARIO_TEXT_MAX];
    int passed =
        json_is_integer(value) && json_integer_value(value) == expected;

    snprintf(what, sizeof(what), "JSON %s", path);
    snprintf(e, sizeof(e), "%lld", expected);
    describe_json(value, a, sizeof(a));
    check(ctx, file, line, passed, what, e, a);
}

json_t *expect_json_array_at(struct scenario_ctx *ctx, const char *file,
                             int line, json_t *root, const char *path,
                             size_t min_size)
{
    json_t *value = scenario_json_path(root, path);
    char what[300], e[64], a[SCENARIO_TEXT_MAX];
    int passed = json_is_array(value) && json_array_size(value) >= min_size;

    snprintf(what, sizeof(what), "JSON %s", path);
    snprintf(e, sizeof(e), "an array of at least %zu items", min_size);
    if (json_is_array(value))
        snprintf(a, sizeof(a), "an array of %zu items", json_array_size(value));
    else
        describe_json(value, a, sizeof(a));
    check(ctx, file, line, passed, what, e, a);
    return value;
}

void expect_ok_at(struct scenario_ctx *ctx, const char *file, int line,
                  const char *what, int rc, const struct hito_error *err)
{
    char a[SCENARIO_TEXT_MAX];

    if (rc == HITO_OK)
        snprintf(a, sizeof(a), "success");
    else
        snprintf(a, sizeof(a), "%s: %s", hito_strerror(rc),
                 err && err->message[0] ? err->message : "no detail");
    check(ctx, file, line, rc == HITO_OK, what, "success", a);
}

/* --- Running ----------------------------------------------------------- */

static void finish(struct scenario_ctx *ctx)
{
    while (ctx->deferred_count > 0) {
        ctx->deferred_count--;
        ctx->deferred[ctx->deferred_count].fn(
            ctx->deferred[ctx->deferred_count].arg);
    }
    for (size_t i = ctx->owned_count; i > 0; i--)
        ctx->owned[i - 1].free(ctx->owned[i - 1].ptr);
    ctx->owned_count = 0;
}

static int copy_identity(const struct scenario *s, struct scenario_result *out)
{
    memset(out, 0, sizeof(*out));
    out->name = strdup(s->name);
    out->title = strdup(s->title ? s->title : s->name);
    out->tags = strdup(s->tags ? s->tags : "");
    out->steps = calloc(RESULT_MAX_STEPS, sizeof(struct step));
    if (!out->name || !out->title || !out->tags || !out->steps) {
        scenario_result_clear(out);
        return HITO_ERR_NOMEM;
    }
    return HITO_OK;
}

int scenario_execute(const struct scenario *s, struct target *t,
                     struct scenario_result *out)
{
    struct scenario_ctx *ctx;
    long timeout =
        s->timeout_ms > 0 ? s->timeout_ms : SCENARIO_DEFAULT_TIMEOUT_MS;

    if (copy_identity(s, out) != HITO_OK)
        return HITO_ERR_NOMEM;
    ctx = calloc(1, sizeof(*ctx));
    if (ctx)
        ctx->owned = calloc(SCENARIO_MAX_OWNED, sizeof(struct owned));
    if (!ctx || !ctx->owned) {
        free(ctx);
        scenario_result_clear(out);
        return HITO_ERR_NOMEM;
    }
    ctx->scenario = s;
    ctx->target = t;
    ctx->result = out;
    ctx->started_ms = scenario_now_ms();
    ctx->deadline_ms = ctx->started_ms + (double)timeout;
    out->outcome = OUTCOME_PASS;

    if (setjmp(ctx->stop) == 0) {
        s->run(ctx);
        if (scenario_now_ms() > ctx->deadline_ms)
            scenario_check_deadline(ctx);
    }
    /* A deferred clean-up that fails the scenario lands here again, and
     * finish() goes on with the clean-ups left. */
    (void)setjmp(ctx->stop);
    finish(ctx);
    end_step(ctx);
    out->duration_ms = scenario_now_ms() - ctx->started_ms;
    free(ctx->owned);
    free(ctx);
    return HITO_OK;
}

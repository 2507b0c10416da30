#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPORT_PATH_MAX 4096

void report_escape_xml(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            strbuf_puts(sb, "&amp;");
            break;
        case '<':
            strbuf_puts(sb, "&lt;");
            break;
        case '>':
            strbuf_puts(sb, "&gt;");
            break;
        case '"':
            strbuf_puts(sb, "&quot;");
            break;
        case '\'':
            strbuf_puts(sb, "&#39;");
            break;
        default:
            strbuf_putc(sb, *s);
        }
    }
}

void report_format_duration(double ms, char *buf, size_t size)
{
    if (ms < 1000)
        snprintf(buf, size, "%.0f ms", ms);
    else if (ms < 60000)
        snprintf(buf, size, "%.2f s", ms / 1000);
    else
        snprintf(buf, size, "%d min %d s", (int)(ms / 60000),
                 (int)(ms / 1000) % 60);
}

void report_format_figure(double value, char *buf, size_t size)
{
    snprintf(buf, size, "%.6g", value);
}

int report_mkdirs(const char *dir, struct hito_error *err)
{
    char path[REPORT_PATH_MAX];

    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
        return hito_error_set(err, HITO_ERR_INVALID, "path too long: %s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return hito_error_set(err, HITO_ERR_IO, "cannot create %s: %s",
                                  path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return hito_error_set(err, HITO_ERR_IO, "cannot create %s: %s", path,
                              strerror(errno));
    return HITO_OK;
}

int report_write_file(const char *path, const char *text,
                      struct hito_error *err)
{
    char tmp[REPORT_PATH_MAX];
    FILE *f;
    int ok;

    if (!text)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory rendering %s",
                              path);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f)
        return hito_error_set(err, HITO_ERR_IO, "cannot write %s: %s", tmp,
                              strerror(errno));
    ok = fputs(text, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return hito_error_set(err, HITO_ERR_IO, "cannot write %s: %s", path,
                              strerror(errno));
    }
    return HITO_OK;
}

/* --- JSON -------------------------------------------------------------- */

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *event_json(const struct event *ev)
{
    static const char *const kinds[] = { "note", "check", "exchange" };
    json_t *o = json_pack("{s:s, s:o}", "kind", kinds[ev->kind], "text",
                          string_or_null(ev->text));

    if (!o)
        return NULL;
    if (ev->kind == EVENT_CHECK) {
        json_object_set_new(o, "passed", json_boolean(ev->passed));
        json_object_set_new(o, "expected", string_or_null(ev->expected));
        json_object_set_new(o, "actual", string_or_null(ev->actual));
        json_object_set_new(o, "location", string_or_null(ev->location));
    } else if (ev->kind == EVENT_EXCHANGE) {
        json_object_set_new(o, "sent", string_or_null(ev->sent));
        json_object_set_new(o, "received", string_or_null(ev->received));
        json_object_set_new(o, "elapsed_ms", json_real(ev->elapsed_ms));
    }
    return o;
}

static json_t *step_json(const struct step *step)
{
    json_t *events = json_array();
    json_t *o;

    for (size_t i = 0; events && i < step->event_count; i++)
        json_array_append_new(events, event_json(&step->events[i]));
    o = json_pack("{s:o, s:s, s:f, s:f, s:o, s:I}", "title",
                  string_or_null(step->title), "outcome",
                  outcome_name(step->outcome), "offset_ms", step->offset_ms,
                  "duration_ms", step->duration_ms, "events",
                  events ? events : json_null(), "dropped_events",
                  (json_int_t)step->dropped_events);
    return o;
}

static json_t *figures_json(const struct scenario_result *sr)
{
    json_t *figures = json_array();

    for (size_t i = 0; figures && i < sr->figure_count; i++) {
        const struct figure *fig = &sr->figures[i];

        json_array_append_new(figures,
                              json_pack("{s:o, s:f, s:o}", "name",
                                        string_or_null(fig->name), "value",
                                        fig->value, "unit",
                                        string_or_null(fig->unit)));
    }
    return figures ? figures : json_null();
}

static json_t *scenario_json_of(const struct scenario_result *sr)
{
    json_t *steps = json_array();

    for (size_t i = 0; steps && i < sr->step_count; i++)
        json_array_append_new(steps, step_json(&sr->steps[i]));
    return json_pack(
        "{s:o, s:o, s:o, s:s, s:o, s:o, s:f, s:o, s:I, s:o, s:I}", "name",
        string_or_null(sr->name), "title", string_or_null(sr->title), "tags",
        string_or_null(sr->tags), "outcome", outcome_name(sr->outcome),
        "message", string_or_null(sr->message), "location",
        string_or_null(sr->location), "duration_ms", sr->duration_ms, "steps",
        steps ? steps : json_null(), "dropped_steps",
        (json_int_t)sr->dropped_steps, "figures", figures_json(sr),
        "dropped_figures", (json_int_t)sr->dropped_figures);
}

json_t *report_json(const struct run_result *run)
{
    json_t *scenarios = json_array();
    const char *outcome = outcome_name(run_outcome(run));

    for (size_t i = 0; scenarios && i < run->scenario_count; i++)
        json_array_append_new(scenarios, scenario_json_of(&run->scenarios[i]));
    return json_pack(
        "{s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:f, s:s, "
        "s:{s:I, s:I, s:I, s:I}, s:o, s:o}",
        "format", 1, "checkpoint", run->checkpoint, "title",
        string_or_null(run->title), "description",
        string_or_null(run->description), "target", string_or_null(run->target),
        "commit", string_or_null(run->commit), "started_at",
        string_or_null(run->started_at), "duration_ms", run->duration_ms,
        "outcome", outcome, "summary", "total", (json_int_t)run->scenario_count,
        "passed", (json_int_t)run->passed, "failed", (json_int_t)run->failed,
        "skipped", (json_int_t)run->skipped, "scenarios",
        scenarios ? scenarios : json_null(), "rerun",
        string_or_null(run->rerun));
}

int report_write_all(const struct run_result *run, const char *dir,
                     struct hito_error *err)
{
    static const char *const names[] = { "report.xml", "report.md",
                                         "report.html" };
    char *(*const writers[])(const struct run_result *) = { report_junit,
                                                            report_markdown,
                                                            report_html };
    char path[REPORT_PATH_MAX];
    json_t *json;
    char *text;
    int rc;

    rc = report_mkdirs(dir, err);
    if (rc != HITO_OK)
        return rc;
    json = report_json(run);
    text = json ? json_dumps(json, JSON_INDENT(2)) : NULL;
    json_decref(json);
    snprintf(path, sizeof(path), "%s/report.json", dir);
    rc = report_write_file(path, text, err);
    free(text);
    for (size_t i = 0; rc == HITO_OK && i < sizeof(names) / sizeof(*names);
         i++) {
        text = writers[i](run);
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        rc = report_write_file(path, text, err);
        free(text);
    }
    return rc;
}

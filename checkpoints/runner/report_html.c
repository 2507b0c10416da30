/* The self-contained HTML report of one run. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>

#include "report_style.h"

static void html_text(struct strbuf *sb, const char *s)
{
    report_escape_xml(sb, s ? s : "");
}

static void html_event(struct strbuf *sb, const struct event *ev)
{
    strbuf_puts(sb, "<li>");
    if (ev->kind == EVENT_NOTE) {
        strbuf_puts(sb, "<span class=\"note\">");
        html_text(sb, ev->text);
        strbuf_puts(sb, "</span>");
    } else if (ev->kind == EVENT_CHECK) {
        strbuf_puts(sb, ev->passed ? "<span class=\"ok\">&#10003; "
                                   : "<span class=\"ko\">&#10007; ");
        html_text(sb, ev->text);
        strbuf_puts(sb, "</span>");
        if (ev->expected) {
            strbuf_puts(sb, " <span class=\"ev-vals\">expected ");
            html_text(sb, ev->expected);
            strbuf_puts(sb, ", got ");
            html_text(sb, ev->actual);
            strbuf_puts(sb, "</span>");
        }
    } else {
        strbuf_puts(sb, "<details class=\"exchange\"><summary>");
        html_text(sb, ev->text);
        strbuf_printf(sb, " <span class=\"dur\">(%.1f ms)</span></summary>",
                      ev->elapsed_ms);
        strbuf_puts(sb, "<div class=\"label\">Sent</div><pre>");
        html_text(sb, ev->sent ? ev->sent : "-");
        strbuf_puts(sb, "</pre><div class=\"label\">Received</div><pre>");
        html_text(sb, ev->received ? ev->received : "-");
        strbuf_puts(sb, "</pre></details>");
    }
    strbuf_puts(sb, "</li>\n");
}

static void html_steps(struct strbuf *sb, const struct scenario_result *sr)
{
    char duration[32];

    strbuf_puts(sb, "<ol class=\"steps\">\n");
    for (size_t i = 0; i < sr->step_count; i++) {
        const struct step *step = &sr->steps[i];

        report_format_duration(step->duration_ms, duration, sizeof(duration));
        strbuf_printf(sb, "<li class=\"%s\"><div class=\"step-head\"><span>",
                      outcome_name(step->outcome));
        html_text(sb, step->title);
        strbuf_printf(sb,
                      "</span><span class=\"dur\">%s</span></div>\n<ul "
                      "class=\"events\">\n",
                      duration);
        for (size_t j = 0; j < step->event_count; j++)
            html_event(sb, &step->events[j]);
        if (step->dropped_events)
            strbuf_printf(
                sb, "<li class=\"note\">%zu more events not recorded</li>\n",
                step->dropped_events);
        strbuf_puts(sb, "</ul></li>\n");
    }
    if (sr->dropped_steps)
        strbuf_printf(sb, "<li>%zu more steps not recorded</li>\n",
                      sr->dropped_steps);
    strbuf_puts(sb, "</ol>\n");
}

static void html_figures(struct strbuf *sb, const struct scenario_result *sr)
{
    char value[64];

    if (!sr->figure_count)
        return;
    strbuf_puts(sb, "<table class=\"figures\"><thead><tr><th>Figure</th>"
                    "<th>Value</th><th>Unit</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < sr->figure_count; i++) {
        const struct figure *fig = &sr->figures[i];

        report_format_figure(fig->value, value, sizeof(value));
        strbuf_puts(sb, "<tr><td>");
        html_text(sb, fig->name);
        strbuf_printf(sb, "</td><td class=\"num\">%s</td><td>", value);
        html_text(sb, fig->unit);
        strbuf_puts(sb, "</td></tr>\n");
    }
    if (sr->dropped_figures)
        strbuf_printf(sb,
                      "<tr><td colspan=\"3\" class=\"note\">%zu more figures "
                      "not recorded</td></tr>\n",
                      sr->dropped_figures);
    strbuf_puts(sb, "</tbody></table>\n");
}

static void html_scenario(struct strbuf *sb, const struct scenario_result *sr)
{
    const char *outcome = outcome_name(sr->outcome);
    char duration[32];

    report_format_duration(sr->duration_ms, duration, sizeof(duration));
    /* Failed scenarios open by default, so the problem is seen first. */
    strbuf_printf(sb,
                  "<details class=\"scenario %s\"%s><summary>"
                  "<span class=\"badge %s\">%s</span><span class=\"title\">",
                  outcome, sr->outcome == OUTCOME_FAIL ? " open" : "", outcome,
                  sr->outcome == OUTCOME_PASS   ? "PASS"
                  : sr->outcome == OUTCOME_FAIL ? "FAIL"
                                                : "SKIP");
    html_text(sb, sr->title);
    strbuf_puts(sb, "<code>");
    html_text(sb, sr->name);
    strbuf_printf(sb,
                  "</code></span><span class=\"dur\">%s</span></summary>\n"
                  "<div class=\"body\">\n",
                  duration);
    if (sr->message) {
        strbuf_printf(sb, "<div class=\"problem %s\">", outcome);
        html_text(sb, sr->message);
        if (sr->location) {
            strbuf_puts(sb, "<small>at ");
            html_text(sb, sr->location);
            strbuf_puts(sb, "</small>");
        }
        strbuf_puts(sb, "</div>\n");
    }
    html_figures(sb, sr);
    html_steps(sb, sr);
    strbuf_puts(sb, "</div></details>\n");
}

static void html_meta(struct strbuf *sb, const char *name, const char *value)
{
    strbuf_puts(sb, "<dt>");
    html_text(sb, name);
    strbuf_puts(sb, "</dt><dd>");
    html_text(sb, value);
    strbuf_puts(sb, "</dd>\n");
}

char *report_html(const struct run_result *run)
{
    static const char *const banners[] = { "PASSED", "FAILED", "NOT COMPLETE" };
    const char *verdict = outcome_name(run_outcome(run));
    struct strbuf sb;
    char duration[32], number[16];

    strbuf_init(&sb);
    report_format_duration(run->duration_ms, duration, sizeof(duration));
    snprintf(number, sizeof(number), "%d", run->checkpoint);
    strbuf_puts(
        &sb,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" "
        "content=\"width=device-width,initial-scale=1\">\n"
        "<title>Checkpoint ");
    strbuf_printf(&sb, "%d: ", run->checkpoint);
    html_text(&sb, run->title);
    strbuf_puts(&sb, " (");
    html_text(&sb, run->target);
    strbuf_puts(&sb,
                ")</title>\n<style>" REPORT_STYLE "</style></head><body>\n");
    strbuf_printf(&sb,
                  "<header class=\"banner %s\"><div class=\"inner\">"
                  "<span class=\"verdict\">%s</span><h1>Checkpoint %d: ",
                  verdict, banners[run_outcome(run)], run->checkpoint);
    html_text(&sb, run->title);
    strbuf_puts(&sb, "</h1><p>");
    html_text(&sb, run->description);
    strbuf_puts(&sb, "</p></div></header>\n<main>\n<dl class=\"meta\">\n");
    html_meta(&sb, "Checkpoint", number);
    html_meta(&sb, "Target", run->target);
    html_meta(&sb, "Commit", run->commit);
    html_meta(&sb, "Started", run->started_at);
    html_meta(&sb, "Duration", duration);
    if (run->rerun)
        html_meta(&sb, "Run again", run->rerun);
    strbuf_printf(
        &sb,
        "</dl>\n<div class=\"counts\">"
        "<div class=\"count total\"><b>%zu</b>scenarios</div>"
        "<div class=\"count passed\"><b>%zu</b>passed</div>"
        "<div class=\"count failed\"><b>%zu</b>failed</div>"
        "<div class=\"count skipped\"><b>%zu</b>skipped</div></div>\n",
        run->scenario_count, run->passed, run->failed, run->skipped);
    for (size_t i = 0; i < run->scenario_count; i++)
        html_scenario(&sb, &run->scenarios[i]);
    strbuf_puts(
        &sb,
        "<footer>Written by hito-checkpoint. Secrets, tokens and passwords are "
        "replaced with "
        "[REDACTED]"
        ". Open a scenario or an exchange to see "
        "its details.</footer>\n</main></body></html>\n");
    return strbuf_take(&sb);
}

/* JUnit XML and Markdown reports. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends a plain-text outline of a scenario's steps (JUnit system-out). */
static void outline(struct strbuf *sb, const struct scenario_result *sr)
{
    char duration[32];

    for (size_t i = 0; i < sr->step_count; i++) {
        const struct step *step = &sr->steps[i];

        report_format_duration(step->duration_ms, duration, sizeof(duration));
        strbuf_printf(sb, "Step %zu: %s [%s, %s]\n", i + 1,
                      step->title ? step->title : "",
                      outcome_name(step->outcome), duration);
        for (size_t j = 0; j < step->event_count; j++) {
            const struct event *ev = &step->events[j];

            if (ev->kind == EVENT_NOTE)
                strbuf_printf(sb, "  note: %s\n", ev->text ? ev->text : "");
            else if (ev->kind == EVENT_CHECK && ev->expected)
                strbuf_printf(sb, "  check %s: %s: expected %s, got %s\n",
                              ev->passed ? "passed" : "FAILED",
                              ev->text ? ev->text : "", ev->expected,
                              ev->actual ? ev->actual : "nothing");
            else if (ev->kind == EVENT_CHECK)
                strbuf_printf(sb, "  check %s: %s\n",
                              ev->passed ? "passed" : "FAILED",
                              ev->text ? ev->text : "");
            else
                strbuf_printf(sb,
                              "  exchange: %s (%.1f ms)\n    sent: %s\n    "
                              "received: %s\n",
                              ev->text ? ev->text : "", ev->elapsed_ms,
                              ev->sent ? ev->sent : "-",
                              ev->received ? ev->received : "-");
        }
        if (step->dropped_events)
            strbuf_printf(sb, "  (%zu more events not recorded)\n",
                          step->dropped_events);
    }
    if (sr->dropped_steps)
        strbuf_printf(sb, "(%zu more steps not recorded)\n", sr->dropped_steps);
}

/*
 * Appends a testcase's figures as properties. "figure.<name>" contains the
 * number alone, so CI can plot it, and "figure.<name>.unit" its unit.
 */
static void junit_figures(struct strbuf *sb, const struct scenario_result *sr)
{
    char value[64];

    if (!sr->figure_count)
        return;
    strbuf_puts(sb, "      <properties>\n");
    for (size_t i = 0; i < sr->figure_count; i++) {
        const struct figure *fig = &sr->figures[i];

        report_format_figure(fig->value, value, sizeof(value));
        strbuf_puts(sb, "        <property name=\"figure.");
        report_escape_xml(sb, fig->name);
        strbuf_printf(sb, "\" value=\"%s\"/>\n", value);
        if (fig->unit && *fig->unit) {
            strbuf_puts(sb, "        <property name=\"figure.");
            report_escape_xml(sb, fig->name);
            strbuf_puts(sb, ".unit\" value=\"");
            report_escape_xml(sb, fig->unit);
            strbuf_puts(sb, "\"/>\n");
        }
    }
    strbuf_puts(sb, "      </properties>\n");
}

char *report_junit(const struct run_result *run)
{
    struct strbuf sb;
    char suite[512];

    strbuf_init(&sb);
    snprintf(suite, sizeof(suite), "checkpoint-%d: %s", run->checkpoint,
             run->title ? run->title : "");
    strbuf_puts(
        &sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    report_escape_xml(&sb, suite);
    strbuf_printf(
        &sb,
        "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
        "time=\"%.3f\">\n  <testsuite name=\"",
        run->scenario_count, run->failed, run->skipped,
        run->duration_ms / 1000);
    report_escape_xml(&sb, suite);
    strbuf_printf(
        &sb,
        "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
        "time=\"%.3f\" timestamp=\"",
        run->scenario_count, run->failed, run->skipped,
        run->duration_ms / 1000);
    report_escape_xml(&sb, run->started_at);
    strbuf_puts(
        &sb, "\">\n    <properties>\n      <property name=\"target\" value=\"");
    report_escape_xml(&sb, run->target);
    strbuf_puts(&sb, "\"/>\n      <property name=\"commit\" value=\"");
    report_escape_xml(&sb, run->commit);
    strbuf_puts(&sb, "\"/>\n    </properties>\n");
    for (size_t i = 0; i < run->scenario_count; i++) {
        const struct scenario_result *sr = &run->scenarios[i];
        struct strbuf out;
        char *text;

        strbuf_printf(&sb, "    <testcase classname=\"checkpoint-%d\" name=\"",
                      run->checkpoint);
        report_escape_xml(&sb, sr->name);
        strbuf_printf(&sb, "\" time=\"%.3f\">\n", sr->duration_ms / 1000);
        junit_figures(&sb, sr);
        if (sr->outcome == OUTCOME_FAIL) {
            strbuf_puts(&sb, "      <failure type=\"check\" message=\"");
            report_escape_xml(&sb, sr->message);
            strbuf_puts(&sb, "\">");
            report_escape_xml(&sb, sr->message);
            if (sr->location) {
                strbuf_puts(&sb, " (at ");
                report_escape_xml(&sb, sr->location);
                strbuf_puts(&sb, ")");
            }
            strbuf_puts(&sb, "</failure>\n");
        } else if (sr->outcome == OUTCOME_SKIP) {
            strbuf_puts(&sb, "      <skipped message=\"");
            report_escape_xml(&sb, sr->message);
            strbuf_puts(&sb, "\"/>\n");
        }
        strbuf_init(&out);
        outline(&out, sr);
        text = strbuf_take(&out);
        strbuf_puts(&sb, "      <system-out>");
        report_escape_xml(&sb, text);
        strbuf_puts(&sb, "</system-out>\n    </testcase>\n");
        free(text);
    }
    strbuf_puts(&sb, "  </testsuite>\n</testsuites>\n");
    return strbuf_take(&sb);
}

/* Appends s for a Markdown table cell or heading: one line, no pipes. */
static void md_inline(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\n')
            strbuf_putc(sb, ' ');
        else if (strchr("|\\`*_<>[]", *s))
            strbuf_printf(sb, "\\%c", *s);
        else
            strbuf_putc(sb, *s);
    }
}

/* Appends a label and s as a fenced block; a fence inside s is broken up. */
static void md_block(struct strbuf *sb, const char *label, const char *s)
{
    strbuf_printf(sb, "\n   %s:\n\n~~~~text\n", label);
    for (; s && *s; s++) {
        if (*s == '~' && s[1] == '~' && s[2] == '~')
            strbuf_puts(sb, "~ ");
        else
            strbuf_putc(sb, *s);
    }
    strbuf_puts(sb, "\n~~~~\n");
}

static void md_figures(struct strbuf *sb, const struct scenario_result *sr)
{
    char value[64];

    if (!sr->figure_count)
        return;
    strbuf_puts(sb, "| Figure | Value | Unit |\n|---|--:|---|\n");
    for (size_t i = 0; i < sr->figure_count; i++) {
        const struct figure *fig = &sr->figures[i];

        report_format_figure(fig->value, value, sizeof(value));
        strbuf_puts(sb, "| ");
        md_inline(sb, fig->name);
        strbuf_printf(sb, " | %s | ", value);
        md_inline(sb, fig->unit);
        strbuf_puts(sb, " |\n");
    }
    if (sr->dropped_figures)
        strbuf_printf(sb, "\n%zu more figures not recorded.\n",
                      sr->dropped_figures);
    strbuf_putc(sb, '\n');
}

static void md_scenario(struct strbuf *sb, const struct scenario_result *sr)
{
    static const char *const marks[] = { "PASS", "FAIL", "SKIP" };
    char duration[32];

    report_format_duration(sr->duration_ms, duration, sizeof(duration));
    strbuf_printf(sb, "\n### %s ", marks[sr->outcome]);
    md_inline(sb, sr->title);
    strbuf_puts(sb, " (`");
    strbuf_puts(sb, sr->name);
    strbuf_printf(sb, "`, %s)\n\n", duration);
    if (sr->message) {
        strbuf_printf(sb, "**%s:** ",
                      sr->outcome == OUTCOME_FAIL ? "Failure" : "Skipped");
        md_inline(sb, sr->message);
        if (sr->location)
            strbuf_printf(sb, " (at `%s`)", sr->location);
        strbuf_puts(sb, "\n\n");
    }
    md_figures(sb, sr);
    for (size_t i = 0; i < sr->step_count; i++) {
        const struct step *step = &sr->steps[i];

        report_format_duration(step->duration_ms, duration, sizeof(duration));
        strbuf_printf(sb, "%zu. ", i + 1);
        md_inline(sb, step->title);
        strbuf_printf(sb, " (%s, %s)\n", outcome_name(step->outcome), duration);
        for (size_t j = 0; j < step->event_count; j++) {
            const struct event *ev = &step->events[j];

            strbuf_puts(sb, "   - ");
            if (ev->kind == EVENT_CHECK)
                strbuf_puts(sb, ev->passed ? "check passed: "
                                           : "**check failed:** ");
            else if (ev->kind == EVENT_EXCHANGE)
                strbuf_puts(sb, "exchange: ");
            md_inline(sb, ev->text);
            if (ev->kind == EVENT_CHECK && ev->expected) {
                strbuf_puts(sb, ", expected ");
                md_inline(sb, ev->expected);
                strbuf_puts(sb, ", got ");
                md_inline(sb, ev->actual);
            }
            if (ev->kind == EVENT_EXCHANGE) {
                strbuf_printf(sb, " (%.1f ms)\n", ev->elapsed_ms);
                md_block(sb, "Sent", ev->sent);
                md_block(sb, "Received", ev->received);
            }
            strbuf_putc(sb, '\n');
        }
    }
}

char *report_markdown(const struct run_result *run)
{
    struct strbuf sb;
    char duration[32];

    strbuf_init(&sb);
    report_format_duration(run->duration_ms, duration, sizeof(duration));
    strbuf_printf(&sb, "# Checkpoint %d: ", run->checkpoint);
    md_inline(&sb, run->title);
    strbuf_puts(&sb, "\n\n");
    md_inline(&sb, run->description);
    static const char *const verdicts[] = { "PASSED", "FAILED",
                                            "NOT COMPLETE" };

    strbuf_printf(&sb,
                  "\n\n| Outcome | Target | Commit | Started | Duration |\n"
                  "|---|---|---|---|---|\n| %s | ",
                  verdicts[run_outcome(run)]);
    md_inline(&sb, run->target);
    strbuf_puts(&sb, " | ");
    md_inline(&sb, run->commit);
    strbuf_puts(&sb, " | ");
    md_inline(&sb, run->started_at);
    strbuf_printf(
        &sb, " | %s |\n\n%zu scenarios: %zu passed, %zu failed, %zu skipped.\n",
        duration, run->scenario_count, run->passed, run->failed, run->skipped);
    if (run->rerun)
        strbuf_printf(&sb, "\nRun again: `%s`\n", run->rerun);
    for (size_t i = 0; i < run->scenario_count; i++)
        md_scenario(&sb, &run->scenarios[i]);
    return strbuf_take(&sb);
}

/* reports/index.html: the latest report of every checkpoint and target. */
#include "report.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_style.h"

#define INDEX_PATH_MAX 4096
/* Most reports listed on the index page. */
#define INDEX_MAX_REPORTS 1000

static void add_summary(json_t *summaries, const char *path, const char *href)
{
    json_t *report = json_load_file(path, 0, NULL);
    json_t *entry;

    if (!report)
        return; /* a report being written or damaged is left out */
    entry = json_pack("{s:O*, s:O*, s:O*, s:O*, s:O*, s:O*, s:O*, s:s}",
                      "checkpoint", json_object_get(report, "checkpoint"),
                      "title", json_object_get(report, "title"), "target",
                      json_object_get(report, "target"), "outcome",
                      json_object_get(report, "outcome"), "started_at",
                      json_object_get(report, "started_at"), "commit",
                      json_object_get(report, "commit"), "summary",
                      json_object_get(report, "summary"), "href", href);
    if (entry)
        json_array_append_new(summaries, entry);
    json_decref(report);
}

static void scan_target(json_t *summaries, const char *reports_dir,
                        const char *target)
{
    char dir[INDEX_PATH_MAX], path[INDEX_PATH_MAX], href[INDEX_PATH_MAX];
    struct dirent *de;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/%s", reports_dir, target);
    d = opendir(dir);
    if (!d)
        return;
    while ((de = readdir(d)) != NULL &&
           json_array_size(summaries) < INDEX_MAX_REPORTS) {
        if (strncmp(de->d_name, "checkpoint-", 11) != 0)
            continue;
        if (snprintf(path, sizeof(path), "%s/%s/report.json", dir,
                     de->d_name) >= (int)sizeof(path) ||
            snprintf(href, sizeof(href), "%s/%s/report.html", target,
                     de->d_name) >= (int)sizeof(href))
            continue; /* a path this long is not one the runner wrote */
        add_summary(summaries, path, href);
    }
    closedir(d);
}

static int compare_summaries(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t cx = json_integer_value(json_object_get(x, "checkpoint"));
    json_int_t cy = json_integer_value(json_object_get(y, "checkpoint"));
    const char *tx = json_string_value(json_object_get(x, "target"));
    const char *ty = json_string_value(json_object_get(y, "target"));

    if (cx != cy)
        return cx < cy ? -1 : 1;
    return strcmp(tx ? tx : "", ty ? ty : "");
}

/* Appends a commit as its first 12 hex digits, keeping a "-dirty" mark. */
static void commit_cell(struct strbuf *sb, json_t *value)
{
    const char *commit = json_string_value(value);
    const char *dirty = commit ? strstr(commit, "-dirty") : NULL;

    strbuf_puts(sb, "<td><code>");
    if (commit && strlen(commit) >= 40) {
        strbuf_append(sb, commit, 12);
        report_escape_xml(sb, dirty ? "-dirty" : "");
    } else {
        report_escape_xml(sb, commit ? commit : "-");
    }
    strbuf_puts(sb, "</code></td>");
}

static void cell(struct strbuf *sb, json_t *value)
{
    strbuf_puts(sb, "<td>");
    report_escape_xml(sb, json_string_value(value) ? json_string_value(value)
                                                   : "-");
    strbuf_puts(sb, "</td>");
}

char *report_index_html(json_t *summaries)
{
    size_t count = json_array_size(summaries);
    json_t **sorted = calloc(count ? count : 1, sizeof(*sorted));
    struct strbuf sb;

    if (!sorted)
        return NULL;
    for (size_t i = 0; i < count; i++)
        sorted[i] = json_array_get(summaries, i);
    qsort(sorted, count, sizeof(*sorted), compare_summaries);
    strbuf_init(&sb);
    strbuf_puts(
        &sb,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<title>hito checkpoints</title>\n<style>" REPORT_STYLE
        "</style></head>"
        "<body>\n<header class=\"banner neutral\"><div class=\"inner\">"
        "<h1>hito checkpoints</h1><p>The latest run of each checkpoint on each "
        "target.</p></div></header>\n<main>\n");
    if (count == 0)
        strbuf_puts(
            &sb, "<p>No reports yet: run <code>make checkpoints</code>.</p>\n");
    else
        strbuf_puts(
            &sb,
            "<table class=\"index\"><tr><th>Checkpoint</th><th>Target</th>"
            "<th>Status</th><th>Scenarios</th><th>Started</th><th>Commit</th>"
            "</tr>\n");
    for (size_t i = 0; i < count; i++) {
        json_t *s = sorted[i], *sum = json_object_get(s, "summary");
        const char *outcome = json_string_value(json_object_get(s, "outcome"));

        outcome = outcome ? outcome : "failed";
        strbuf_printf(&sb, "<tr><td><a href=\"");
        report_escape_xml(&sb, json_string_value(json_object_get(s, "href")));
        strbuf_printf(
            &sb, "\">%lld. ",
            (long long)json_integer_value(json_object_get(s, "checkpoint")));
        report_escape_xml(&sb, json_string_value(json_object_get(s, "title")));
        strbuf_puts(&sb, "</a></td>");
        cell(&sb, json_object_get(s, "target"));
        strbuf_printf(&sb, "<td><span class=\"badge %s\">", outcome);
        report_escape_xml(&sb, outcome);
        strbuf_printf(
            &sb, "</span></td><td>%lld passed, %lld failed, %lld skipped</td>",
            (long long)json_integer_value(json_object_get(sum, "passed")),
            (long long)json_integer_value(json_object_get(sum, "failed")),
            (long long)json_integer_value(json_object_get(sum, "skipped")));
        cell(&sb, json_object_get(s, "started_at"));
        commit_cell(&sb, json_object_get(s, "commit"));
        strbuf_puts(&sb, "</tr>\n");
    }
    if (count)
        strbuf_puts(&sb, "</table>\n");
    strbuf_puts(&sb, "<footer>Written by hito-checkpoint "
                     "index.</footer></main></body></html>\n");
    free(sorted);
    return strbuf_take(&sb);
}

int report_write_index(const char *reports_dir, struct hito_error *err)
{
    char path[INDEX_PATH_MAX];
    json_t *summaries = json_array();
    struct dirent *de;
    DIR *d;
    char *html;
    int rc, count;

    if (!summaries)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    rc = report_mkdirs(reports_dir, err);
    if (rc != HITO_OK) {
        json_decref(summaries);
        return rc;
    }
    d = opendir(reports_dir);
    while (d && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            scan_target(summaries, reports_dir, de->d_name);
    if (d)
        closedir(d);
    count = (int)json_array_size(summaries);
    html = report_index_html(summaries);
    json_decref(summaries);
    snprintf(path, sizeof(path), "%s/index.html", reports_dir);
    rc = report_write_file(path, html, err);
    free(html);
    return rc == HITO_OK ? count : rc;
}

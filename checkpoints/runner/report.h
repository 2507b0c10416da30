/*
 * report.h - the reports of a checkpoint run.
 *
 * report_write_all writes, into one folder, report.json (the full record),
 * report.xml (JUnit XML for CI), report.md and report.html (one
 * self-contained page). report_write_index writes reports/index.html from
 * every reports/<target>/checkpoint-<N>/report.json it finds. Every string
 * in a run_result is already redacted; the writers only escape.
 */
#ifndef HITO_CHECKPOINT_REPORT_H
#define HITO_CHECKPOINT_REPORT_H

#include <jansson.h>

#include "hito/err.h"
#include "result.h"
#include "strbuf.h"

/* Creates dir (and its parents) and writes the four reports into it. */
int report_write_all(const struct run_result *run, const char *dir,
                     struct hito_error *err);

/* Each returns the document as a string the caller frees, or NULL when out
 * of memory. */
json_t *report_json(const struct run_result *run);
char *report_junit(const struct run_result *run);
char *report_markdown(const struct run_result *run);
char *report_html(const struct run_result *run);

/*
 * Writes <reports_dir>/index.html with the latest status of every
 * checkpoint on every target, and returns the number of reports found.
 */
int report_write_index(const char *reports_dir, struct hito_error *err);

/* Renders the index page from an array of report.json summaries. */
char *report_index_html(json_t *summaries);

/* Appends s with &, <, >, " and ' escaped for XML and HTML. */
void report_escape_xml(struct strbuf *sb, const char *s);

/* Formats milliseconds for people: "850 ms", "2.41 s", "3 min 5 s". */
void report_format_duration(double ms, char *buf, size_t size);

/*
 * Formats a figure's value with up to 6 significant digits ("343.21",
 * "0.97", "1.5e+06"), the same way in every report.
 */
void report_format_figure(double value, char *buf, size_t size);

/* Creates dir and its missing parents (mode 0755). */
int report_mkdirs(const char *dir, struct hito_error *err);

/* Writes text to path through a temporary file and a rename. */
int report_write_file(const char *path, const char *text,
                      struct hito_error *err);

#endif

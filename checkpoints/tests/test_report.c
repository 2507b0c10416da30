#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "report_fixture.h"
#include "runner/report.h"

static xmlNode *child(xmlNode *parent, const char *name, int index)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            strcmp((const char *)n->name, name) == 0 && index-- == 0)
            return n;
    return NULL;
}

static void assert_attr(xmlNode *node, const char *name, const char *expected)
{
    xmlChar *value = xmlGetProp(node, (const xmlChar *)name);

    assert_non_null(value);
    assert_string_equal((const char *)value, expected);
    xmlFree(value);
}

/* Builds run's JUnit report and parses it back, asserting both steps. */
static xmlDoc *junit_doc(struct run_result *run)
{
    char *xml = report_junit(run);
    xmlDoc *doc;

    assert_non_null(xml);
    doc = xmlReadMemory(xml, (int)strlen(xml), "report.xml", NULL,
                        XML_PARSE_NONET);
    assert_non_null(doc);
    free(xml);
    return doc;
}

static void junit_parses_back(void **state)
{
    struct run_result run;
    xmlDoc *doc;
    xmlNode *root, *suite, *failed;
    xmlChar *text;

    (void)state;
    fixture_run(&run);
    doc = junit_doc(&run);
    root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "testsuites");
    suite = child(root, "testsuite", 0);
    assert_non_null(suite);
    assert_attr(suite, "tests", "3");
    assert_attr(suite, "failures", "1");
    assert_attr(suite, "skipped", "1");
    assert_attr(suite, "name", "checkpoint-1: Base <infrastructure>");
    assert_non_null(child(suite, "properties", 0));
    assert_attr(child(suite, "testcase", 0), "name", "passes");
    failed = child(suite, "testcase", 1);
    assert_attr(failed, "name", "fails-<&>\"");
    assert_attr(child(failed, "failure", 0), "message",
                "expected 200, got " HOSTILE);
    assert_non_null(child(child(suite, "testcase", 2), "skipped", 0));
    text = xmlNodeGetContent(child(failed, "system-out", 0));
    assert_non_null(strstr((const char *)text, "Step 1: Step with " HOSTILE));
    xmlFree(text);
    xmlFreeDoc(doc);
    run_result_clear(&run);
}

static void html_escapes_hostile_names(void **state)
{
    struct run_result run;
    char *html;

    (void)state;
    fixture_run(&run);
    html = report_html(&run);
    assert_non_null(html);
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "fails-<&>"));
    assert_non_null(
        strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                     "&quot;quotes&quot;"));
    assert_non_null(strstr(html, "fails-&lt;&amp;&gt;&quot;"));
    assert_non_null(strstr(html, "<details class=\"scenario failed\" open>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http://127.0.0.1/a?b=<c>"));
    free(html);
    run_result_clear(&run);
}

static void json_is_valid(void **state)
{
    struct run_result run;
    json_error_t jerr;
    json_t *json;
    char *text;
    json_t *back;

    (void)state;
    fixture_run(&run);
    json = report_json(&run);
    assert_non_null(json);
    text = json_dumps(json, 0);
    assert_non_null(text);
    back = json_loads(text, 0, &jerr);
    assert_non_null(back);
    assert_string_equal(json_string_value(json_object_get(back, "outcome")),
                        "failed");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(back, "summary"), "failed")),
                     1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(back, "scenarios"), 1), "name")),
        "fails-<&>\"");
    json_decref(back);
    json_decref(json);
    free(text);
    run_result_clear(&run);
}

static void markdown_keeps_one_line_cells(void **state)
{
    struct run_result run;
    char *md;

    (void)state;
    fixture_run(&run);
    md = report_markdown(&run);
    assert_non_null(md);
    assert_non_null(strstr(md, "# Checkpoint 1: Base \\<infrastructure\\>"));
    assert_non_null(strstr(md, "| FAILED | local-test |"));
    assert_non_null(strstr(md, "### FAIL"));
    free(md);
    run_result_clear(&run);
}

static void junit_figures_are_properties(void **state)
{
    struct run_result run;
    xmlNode *suite, *props, *prop;
    xmlDoc *doc;

    (void)state;
    fixture_run(&run);
    doc = junit_doc(&run);
    suite = child(xmlDocGetRootElement(doc), "testsuite", 0);
    props = child(child(suite, "testcase", 0), "properties", 0);
    assert_non_null(props);
    prop = child(props, "property", 0);
    assert_attr(prop, "name", "figure.accepted_rate");
    assert_attr(prop, "value", "7.9");
    prop = child(props, "property", 1);
    assert_attr(prop, "name", "figure.accepted_rate.unit");
    assert_attr(prop, "value", "requests/s <&>");
    prop = child(props, "property", 2);
    assert_attr(prop, "name", "figure.overhead_ratio");
    assert_attr(prop, "value", "0.97");
    assert_null(child(props, "property", 3));
    assert_null(child(child(suite, "testcase", 1), "properties", 0));
    xmlFreeDoc(doc);
    run_result_clear(&run);
}

static void json_carries_figures(void **state)
{
    struct run_result run;
    json_t *json, *first, *figures, *figure;

    (void)state;
    fixture_run(&run);
    json = report_json(&run);
    assert_non_null(json);
    first = json_array_get(json_object_get(json, "scenarios"), 0);
    figures = json_object_get(first, "figures");
    assert_int_equal(json_array_size(figures), 2);
    figure = json_array_get(figures, 0);
    assert_string_equal(json_string_value(json_object_get(figure, "name")),
                        "accepted_rate");
    assert_true(json_real_value(json_object_get(figure, "value")) == 7.9);
    assert_string_equal(json_string_value(json_object_get(figure, "unit")),
                        "requests/s <&>");
    assert_int_equal(
        json_integer_value(json_object_get(first, "dropped_figures")), 0);
    first = json_array_get(json_object_get(json, "scenarios"), 1);
    assert_int_equal(json_array_size(json_object_get(first, "figures")), 0);
    json_decref(json);
    run_result_clear(&run);
}

static void markdown_figure_table(void **state)
{
    struct run_result run;
    char *md;

    (void)state;
    fixture_run(&run);
    md = report_markdown(&run);
    assert_non_null(md);
    assert_non_null(strstr(md, "| Figure | Value | Unit |\n|---|--:|---|\n"));
    assert_non_null(
        strstr(md, "| accepted\\_rate | 7.9 | requests/s \\<&\\> |\n"));
    assert_non_null(strstr(md, "| overhead\\_ratio | 0.97 |  |\n"));
    free(md);
    run_result_clear(&run);
}

static void html_figure_table(void **state)
{
    struct run_result run;
    char *html;

    (void)state;
    fixture_run(&run);
    html = report_html(&run);
    assert_non_null(html);
    assert_non_null(strstr(html, "<table class=\"figures\">"));
    assert_non_null(strstr(html, "<tr><td>accepted_rate</td><td class=\"num\">"
                                 "7.9</td><td>requests/s &lt;&amp;&gt;</td>"));
    assert_non_null(strstr(html, "<td>overhead_ratio</td>"));
    /* Only the first scenario has figures. */
    assert_null(
        strstr(strstr(html, "overhead_ratio"), "<table class=\"figures\">"));
    free(html);
    run_result_clear(&run);
}

static void figure_format(void **state)
{
    char buf[64];

    (void)state;
    report_format_figure(343.21, buf, sizeof(buf));
    assert_string_equal(buf, "343.21");
    report_format_figure(0.5, buf, sizeof(buf));
    assert_string_equal(buf, "0.5");
    report_format_figure(1500000, buf, sizeof(buf));
    assert_string_equal(buf, "1.5e+06");
    report_format_figure(-3, buf, sizeof(buf));
    assert_string_equal(buf, "-3");
}

static void write_all_and_index(void **state)
{
    char dir[] = "/tmp/hito-report-test-XXXXXX", path[512];
    struct hito_error err = { 0 };
    struct run_result run;
    const char *files[] = { "report.xml", "report.json", "report.md",
                            "report.html" };
    char sub[300];

    (void)state;
    assert_non_null(mkdtemp(dir));
    fixture_run(&run);
    snprintf(sub, sizeof(sub), "%s/local-test/checkpoint-1", dir);
    assert_int_equal(report_write_all(&run, sub, &err), 0);
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", sub, files[i]);
        assert_int_equal(access(path, R_OK), 0);
    }
    assert_int_equal(report_write_index(dir, &err), 1);
    snprintf(path, sizeof(path), "%s/index.html", dir);
    assert_int_equal(access(path, R_OK), 0);
    run_result_clear(&run);
    snprintf(path, sizeof(path), "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
}

static void index_lists_reports(void **state)
{
    json_t *summaries = json_pack(
        "[{s:i, s:s, s:s, s:s, s:s, s:s, s:{s:i, s:i, s:i}}]", "checkpoint", 1,
        "title", "<b>", "target", "local-test", "commit",
        "0123456789abcdef0123456789abcdef01234567-dirty", "outcome", "failed",
        "href", "local-test/checkpoint-1/report.html", "summary", "passed", 2,
        "failed", 1, "skipped", 0);
    char *html;

    (void)state;
    html = report_index_html(summaries);
    assert_non_null(html);
    assert_non_null(
        strstr(html, "href=\"local-test/checkpoint-1/report.html\""));
    assert_non_null(strstr(html, "1. &lt;b&gt;"));
    assert_non_null(strstr(html, "2 passed, 1 failed, 0 skipped"));
    assert_non_null(strstr(html, "<code>0123456789ab-dirty</code>"));
    free(html);
    json_decref(summaries);
}

static void duration_format(void **state)
{
    char buf[32];

    (void)state;
    report_format_duration(850, buf, sizeof(buf));
    assert_string_equal(buf, "850 ms");
    report_format_duration(2410, buf, sizeof(buf));
    assert_string_equal(buf, "2.41 s");
    report_format_duration(185000, buf, sizeof(buf));
    assert_string_equal(buf, "3 min 5 s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(junit_parses_back),
        cmocka_unit_test(html_escapes_hostile_names),
        cmocka_unit_test(json_is_valid),
        cmocka_unit_test(markdown_keeps_one_line_cells),
        cmocka_unit_test(write_all_and_index),
        cmocka_unit_test(index_lists_reports),
        cmocka_unit_test(duration_format),
        cmocka_unit_test(junit_figures_are_properties),
        cmocka_unit_test(json_carries_figures),
        cmocka_unit_test(markdown_figure_table),
        cmocka_unit_test(html_figure_table),
        cmocka_unit_test(figure_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

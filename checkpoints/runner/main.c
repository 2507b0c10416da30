/*
 * hito-checkpoint: runs a checkpoint's scenarios against a target, prints
 * progress, writes the reports and keeps the gate state. `hito-checkpoint
 * help` prints the usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "hito/log.h"
#include "phases.h"
#include "report.h"
#include "runner.h"
#include "target.h"

static const char usage[] =
    "usage: hito-checkpoint run N [--target local|compose|FILE] [--scenario "
    "NAME]\n"
    "                             [--tag TAG] [--force] [--reports DIR]\n"
    "       hito-checkpoint list [N]\n"
    "       hito-checkpoint index [--reports DIR]\n"
    "\n"
    "run     runs checkpoint N's scenarios and writes "
    "reports/<target>/checkpoint-N/\n"
    "        (report.xml, report.json, report.md, report.html) and "
    "reports/index.html.\n"
    "        --target    local (default: stack/settings/$HITO_ENV.env and "
    "run/$HITO_ENV/),\n"
    "                    compose (checkpoints/targets/compose.env) or a "
    "profile file\n"
    "        --scenario  runs only the scenario NAME (the gate state is not "
    "updated)\n"
    "        --tag       runs only scenarios tagged TAG (the gate state is not "
    "updated)\n"
    "        --force     runs even when an earlier checkpoint has not passed\n"
    "        --reports   the reports folder (default: reports)\n"
    "list    lists the checkpoints and their scenarios\n"
    "index   rebuilds reports/index.html\n"
    "\n"
    "Exit status: 0 every scenario passed, 1 a scenario failed or was "
    "skipped,\n"
    "2 invalid usage or target, 3 an earlier checkpoint has not passed.\n";

static int parse_number(const char *s, int *out)
{
    char *end;
    long n = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || n < 1 || n > 99)
        return -1;
    *out = (int)n;
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    size_t count;
    const struct phase *all = phases_all(&count);
    int only = 0;

    if (argc > 1 && parse_number(argv[1], &only) != 0) {
        fprintf(stderr, "hito-checkpoint: invalid checkpoint number \"%s\"\n",
                argv[1]);
        return RUNNER_EXIT_USAGE;
    }
    for (size_t i = 0; i < count; i++) {
        if (only && all[i].number != only)
            continue;
        printf("checkpoint %d: %s\n  %s\n", all[i].number, all[i].title,
               all[i].description);
        for (const struct scenario *const *s = all[i].scenarios; *s; s++)
            printf("  %-28s %s [%s]\n", (*s)->name, (*s)->title, (*s)->tags);
    }
    if (only && !phases_find(only)) {
        fprintf(stderr, "hito-checkpoint: checkpoint %d is not defined\n",
                only);
        return RUNNER_EXIT_USAGE;
    }
    return 0;
}

static int cmd_index(const char *reports)
{
    struct hito_error err = { 0 };
    int n = report_write_index(reports, &err);

    if (n < 0) {
        fprintf(stderr, "hito-checkpoint: %s\n", err.message);
        return RUNNER_EXIT_USAGE;
    }
    printf("%s/index.html: %d reports\n", reports, n);
    return 0;
}

static int parse_run(int argc, char **argv, struct runner_options *opts)
{
    if (argc < 2 || parse_number(argv[1], &opts->checkpoint) != 0) {
        fprintf(
            stderr,
            "hito-checkpoint: run needs a checkpoint number (1, 2, ...)\n%s",
            usage);
        return -1;
    }
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char **slot = NULL;

        if (strcmp(arg, "--force") == 0) {
            opts->force = 1;
            continue;
        }
        if (strcmp(arg, "--target") == 0)
            slot = &opts->target;
        else if (strcmp(arg, "--scenario") == 0)
            slot = &opts->scenario;
        else if (strcmp(arg, "--tag") == 0)
            slot = &opts->tag;
        else if (strcmp(arg, "--reports") == 0)
            slot = &opts->reports;
        if (!slot) {
            fprintf(stderr, "hito-checkpoint: unknown option \"%s\"\n%s", arg,
                    usage);
            return -1;
        }
        if (i + 1 >= argc || argv[i + 1][0] == '\0') {
            fprintf(stderr, "hito-checkpoint: %s needs a value\n", arg);
            return -1;
        }
        *slot = argv[++i];
    }
    return 0;
}

/* Returns the value after "--reports" anywhere in argv, or fallback. */
static const char *reports_option(int argc, char **argv, const char *fallback)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--reports") == 0)
            return argv[i + 1];
    return fallback;
}

int main(int argc, char **argv)
{
    struct runner_options opts = { 0 };
    const char *level = getenv("HITO_LOG_LEVEL");
    int parsed = level ? log_level_parse(level) : LOG_LEVEL_WARN;

    log_init("hito-checkpoint",
             parsed < 0 ? LOG_LEVEL_WARN : (enum log_level)parsed, NULL);
    opts.root = getenv("HITO_ROOT") ? getenv("HITO_ROOT") : ".";
    opts.env =
        getenv("HITO_ENV") && *getenv("HITO_ENV") ? getenv("HITO_ENV") : "dev";
    opts.target = "local";
    opts.reports = "reports";
    opts.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

    if (argc < 2 || strcmp(argv[1], "help") == 0 ||
        strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? RUNNER_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "index") == 0)
        return cmd_index(reports_option(argc, argv, opts.reports));
    if (strcmp(argv[1], "run") == 0) {
        if (parse_run(argc - 1, argv + 1, &opts) != 0)
            return RUNNER_EXIT_USAGE;
        return runner_run(&opts);
    }
    fprintf(stderr, "hito-checkpoint: unknown command \"%s\"\n%s", argv[1],
            usage);
    return RUNNER_EXIT_USAGE;
}

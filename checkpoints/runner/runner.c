#include "runner.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "hito/log.h"
#include "report.h"
#include "scenario_run.h"
#include "target.h"

#define RUNNER_PATH_MAX 4096
#define RUNNER_COMMIT_MAX 64

/* Maximum number of checkpoints the gate looks below. phases.c defines fewer. */
#define RUNNER_MAX_PHASES 32

#define COLOR_RED "\033[31m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_BOLD "\033[1m"
#define COLOR_RESET "\033[0m"

/*
 * Scenarios stop at their time-out through the helpers' checks, but a
 * client call without its own time-out could still block. The watchdog
 * ends the whole run this long after a scenario's time-out.
 */
#define RUNNER_WATCHDOG_GRACE_MS 30000

struct watchdog {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    const char *scenario; /* armed when not NULL */
    double deadline_ms;
    int stop;
};

static void *watchdog_main(void *arg)
{
    struct watchdog *w = arg;

    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        struct timespec until;

        if (w->scenario && scenario_now_ms() > w->deadline_ms) {
            fprintf(
                stderr,
                "hito-checkpoint: scenario %s is still running %d s after its "
                "time-out; stopping the run without reports\n",
                w->scenario, RUNNER_WATCHDOG_GRACE_MS / 1000);
            LOG_ERROR("scenario did not stop", "scenario", w->scenario);
            _exit(RUNNER_EXIT_FAILED);
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&w->wake, &w->lock, &until);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void watchdog_arm(struct watchdog *w, const struct scenario *s)
{
    long timeout =
        s->timeout_ms > 0 ? s->timeout_ms : SCENARIO_DEFAULT_TIMEOUT_MS;

    pthread_mutex_lock(&w->lock);
    w->scenario = s->name;
    w->deadline_ms =
        scenario_now_ms() + (double)timeout + RUNNER_WATCHDOG_GRACE_MS;
    pthread_mutex_unlock(&w->lock);
}

static void watchdog_disarm(struct watchdog *w)
{
    pthread_mutex_lock(&w->lock);
    w->scenario = NULL;
    pthread_mutex_unlock(&w->lock);
}

int runner_has_tag(const char *tags, const char *tag)
{
    size_t len = strlen(tag);

    for (const char *p = tags; p && *p;) {
        size_t n = strcspn(p, ",");

        if (n == len && strncmp(p, tag, len) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Runs a shell command in root and keeps the first line of its output. */
static int first_line(const char *root, const char *command, char *buf,
                      size_t size)
{
    char line[RUNNER_PATH_MAX + 128];
    FILE *p;
    int status;

    snprintf(line, sizeof(line), "cd '%s' && %s 2>/dev/null", root, command);
    p = popen(line, "r");
    if (!p)
        return -1;
    buf[0] = '\0';
    if (fgets(buf, (int)size, p))
        buf[strcspn(buf, "\n")] = '\0';
    while (fgets(line, sizeof(line), p))
        ;
    status = pclose(p);
    return status == 0 ? 0 : -1;
}

void runner_commit(const char *root, char *buf, size_t size)
{
    char dirty[256];

    if (strchr(root, '\'') ||
        first_line(root, "git rev-parse HEAD", buf, size) != 0 || !buf[0]) {
        snprintf(buf, size, "unknown");
        return;
    }
    if (first_line(root, "git status --porcelain --untracked-files=no", dirty,
                   sizeof(dirty)) == 0 &&
        dirty[0]) {
        size_t len = strlen(buf);

        snprintf(buf + len, size - len, "-dirty");
    }
}

static void now_rfc3339(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int phase_numbers(int *numbers, size_t max)
{
    size_t count;
    const struct phase *all = phases_all(&count);

    for (size_t i = 0; i < count && i < max; i++)
        numbers[i] = all[i].number;
    return (int)(count < max ? count : max);
}

/* Returns HITO_OK when the gate lets opts->checkpoint run. */
static int check_gate(const struct runner_options *opts, const struct target *t,
                      json_t *state, const char *commit)
{
    int numbers[RUNNER_MAX_PHASES];
    int count = phase_numbers(numbers, RUNNER_MAX_PHASES);
    char why[512];
    int blocking = gate_blocking(state, numbers, (size_t)count,
                                 opts->checkpoint, commit, why, sizeof(why));

    if (!blocking)
        return HITO_OK;
    if (opts->force) {
        printf("Gate ignored (--force): %s\n", why);
        return HITO_OK;
    }
    fprintf(stderr,
            "hito-checkpoint: checkpoint %d needs checkpoint %d to pass first "
            "on target %s: "
            "%s.\nRun `make checkpoint-%d%s%s` first, or run anyway with "
            "FORCE=1 (make) or "
            "--force.\n",
            opts->checkpoint, blocking, t->name, why, blocking,
            strcmp(opts->target, "local") ? " TARGET=" : "",
            strcmp(opts->target, "local") ? opts->target : "");
    return HITO_ERR_CONFLICT;
}

static int selected(const struct runner_options *opts, const struct scenario *s)
{
    if (opts->scenario && strcmp(opts->scenario, s->name) != 0)
        return 0;
    if (opts->tag && !runner_has_tag(s->tags, opts->tag))
        return 0;
    return 1;
}

static void print_result(const struct runner_options *opts,
                         const struct scenario_result *sr)
{
    static const char *const labels[] = { "PASS", "FAIL", "SKIP" };
    static const char *const colors[] = { COLOR_GREEN, COLOR_RED,
                                          COLOR_YELLOW };
    char duration[32];

    report_format_duration(sr->duration_ms, duration, sizeof(duration));
    if (opts->color)
        printf("\r\033[K  %s%s%s%s  %-30s %s\n", COLOR_BOLD,
               colors[sr->outcome], labels[sr->outcome], COLOR_RESET, sr->name,
               duration);
    else
        printf("  %s  %-30s %s\n", labels[sr->outcome], sr->name, duration);
    if (sr->message)
        printf("        %s%s%s\n", sr->message, sr->location ? " at " : "",
               sr->location ? sr->location : "");
    fflush(stdout);
}

static int run_each(const struct runner_options *opts,
                    const struct phase *phase, struct target *t,
                    struct run_result *run, struct watchdog *w)
{
    for (const struct scenario *const *s = phase->scenarios; *s; s++) {
        struct scenario_result sr;
        int rc;

        if (!selected(opts, *s))
            continue;
        if (opts->color) {
            printf("  ....  %s", (*s)->name);
            fflush(stdout);
        }
        watchdog_arm(w, *s);
        rc = scenario_execute(*s, t, &sr);
        watchdog_disarm(w);
        if (rc != HITO_OK)
            return HITO_ERR_NOMEM;
        print_result(opts, &sr);
        LOG_INFO("scenario finished", "scenario", sr.name, "outcome",
                 outcome_name(sr.outcome));
        if (run_result_add(run, &sr) != HITO_OK) {
            scenario_result_clear(&sr);
            return HITO_ERR_NOMEM;
        }
    }
    return HITO_OK;
}

static int run_scenarios(const struct runner_options *opts,
                         const struct phase *phase, struct target *t,
                         struct run_result *run)
{
    struct watchdog w = { .lock = PTHREAD_MUTEX_INITIALIZER,
                          .wake = PTHREAD_COND_INITIALIZER };
    int rc;

    if (pthread_create(&w.thread, NULL, watchdog_main, &w) != 0)
        return HITO_ERR_NOMEM;
    rc = run_each(opts, phase, t, run, &w);
    pthread_mutex_lock(&w.lock);
    w.stop = 1;
    pthread_cond_signal(&w.wake);
    pthread_mutex_unlock(&w.lock);
    pthread_join(w.thread, NULL);
    return rc;
}

static int count_selected(const struct runner_options *opts,
                          const struct phase *phase)
{
    int n = 0;

    for (const struct scenario *const *s = phase->scenarios; *s; s++)
        n += selected(opts, *s);
    return n;
}

static int init_run(struct run_result *run, const struct runner_options *opts,
                    const struct phase *phase, const struct target *t,
                    const char *commit)
{
    char started[40], rerun[RUNNER_PATH_MAX + 64];

    now_rfc3339(started, sizeof(started));
    if (t->kind == TARGET_LOCAL)
        snprintf(rerun, sizeof(rerun), "make checkpoint-%d HITO_ENV=%s",
                 phase->number, opts->env);
    else
        snprintf(rerun, sizeof(rerun), "make checkpoint-%d TARGET=%s",
                 phase->number, opts->target);
    memset(run, 0, sizeof(*run));
    run->checkpoint = phase->number;
    run->title = strdup(phase->title);
    run->description = strdup(phase->description);
    run->target = strdup(t->name);
    run->commit = strdup(commit);
    run->started_at = strdup(started);
    run->rerun = strdup(rerun);
    if (!run->title || !run->description || !run->target || !run->commit ||
        !run->started_at || !run->rerun)
        return HITO_ERR_NOMEM;
    return HITO_OK;
}

/* Writes the reports, the gate state (full runs only) and the index. */
static int save_run(const struct runner_options *opts,
                    const struct run_result *run, json_t *state,
                    const char *state_path, char *dir, size_t dir_size)
{
    struct hito_error err = { 0 };
    const char *outcome = outcome_name(run_outcome(run));
    int rc;

    snprintf(dir, dir_size, "%s/%s/checkpoint-%d", opts->reports, run->target,
             run->checkpoint);
    rc = report_write_all(run, dir, &err);
    if (rc == HITO_OK && !opts->scenario && !opts->tag) {
        rc = gate_record(state, run->checkpoint, outcome, run->commit,
                         run->started_at, run->target);
        if (rc == HITO_OK)
            rc = gate_save(state_path, state, &err);
        else
            hito_error_set(&err, rc, "cannot record the gate state");
    }
    if (rc == HITO_OK) {
        rc = report_write_index(opts->reports, &err);
        rc = rc < 0 ? rc : HITO_OK;
    }
    if (rc != HITO_OK) {
        fprintf(stderr, "hito-checkpoint: %s\n", err.message);
        LOG_ERROR("cannot write reports", "error", err.message);
    }
    return rc;
}

static void print_summary(const struct runner_options *opts,
                          const struct run_result *run, const char *dir)
{
    static const char *const verdicts[] = { "PASSED", "FAILED", "NOT PASSED" };
    enum outcome outcome = run_outcome(run);
    const char *color = "", *reset = "";
    char duration[32];

    if (opts->color) {
        color = outcome == OUTCOME_PASS ? COLOR_BOLD COLOR_GREEN
                                        : COLOR_BOLD COLOR_RED;
        reset = COLOR_RESET;
    }
    report_format_duration(run->duration_ms, duration, sizeof(duration));
    printf("\n%sCheckpoint %d %s%s on %s: %zu passed, %zu failed, %zu skipped "
           "(%s)\n",
           color, run->checkpoint, verdicts[outcome], reset, run->target,
           run->passed, run->failed, run->skipped, duration);
    printf("Reports: %s/report.html\n         %s/report.xml, report.json, "
           "report.md\n"
           "Index:   %s/index.html\n",
           dir, dir, opts->reports);
    if (opts->scenario || opts->tag)
        printf("Only part of the checkpoint ran, so the gate state was not "
               "updated.\n");
    else if (run->skipped && !run->failed)
        printf("A skipped scenario does not pass a checkpoint: see its reason "
               "above.\n");
}

static int run_checked(const struct runner_options *opts,
                       const struct phase *phase, struct target *t)
{
    char commit[RUNNER_COMMIT_MAX], state_path[RUNNER_PATH_MAX],
        dir[RUNNER_PATH_MAX];
    struct hito_error err = { 0 };
    struct run_result run;
    json_t *state = NULL;
    double started;
    int rc, exit_code = RUNNER_EXIT_USAGE;

    runner_commit(opts->root, commit, sizeof(commit));
    snprintf(state_path, sizeof(state_path), "%s/%s/state.json", opts->reports,
             t->name);
    if (report_mkdirs(opts->reports, &err) != HITO_OK ||
        gate_load(state_path, &state, &err) != HITO_OK) {
        fprintf(stderr, "hito-checkpoint: %s\n", err.message);
        return RUNNER_EXIT_USAGE;
    }
    if (check_gate(opts, t, state, commit) != HITO_OK) {
        json_decref(state);
        return RUNNER_EXIT_GATED;
    }
    printf("Checkpoint %d: %s\nTarget %s (%s), commit %s\n\n", phase->number,
           phase->title, t->name, t->files[0], commit);
    LOG_INFO("checkpoint started", "target", t->name, "commit", commit);
    rc = init_run(&run, opts, phase, t, commit);
    started = scenario_now_ms();
    if (rc == HITO_OK)
        rc = run_scenarios(opts, phase, t, &run);
    run.duration_ms = scenario_now_ms() - started;
    if (rc == HITO_OK)
        rc = save_run(opts, &run, state, state_path, dir, sizeof(dir));
    else
        fprintf(stderr, "hito-checkpoint: out of memory\n");
    if (rc == HITO_OK) {
        print_summary(opts, &run, dir);
        exit_code =
            run.failed || run.skipped ? RUNNER_EXIT_FAILED : RUNNER_EXIT_PASSED;
    }
    run_result_clear(&run);
    json_decref(state);
    return exit_code;
}

int runner_run(const struct runner_options *opts)
{
    const struct phase *phase = phases_find(opts->checkpoint);
    struct hito_error err = { 0 };
    struct target *t;
    int code;

    if (!phase) {
        fprintf(stderr,
                "hito-checkpoint: checkpoint %d is not defined; "
                "`hito-checkpoint list` shows the defined ones\n",
                opts->checkpoint);
        return RUNNER_EXIT_USAGE;
    }
    if (count_selected(opts, phase) == 0) {
        fprintf(
            stderr,
            "hito-checkpoint: no scenario of checkpoint %d matches%s%s%s%s\n",
            phase->number, opts->scenario ? " --scenario " : "",
            opts->scenario ? opts->scenario : "", opts->tag ? " --tag " : "",
            opts->tag ? opts->tag : "");
        return RUNNER_EXIT_USAGE;
    }
    if (target_load(opts->target, opts->root, opts->env, &t, &err) != HITO_OK) {
        fprintf(stderr, "hito-checkpoint: target %s: %s\n", opts->target,
                err.message);
        return RUNNER_EXIT_USAGE;
    }
    code = run_checked(opts, phase, t);
    target_free(t);
    return code;
}

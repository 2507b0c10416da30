/* metrics.c - a process-wide Prometheus registry, text format 0.0.4. */
#include "hito/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hito/err.h"

static const double latency_buckets[] = METRICS_LATENCY_BUCKETS;
#define BUCKET_COUNT (sizeof(latency_buckets) / sizeof(latency_buckets[0]))

struct series {
    char *labels;
    double value;                    /* counter or gauge value, histogram sum */
    uint64_t count;                  /* histogram observations */
    uint64_t buckets[BUCKET_COUNT];  /* per-bucket (not cumulative) counts */
    struct series *next;
};

struct family {
    char *name;
    char *help;
    enum metrics_type type;
    struct series *first;
    struct series *last;
    size_t series_count;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct family families[METRICS_MAX_FAMILIES];
static size_t family_count;

static struct family *find_family(const char *name)
{
    size_t i;

    for (i = 0; i < family_count; i++) {
        if (strcmp(families[i].name, name) == 0)
            return &families[i];
    }
    return NULL;
}

int metrics_define(const char *name, const char *help, enum metrics_type type)
{
    struct family *fam;
    int rc = HITO_OK;

    pthread_mutex_lock(&registry_lock);
    fam = find_family(name);
    if (fam != NULL) {
        rc = fam->type == type ? HITO_OK : HITO_ERR_CONFLICT;
        goto out;
    }
    if (family_count == METRICS_MAX_FAMILIES) {
        rc = HITO_ERR_LIMIT;
        goto out;
    }
    fam = &families[family_count];
    memset(fam, 0, sizeof(*fam));
    fam->name = strdup(name);
    fam->help = strdup(help ? help : "");
    fam->type = type;
    if (fam->name == NULL || fam->help == NULL) {
        free(fam->name);
        free(fam->help);
        rc = HITO_ERR_NOMEM;
        goto out;
    }
    family_count++;
out:
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

/* Finds or creates the series. Returns NULL when out of memory or over the bound. */
static struct series *find_series(struct family *fam, const char *labels)
{
    struct series *s;

    if (labels == NULL)
        labels = "";
    for (s = fam->first; s != NULL; s = s->next) {
        if (strcmp(s->labels, labels) == 0)
            return s;
    }
    if (fam->series_count == METRICS_MAX_SERIES)
        return NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->labels = strdup(labels);
    if (s->labels == NULL) {
        free(s);
        return NULL;
    }
    if (fam->last != NULL)
        fam->last->next = s;
    else
        fam->first = s;
    fam->last = s;
    fam->series_count++;
    return s;
}

/* Applies one update to the series of name/labels when the family has type. */
static void update(const char *name, const char *labels, enum metrics_type type, double value)
{
    struct family *fam;
    struct series *s;
    size_t i;

    pthread_mutex_lock(&registry_lock);
    fam = find_family(name);
    if (fam == NULL || fam->type != type)
        goto out;
    s = find_series(fam, labels);
    if (s == NULL)
        goto out;
    switch (type) {
    case METRICS_COUNTER:
        s->value += value;
        break;
    case METRICS_GAUGE:
        s->value = value;
        break;
    case METRICS_HISTOGRAM:
        s->value += value;
        s->count++;
        for (i = 0; i < BUCKET_COUNT; i++) {
            if (value <= latency_buckets[i]) {
                s->buckets[i]++;
                break;
            }
        }
        break;
    }
out:
    pthread_mutex_unlock(&registry_lock);
}

void metrics_add(const char *name, const char *labels, double value)
{
    update(name, labels, METRICS_COUNTER, value);
}

void metrics_set(const char *name, const char *labels, double value)
{
    update(name, labels, METRICS_GAUGE, value);
}

void metrics_observe(const char *name, const char *labels, double value)
{
    update(name, labels, METRICS_HISTOGRAM, value);
}

static void write_number(FILE *out, double value)
{
    if (isnan(value))
        fputs("NaN", out);
    else if (isinf(value))
        fputs(value > 0 ? "+Inf" : "-Inf", out);
    else
        fprintf(out, "%.15g", value);
}

/* Writes the HELP text with backslash and newline escaped, as 0.0.4 requires. */
static void write_help(FILE *out, const struct family *fam)
{
    const char *p;

    fprintf(out, "# HELP %s ", fam->name);
    for (p = fam->help; *p != '\0'; p++) {
        if (*p == '\\')
            fputs("\\\\", out);
        else if (*p == '\n')
            fputs("\\n", out);
        else
            fputc(*p, out);
    }
    fputc('\n', out);
}

/* Writes name{labels} or name{labels,le="bound"}, with braces only when needed. */
static void write_name(FILE *out, const char *name, const char *suffix, const char *labels,
                       const char *le)
{
    int has_labels = labels[0] != '\0';

    fprintf(out, "%s%s", name, suffix);
    if (!has_labels && le == NULL) {
        fputc(' ', out);
        return;
    }
    fputc('{', out);
    if (has_labels)
        fputs(labels, out);
    if (le != NULL)
        fprintf(out, "%sle=\"%s\"", has_labels ? "," : "", le);
    fputs("} ", out);
}

static void write_histogram(FILE *out, const struct family *fam, const struct series *s)
{
    char le[32];
    uint64_t cumulative = 0;
    size_t i;

    for (i = 0; i < BUCKET_COUNT; i++) {
        cumulative += s->buckets[i];
        snprintf(le, sizeof(le), "%g", latency_buckets[i]);
        write_name(out, fam->name, "_bucket", s->labels, le);
        fprintf(out, "%llu\n", (unsigned long long)cumulative);
    }
    write_name(out, fam->name, "_bucket", s->labels, "+Inf");
    fprintf(out, "%llu\n", (unsigned long long)s->count);
    write_name(out, fam->name, "_sum", s->labels, NULL);
    write_number(out, s->value);
    fputc('\n', out);
    write_name(out, fam->name, "_count", s->labels, NULL);
    fprintf(out, "%llu\n", (unsigned long long)s->count);
}

static void write_family(FILE *out, const struct family *fam)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    const struct series *s;

    write_help(out, fam);
    fprintf(out, "# TYPE %s %s\n", fam->name, type_names[fam->type]);
    for (s = fam->first; s != NULL; s = s->next) {
        if (fam->type == METRICS_HISTOGRAM) {
            write_histogram(out, fam, s);
            continue;
        }
        write_name(out, fam->name, "", s->labels, NULL);
        write_number(out, s->value);
        fputc('\n', out);
    }
}

char *metrics_render(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    size_t i;

    if (out == NULL)
        return NULL;
    pthread_mutex_lock(&registry_lock);
    for (i = 0; i < family_count; i++)
        write_family(out, &families[i]);
    pthread_mutex_unlock(&registry_lock);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Returns the two-character escape of c in a label value, or NULL. */
static const char *label_escape(char c)
{
    switch (c) {
    case '\\':
        return "\\\\";
    case '"':
        return "\\\"";
    case '\n':
        return "\\n";
    default:
        return NULL;
    }
}

int metrics_escape_label(const char *value, char *out, size_t size)
{
    size_t used = 0;

    if (size == 0)
        return -1;
    for (; *value != '\0'; value++) {
        const char *piece = label_escape(*value);
        size_t piece_len = piece ? 2 : 1;

        if (used + piece_len >= size) {
            out[used] = '\0';
            return -1;
        }
        if (piece != NULL)
            memcpy(out + used, piece, 2);
        else
            out[used] = *value;
        used += piece_len;
    }
    out[used] = '\0';
    return 0;
}

void metrics_reset(void)
{
    size_t i;

    pthread_mutex_lock(&registry_lock);
    for (i = 0; i < family_count; i++) {
        struct series *s = families[i].first;

        while (s != NULL) {
            struct series *next = s->next;

            free(s->labels);
            free(s);
            s = next;
        }
        free(families[i].name);
        free(families[i].help);
    }
    family_count = 0;
    pthread_mutex_unlock(&registry_lock);
}

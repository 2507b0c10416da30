/*
 * metrics.h - a process-wide Prometheus registry (text exposition format
 * 0.0.4). Families are defined once at start; samples are identified by a
 * label string such as `method="GET",status="200"` (already escaped by the
 * caller, "" for none). All functions are thread-safe.
 */
#ifndef HITO_METRICS_H
#define HITO_METRICS_H

#include <stddef.h>

#define METRICS_MAX_FAMILIES 256
#define METRICS_MAX_SERIES 4096

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };

/*
 * Defines a family. Histograms use the latency buckets of
 * METRICS_LATENCY_BUCKETS (seconds). Defining an existing name with the same
 * type is a no-op; returns HITO_ERR_CONFLICT for another type, HITO_ERR_LIMIT
 * past METRICS_MAX_FAMILIES families. A family keeps at most
 * METRICS_MAX_SERIES label sets; updates of further label sets are dropped.
 */
int metrics_define(const char *name, const char *help, enum metrics_type type);

/* Adds value to a counter, or sets a gauge. Unknown names are ignored. */
void metrics_add(const char *name, const char *labels, double value);
void metrics_set(const char *name, const char *labels, double value);

/* Records one observation in a histogram (value in seconds). */
void metrics_observe(const char *name, const char *labels, double value);

/* Renders every family; the caller frees the string. NULL when out of memory. */
char *metrics_render(void);

/*
 * Copies value into out (size bytes) escaped for a label value: backslash,
 * double quote and newline get a backslash. Returns 0, or -1 when it does
 * not fit (out then contains a truncated but valid escape).
 */
int metrics_escape_label(const char *value, char *out, size_t size);

/* Drops every family; for tests. */
void metrics_reset(void);

#define METRICS_LATENCY_BUCKETS \
    { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 }

#endif

/*
 * stats.h - turns KrakenD 1.4's JSON statistics (krakend-metrics, served at
 * /__stats) into Prometheus gauges of the process registry (metrics.h).
 *
 * KrakenD 1.4 names each statistic with one dotted key, for example
 *   krakend.router.response./v1/otp/issue.status.200.count
 *   krakend.proxy.requests.layer.pipe.name./v1/otp/issue.complete.true.error.false
 *   krakend.router.connected-total
 * Only these request and connection counters are exported; the Go runtime
 * statistics are left out. The values are cumulative counts since KrakenD
 * started, refreshed every collection period (collection_time).
 */
#ifndef HITO_KRAKEND_STATS_H
#define HITO_KRAKEND_STATS_H

#include <jansson.h>

#include "hito/err.h"

/* Maximum length of an endpoint path in a label; longer keys are skipped. */
#define STATS_MAX_ENDPOINT 256

enum stats_kind { STATS_RESPONSES, STATS_PROXY_REQUESTS, STATS_CONNECTIONS };

/* One statistic, parsed from its key. */
struct stats_sample {
    enum stats_kind kind;
    char endpoint[STATS_MAX_ENDPOINT]; /* responses and proxy requests */
    char status[8];                    /* responses: "200" */
    char layer[16];                    /* proxy requests: "pipe", "backend" */
    int complete;                      /* proxy requests */
    int error;                         /* proxy requests */
    int connected;                     /* connections: 1 connected, 0 disconnected */
};

/*
 * Parses a statistic key. Returns HITO_OK, or HITO_ERR_NOT_FOUND for a key
 * that is not exported (or does not fit the fields above).
 */
int stats_parse_key(const char *key, struct stats_sample *out);

/* Defines the exported families; call once before stats_apply. */
int stats_define(void);

/*
 * Sets a gauge for every exported statistic of the /__stats object and
 * returns how many were set. Non-numeric values are skipped.
 */
int stats_apply(const json_t *stats);

#endif

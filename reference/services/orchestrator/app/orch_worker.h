/*
 * orch_worker.h - what becomes of each inbound message. The use case
 * handles it and the outcome is counted in the metrics. A failure is
 * retried with backoff up to max_attempts tries, then the message goes to
 * the dead-letter queue. Tries are counted in Redis per wamid, because a
 * classic queue keeps no delivery count.
 */
#ifndef ORCH_WORKER_H
#define ORCH_WORKER_H

#include "hito/redisc.h"
#include "orch_service.h"
#include "rabbitmq/orch_inbound.h"

/* Tries are counted for this long after a message's first failure. */
#define ORCH_WORKER_ATTEMPTS_TTL_SECONDS 86400

struct orch_worker {
    struct orch_service *service;
    struct redisc *redis;
    long max_attempts;
    long retry_base_ms;
    long retry_max_ms;
};

/* Defines the orchestrator's metric families; call once at start. */
void orch_worker_define_metrics(void);

/* Implements orch_inbound_handler; user is a struct orch_worker. */
enum mq_verdict orch_worker_handle(const struct orch_inbound *msg,
                                   int redelivered, void *user);

#endif

#include "orch_worker.h"

#include <stdio.h>
#include <time.h>

#include "hito/log.h"
#include "hito/metrics.h"

#define LABEL_SIZE 160

void orch_worker_define_metrics(void)
{
    metrics_define("orch_turns_total",
                   "Inbound messages handled, by intent and result",
                   METRICS_COUNTER);
    metrics_define("orch_conversations_total", "Conversations started",
                   METRICS_COUNTER);
    metrics_define("orch_handovers_total",
                   "Conversations handed to a human, by reason",
                   METRICS_COUNTER);
    metrics_define("orch_reply_latency_seconds",
                   "Time from the webhook receiving a message to its reply "
                   "being sent",
                   METRICS_HISTOGRAM);
    metrics_define("orch_retries_total",
                   "Inbound messages requeued after a failure",
                   METRICS_COUNTER);
    metrics_define("orch_dead_lettered_total",
                   "Inbound messages sent to the dead-letter queue",
                   METRICS_COUNTER);
}

static void record(const struct orch_turn_result *r, const char *outcome)
{
    char intent[ORCH_NAME_SIZE * 2], labels[LABEL_SIZE];

    metrics_escape_label(r->intent[0] ? r->intent : "none", intent,
                         sizeof(intent));
    snprintf(labels, sizeof(labels), "intent=\"%s\",result=\"%s\"", intent,
             outcome);
    metrics_add("orch_turns_total", labels, 1);
    if (r->new_conversation)
        metrics_add("orch_conversations_total", "", 1);
    if (r->handover[0] != '\0') {
        snprintf(labels, sizeof(labels), "reason=\"%s\"", r->handover);
        metrics_add("orch_handovers_total", labels, 1);
    }
    if (r->replied && r->latency_s >= 0)
        metrics_observe("orch_reply_latency_seconds", "", r->latency_s);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Counts one more failed try of wamid; returns the count, or 1 on error. */
static long count_attempt(struct redisc *redis, const char *wamid)
{
    redisReply *reply = NULL;
    long attempts = 1;

    if (redisc_command(redis, &reply, NULL, "INCR orch:attempts:%s", wamid) !=
        HITO_OK)
        return attempts;
    if (reply->type == REDIS_REPLY_INTEGER)
        attempts = (long)reply->integer;
    freeReplyObject(reply);
    redisc_command(redis, NULL, NULL, "EXPIRE orch:attempts:%s %d", wamid,
                   ORCH_WORKER_ATTEMPTS_TTL_SECONDS);
    return attempts;
}

/* Waits before a retry: base doubled per earlier try, capped. */
static enum mq_verdict retry_later(const struct orch_worker *worker,
                                   const struct orch_inbound *msg,
                                   const struct hito_error *err)
{
    long attempts = count_attempt(worker->redis, msg->wamid);
    long delay = worker->retry_base_ms;
    char text[32];

    snprintf(text, sizeof(text), "%ld", attempts);
    if (attempts >= worker->max_attempts) {
        LOG_ERROR("dead-lettering a message that keeps failing", "wamid",
                  msg->wamid, "attempts", text, "error", err->message);
        metrics_add("orch_dead_lettered_total", "", 1);
        return MQ_REJECT;
    }
    for (long i = 1; i < attempts && delay < worker->retry_max_ms; i++)
        delay *= 2;
    if (delay > worker->retry_max_ms)
        delay = worker->retry_max_ms;
    LOG_WARN("handling a message failed; retrying", "wamid", msg->wamid,
             "attempts", text, "error", err->message);
    metrics_add("orch_retries_total", "", 1);
    sleep_ms(delay);
    return MQ_NACK_REQUEUE;
}

enum mq_verdict orch_worker_handle(const struct orch_inbound *msg,
                                   int redelivered, void *user)
{
    const struct orch_worker *worker = user;
    struct orch_turn_result result;
    struct hito_error err = { 0 };
    int rc;

    rc = orch_service_handle(worker->service, msg, &result, &err);
    /* Invalid: the message itself; protocol: a service refused the turn
     * for good (a 4xx other than 401, 403 and 429). Neither passes on a
     * retry. */
    if (rc == HITO_ERR_INVALID || rc == HITO_ERR_PROTOCOL) {
        LOG_ERROR("dead-lettering a message that cannot be handled", "wamid",
                  msg->wamid, "error", err.message);
        metrics_add("orch_dead_lettered_total", "", 1);
        return MQ_REJECT;
    }
    if (rc != HITO_OK) {
        record(&result, "failed");
        return retry_later(worker, msg, &err);
    }
    record(&result, result.duplicate ? "duplicate" : "handled");
    if (result.duplicate) {
        LOG_INFO("skipped a message handled before", "wamid", msg->wamid);
        return MQ_ACK;
    }
    LOG_INFO("message handled", "wamid", msg->wamid, "intent", result.intent,
             "from_state", orch_state_name(result.before), "to_state",
             orch_state_name(result.after), "reply",
             result.reply ? result.reply : "none", "redelivered",
             redelivered ? "true" : "false");
    return MQ_ACK;
}

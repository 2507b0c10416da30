/*
 * wa_policy.h - the rules a send follows: Meta's 24-hour customer service
 * window and the retry policy for Cloud API error codes.
 */
#ifndef WA_POLICY_H
#define WA_POLICY_H

/* Free-form messages are allowed only this long after the customer's last
 * inbound message; outside it only approved templates may be sent. */
#define WA_WINDOW_SECONDS (24L * 60 * 60)

/*
 * Returns nonzero when a message may be sent at now (Unix seconds):
 * templates always, free-form messages only when last_inbound (Unix seconds,
 * 0 when the customer never wrote) is within WA_WINDOW_SECONDS before now.
 */
int wa_window_allows(int is_template, long long last_inbound, long long now);

/*
 * Returns nonzero for Cloud API error codes worth retrying with backoff:
 * 130429 (throughput limit), 131056 (too many messages to one recipient)
 * and 80007 (account rate limit). Every other code, among them 131047
 * (outside the 24-hour window), 131026 (undeliverable), 132000 (template
 * parameter count) and 132001 (template missing), is permanent.
 */
int wa_error_is_retryable(long code);

/*
 * Returns the delay before retry number attempt (1 for the first retry):
 * base_ms doubled per attempt, capped at max_ms.
 */
long wa_retry_delay_ms(int attempt, long base_ms, long max_ms);

#endif

#include "wa_policy.h"

int wa_window_allows(int is_template, long long last_inbound, long long now)
{
    if (is_template)
        return 1;
    if (last_inbound <= 0)
        return 0;
    return now - last_inbound <= WA_WINDOW_SECONDS;
}

int wa_error_is_retryable(long code)
{
    return code == 130429 || code == 131056 || code == 80007;
}

long wa_retry_delay_ms(int attempt, long base_ms, long max_ms)
{
    long delay = base_ms;

    for (int i = 1; i < attempt && delay < max_ms; i++)
        delay *= 2;
    return delay < max_ms ? delay : max_ms;
}

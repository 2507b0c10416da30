#include "otp_system.h"

#include <limits.h>
#include <time.h>

#include <openssl/rand.h>

#include "hito/err.h"

int otp_system_random(unsigned char *buf, size_t len)
{
    if (len > INT_MAX || RAND_bytes(buf, (int)len) != 1)
        return HITO_ERR_IO;
    return HITO_OK;
}

long long otp_system_clock(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

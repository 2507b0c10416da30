/* Every host name the target configures resolves (getaddrinfo). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "runner/scenario.h"

struct host_list {
    const char *keys[64];
    const char *values[64];
    size_t count;
};

static void collect_host(const char *key, const char *value, void *arg)
{
    struct host_list *hosts = arg;
    size_t len = strlen(key);

    if (len > 5 && strcmp(key + len - 5, "_HOST") == 0 && value && *value &&
        hosts->count < sizeof(hosts->keys) / sizeof(*hosts->keys)) {
        hosts->keys[hosts->count] = key;
        hosts->values[hosts->count] = value;
        hosts->count++;
    }
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >>
                24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(
            &((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

static void resolve(struct scenario_ctx *ctx, const char *key, const char *host)
{
    struct addrinfo hints = { 0 }, *res = NULL;
    char found[512] = "", addr[INET6_ADDRSTRLEN];
    int all_loopback = 1, rc;
    double started = scenario_now_ms();

    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        scenario_record(ctx, "getaddrinfo", host, gai_strerror(rc),
                        scenario_now_ms() - started);
        scenario_fail(ctx, "name resolution: %s=%s does not resolve: %s", key,
                      host, gai_strerror(rc));
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        const void *a =
            ai->ai_family == AF_INET
                ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)
                      ->sin6_addr;

        if (!inet_ntop(ai->ai_family, a, addr, sizeof(addr)))
            continue;
        if (!strstr(found, addr) &&
            strlen(found) + strlen(addr) + 2 < sizeof(found))
            snprintf(found + strlen(found), sizeof(found) - strlen(found),
                     "%s%s", found[0] ? " " : "", addr);
        all_loopback = all_loopback && is_loopback(ai->ai_addr);
    }
    freeaddrinfo(res);
    scenario_record(ctx, "getaddrinfo", host, found,
                    scenario_now_ms() - started);
    if (scenario_target_is_local(ctx))
        expect_true(
            ctx, all_loopback,
            "name resolution: %s=%s resolves to %s; the local stack must use "
            "loopback addresses only",
            key, host, found);
}

static void run(struct scenario_ctx *ctx)
{
    struct host_list hosts = { 0 };

    step_begin(ctx, "Collect the host names of the target's settings");
    scenario_each_setting(ctx, collect_host, &hosts);
    expect_true(ctx, hosts.count > 0,
                "the target sets at least one *_HOST (found %zu)", hosts.count);
    for (size_t i = 0; i < hosts.count; i++) {
        step_begin(ctx, "%s=%s resolves", hosts.keys[i], hosts.values[i]);
        resolve(ctx, hosts.keys[i], hosts.values[i]);
    }
}

const struct scenario infra_name_resolution = {
    .name = "name-resolution",
    .title = "Every configured host name resolves",
    .tags = "infra,dns",
    .timeout_ms = 20000,
    .run = run,
};

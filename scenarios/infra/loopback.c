/*
 * Every component listens on loopback only: for each configured *_PORT,
 * every listening TCP socket on that port (from /proc/net/tcp and
 * /proc/net/tcp6) must be bound to 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/scenario.h"

#define LOOPBACK_MAX_PORTS 128
#define LOOPBACK_LINE_MAX 512
/* The state column of /proc/net/tcp: 0A is TCP_LISTEN. */
#define TCP_STATE_LISTEN 0x0A

/* Ports checkpoint 1's components must be listening on. */
static const char *const required_ports[] = {
    "PG_PORT", "REDIS_PORT", "AMQP_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT",
};

struct port_list {
    const char *keys[LOOPBACK_MAX_PORTS];
    long ports[LOOPBACK_MAX_PORTS];
    size_t count;
};

static void collect_port(const char *key, const char *value, void *arg)
{
    struct port_list *list = arg;
    size_t len = strlen(key);
    char *end;
    long port;

    if (len <= 5 || strcmp(key + len - 5, "_PORT") != 0 || !value ||
        list->count == LOOPBACK_MAX_PORTS)
        return;
    port = strtol(value, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535)
        return;
    list->keys[list->count] = key;
    list->ports[list->count] = port;
    list->count++;
}

/* Converts /proc's hex address (groups of host-order 32-bit words) to text. */
static int parse_address(const char *hex, int family, char *out, size_t size, int *loopback)
{
    unsigned char bytes[16];
    size_t words = family == AF_INET ? 1 : 4;

    if (strlen(hex) != words * 8)
        return -1;
    for (size_t i = 0; i < words; i++) {
        char word[9];
        unsigned int value;

        memcpy(word, hex + i * 8, 8);
        word[8] = '\0';
        if (sscanf(word, "%x", &value) != 1)
            return -1;
        memcpy(bytes + i * 4, &value, 4);
    }
    if (!inet_ntop(family, bytes, out, (socklen_t)size))
        return -1;
    if (family == AF_INET)
        *loopback = bytes[0] == 127;
    else
        *loopback = IN6_IS_ADDR_LOOPBACK((struct in6_addr *)bytes) ||
                    (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)bytes) && bytes[12] == 127);
    return 0;
}

struct listener_scan {
    long port;
    int listening;
    char exposed[256];
    char seen[512];
};

static void scan_file(struct scenario_ctx *ctx, const char *path, int family,
                      struct listener_scan *scan)
{
    char line[LOOPBACK_LINE_MAX], local[80], address[INET6_ADDRSTRLEN];
    FILE *f = fopen(path, "r");

    if (!f) {
        if (family == AF_INET6)
            return;  /* a kernel without IPv6 */
        scenario_fail(ctx, "cannot read %s, so listening addresses are unknown", path);
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned int port, state;
        char *colon;
        int loopback;

        if (sscanf(line, " %*d: %79s %*s %x", local, &state) != 2 || state != TCP_STATE_LISTEN)
            continue;
        colon = strchr(local, ':');
        if (!colon || sscanf(colon + 1, "%x", &port) != 1 || (long)port != scan->port)
            continue;
        *colon = '\0';
        if (parse_address(local, family, address, sizeof(address), &loopback) != 0)
            continue;
        scan->listening = 1;
        snprintf(scan->seen + strlen(scan->seen), sizeof(scan->seen) - strlen(scan->seen),
                 "%s%s", scan->seen[0] ? " " : "", address);
        if (!loopback)
            snprintf(scan->exposed + strlen(scan->exposed),
                     sizeof(scan->exposed) - strlen(scan->exposed), "%s%s",
                     scan->exposed[0] ? " " : "", address);
    }
    fclose(f);
}

static int is_required(const char *key)
{
    for (size_t i = 0; i < sizeof(required_ports) / sizeof(*required_ports); i++)
        if (strcmp(required_ports[i], key) == 0)
            return 1;
    return 0;
}

static void check_port(struct scenario_ctx *ctx, const char *key, long port)
{
    struct listener_scan scan = {.port = port};
    char sent[64];

    scan_file(ctx, "/proc/net/tcp", AF_INET, &scan);
    scan_file(ctx, "/proc/net/tcp6", AF_INET6, &scan);
    snprintf(sent, sizeof(sent), "listening sockets on port %ld", port);
    scenario_record(ctx, "/proc/net/tcp, /proc/net/tcp6", sent,
                    scan.listening ? scan.seen : "none", 0);
    if (!scan.listening) {
        expect_true(ctx, !is_required(key), "%s=%ld: nothing listens on this port", key, port);
        scenario_note(ctx, "%s=%ld: nothing listens (that component is not part of this "
                           "stack yet)", key, port);
        return;
    }
    expect_true(ctx, scan.exposed[0] == '\0',
                "%s=%ld listens on loopback only (non-loopback: %s)", key, port,
                scan.exposed[0] ? scan.exposed : "none");
}

static void run(struct scenario_ctx *ctx)
{
    struct port_list list = {0};
    const char *host = scenario_setting(ctx, "HITO_HOST");

    /* A profile whose components all run on this machine sets HITO_HOST to
     * a loopback address; otherwise their sockets are not visible here. */
    if (!scenario_target_is_local(ctx) &&
        (!host || (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
                   strcmp(host, "localhost") != 0)))
        scenario_skip(ctx, "the components of this target do not run on this machine "
                           "(HITO_HOST=%s), so their listening addresses cannot be read",
                      host ? host : "unset");

    step_begin(ctx, "Collect the ports of the target's settings");
    scenario_each_setting(ctx, collect_port, &list);
    expect_true(ctx, list.count > 0, "the target sets at least one *_PORT");
    for (size_t i = 0; i < list.count; i++) {
        step_begin(ctx, "%s=%ld listens on loopback only", list.keys[i], list.ports[i]);
        check_port(ctx, list.keys[i], list.ports[i]);
    }
}

const struct scenario infra_loopback_only = {
    .name = "loopback-only",
    .title = "Every component listens on loopback only",
    .tags = "infra,network,security",
    .timeout_ms = 20000,
    .run = run,
};

/*
 * Every component listens on loopback only: for each configured *_PORT,
 * every listening TCP socket on that port (from /proc/net/tcp and
 * /proc/net/tcp6) must be bound to 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
 * On the local target, no process of the stack may listen on another
 * address on any port either (Erlang distribution, cluster ports...).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/scenario.h"

#define LOOPBACK_MAX_PORTS 128
#define LOOPBACK_MAX_LISTENERS 4096
#define LOOPBACK_LINE_MAX 512
/* Bytes of a process's environment searched for the stack's mark. */
#define LOOPBACK_ENVIRON_MAX (256 * 1024)
/* The state column of /proc/net/tcp: 0A is TCP_LISTEN. */
#define TCP_STATE_LISTEN 0x0A

/* Ports checkpoint 1's components must be listening on. */
static const char *const required_ports[] = {
    "PG_PORT",         "REDIS_PORT",        "AMQP_PORT",
    "PROMETHEUS_PORT", "ALERTMANAGER_PORT",
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
static int parse_address(const char *hex, int family, char *out, size_t size,
                         int *loopback)
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
                    (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)bytes) &&
                     bytes[12] == 127);
    return 0;
}

struct listener {
    long port;
    unsigned long inode;
    int loopback;
    char address[INET6_ADDRSTRLEN];
};

struct listener_table {
    struct listener items[LOOPBACK_MAX_LISTENERS];
    size_t count;
};

/* Adds every listening TCP socket of one /proc/net file to table. */
static void read_listeners(struct scenario_ctx *ctx, const char *path,
                           int family, struct listener_table *table)
{
    char line[LOOPBACK_LINE_MAX], local[80];
    FILE *f = fopen(path, "r");

    if (!f) {
        if (family == AF_INET6)
            return; /* a kernel without IPv6 */
        scenario_fail(ctx, "cannot read %s, so listening addresses are unknown",
                      path);
    }
    while (fgets(line, sizeof(line), f) &&
           table->count < LOOPBACK_MAX_LISTENERS) {
        struct listener *l = &table->items[table->count];
        unsigned int port, state;
        unsigned long inode;
        char *colon;

        /* sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode */
        if (sscanf(line, " %*d: %79s %*s %x %*s %*s %*s %*u %*u %lu", local,
                   &state, &inode) != 3 ||
            state != TCP_STATE_LISTEN)
            continue;
        colon = strchr(local, ':');
        if (!colon || sscanf(colon + 1, "%x", &port) != 1)
            continue;
        *colon = '\0';
        if (parse_address(local, family, l->address, sizeof(l->address),
                          &l->loopback) != 0)
            continue;
        l->port = (long)port;
        l->inode = inode;
        table->count++;
    }
    fclose(f);
}

static int is_required(const char *key)
{
    for (size_t i = 0; i < sizeof(required_ports) / sizeof(*required_ports);
         i++)
        if (strcmp(required_ports[i], key) == 0)
            return 1;
    return 0;
}

static void check_port(struct scenario_ctx *ctx,
                       const struct listener_table *table, const char *key,
                       long port)
{
    char seen[512] = "", exposed[256] = "", sent[64];

    for (size_t i = 0; i < table->count; i++) {
        const struct listener *l = &table->items[i];

        if (l->port != port)
            continue;
        snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
                 seen[0] ? " " : "", l->address);
        if (!l->loopback)
            snprintf(exposed + strlen(exposed),
                     sizeof(exposed) - strlen(exposed), "%s%s",
                     exposed[0] ? " " : "", l->address);
    }
    snprintf(sent, sizeof(sent), "listening sockets on port %ld", port);
    scenario_record(ctx, "/proc/net/tcp, /proc/net/tcp6", sent,
                    seen[0] ? seen : "none", 0);
    if (!seen[0]) {
        expect_true(ctx, !is_required(key),
                    "%s=%ld: nothing listens on this port", key, port);
        scenario_note(
            ctx,
            "%s=%ld: nothing listens (that component is not part of this "
            "stack yet)",
            key, port);
        return;
    }
    expect_true(ctx, exposed[0] == '\0',
                "%s=%ld listens on loopback only (non-loopback: %s)", key, port,
                exposed[0] ? exposed : "none");
}

/* Returns nonzero when process pid carries the stack's HITO_STACK mark. */
static int in_stack(const char *pid, const char *run_dir)
{
    static char environ[LOOPBACK_ENVIRON_MAX];
    char path[300], *resolved;
    size_t len;
    int found = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%s/environ", pid);
    f = fopen(path, "r");
    if (!f)
        return 0; /* gone, or not readable by this user */
    len = fread(environ, 1, sizeof(environ) - 1, f);
    fclose(f);
    environ[len] = '\0';
    for (size_t i = 0; i < len && !found; i += strlen(environ + i) + 1) {
        if (strncmp(environ + i, "HITO_STACK=", 11) != 0)
            continue;
        resolved = realpath(environ + i + 11, NULL);
        found = resolved && strcmp(resolved, run_dir) == 0;
        free(resolved);
    }
    return found;
}

/* Returns the listener whose socket inode process pid holds, or NULL. */
static const struct listener *
owned_listener(const char *pid, const struct listener_table *exposed)
{
    char path[300], link[64];
    struct dirent *de;
    DIR *d;
    const struct listener *found = NULL;

    snprintf(path, sizeof(path), "/proc/%s/fd", pid);
    d = opendir(path);
    while (d && !found && (de = readdir(d)) != NULL) {
        char fd_path[600];
        unsigned long inode;
        ssize_t n;

        snprintf(fd_path, sizeof(fd_path), "%s/%s", path, de->d_name);
        n = readlink(fd_path, link, sizeof(link) - 1);
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (sscanf(link, "socket:[%lu]", &inode) != 1)
            continue;
        for (size_t i = 0; i < exposed->count && !found; i++)
            if (exposed->items[i].inode == inode)
                found = &exposed->items[i];
    }
    if (d)
        closedir(d);
    return found;
}

/* Copies the command name of process pid into buf ("?" when unknown). */
static void read_comm(const char *pid, char *buf, size_t size)
{
    char path[64];
    FILE *f;

    snprintf(buf, size, "?");
    snprintf(path, sizeof(path), "/proc/%.31s/comm", pid);
    f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)size, f))
        buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/*
 * Fails when a process of the local stack (marked HITO_STACK=<run dir> by
 * stack/bin/stack) listens on a non-loopback address, on any port.
 */
static void check_stack_processes(struct scenario_ctx *ctx,
                                  const struct listener_table *all)
{
    static struct listener_table exposed;
    const char *run_dir = scenario_run_dir(ctx);
    struct dirent *de;
    DIR *proc;

    exposed.count = 0;
    for (size_t i = 0; i < all->count; i++)
        if (!all->items[i].loopback)
            exposed.items[exposed.count++] = all->items[i];
    scenario_note(
        ctx,
        "%zu listening sockets on this machine, %zu on non-loopback addresses",
        all->count, exposed.count);
    if (exposed.count == 0 || !run_dir)
        return;
    proc = opendir("/proc");
    if (!proc)
        scenario_fail(
            ctx, "cannot read /proc, so the stack's processes are unknown");
    while ((de = readdir(proc)) != NULL) {
        const struct listener *l;
        char pid[32], comm[64];

        if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
            !in_stack(de->d_name, run_dir))
            continue;
        l = owned_listener(de->d_name, &exposed);
        if (!l)
            continue;
        snprintf(pid, sizeof(pid), "%.31s", de->d_name);
        closedir(proc);
        read_comm(pid, comm, sizeof(comm));
        scenario_fail(
            ctx,
            "%s (pid %s) of the stack listens on %s port %ld, not on loopback",
            comm, pid, l->address, l->port);
    }
    closedir(proc);
}

static void run(struct scenario_ctx *ctx)
{
    struct listener_table *listeners = scenario_alloc(ctx, sizeof(*listeners));
    struct port_list list = { 0 };
    const char *host = scenario_setting(ctx, "HITO_HOST");

    /* A profile whose components all run on this machine sets HITO_HOST to
     * a loopback address; otherwise their sockets are not visible here. */
    if (!scenario_target_is_local(ctx) &&
        (!host || (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
                   strcmp(host, "localhost") != 0)))
        scenario_skip(
            ctx,
            "the components of this target do not run on this machine "
            "(HITO_HOST=%s), so their listening addresses cannot be read",
            host ? host : "unset");

    step_begin(
        ctx,
        "Collect the ports of the target's settings and the listening sockets");
    scenario_each_setting(ctx, collect_port, &list);
    expect_true(ctx, list.count > 0, "the target sets at least one *_PORT");
    read_listeners(ctx, "/proc/net/tcp", AF_INET, listeners);
    read_listeners(ctx, "/proc/net/tcp6", AF_INET6, listeners);
    for (size_t i = 0; i < list.count; i++) {
        step_begin(ctx, "%s=%ld listens on loopback only", list.keys[i],
                   list.ports[i]);
        check_port(ctx, listeners, list.keys[i], list.ports[i]);
    }
    if (scenario_run_dir(ctx)) {
        step_begin(
            ctx,
            "No process of the stack listens on another address, on any port");
        check_stack_processes(ctx, listeners);
    }
}

const struct scenario infra_loopback_only = {
    .name = "loopback-only",
    .title = "Every component listens on loopback only",
    .tags = "infra,network,security",
    .timeout_ms = 20000,
    .run = run,
};

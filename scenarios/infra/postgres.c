/*
 * Each service's PostgreSQL database and role exist: the scenario logs in
 * as the role, with its password from the secrets file, to the database of
 * the same name and runs a query.
 */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "runner/scenario.h"

#define PG_NAME_MAX 64
/* Maximum time of one connection attempt, in seconds. */
#define PG_CONNECT_TIMEOUT_S 5

/* Closes the connection in a slot, if any. */
static void finish_slot(void *arg)
{
    PGconn **slot = arg;

    PQfinish(*slot);
    *slot = NULL;
}

static void check_database(struct scenario_ctx *ctx, PGconn **slot,
                           const char *host, const char *port, const char *name)
{
    char key[PG_NAME_MAX + 16], timeout[24], sent[256], received[512];
    char user[PG_NAME_MAX] = "", database[PG_NAME_MAX] = "";
    const char *keywords[] = { "host",
                               "port",
                               "dbname",
                               "user",
                               "password",
                               "connect_timeout",
                               "application_name",
                               NULL };
    const char *values[8];
    const char *password;
    PGresult *res;
    PGconn *conn;
    double started;
    size_t n = (size_t)snprintf(key, sizeof(key), "PG_PASSWORD_");

    for (size_t i = 0; name[i] && n + 1 < sizeof(key); i++)
        key[n++] = (char)toupper((unsigned char)name[i]);
    key[n] = '\0';
    password = scenario_require(ctx, key);
    snprintf(timeout, sizeof(timeout), "%ld",
             scenario_remaining_ms(ctx) / 1000 < PG_CONNECT_TIMEOUT_S
                 ? scenario_remaining_ms(ctx) / 1000 + 1
                 : PG_CONNECT_TIMEOUT_S);
    values[0] = host;
    values[1] = port;
    values[2] = name;
    values[3] = name;
    values[4] = password;
    values[5] = timeout;
    values[6] = "hito-checkpoint";
    values[7] = NULL;

    started = scenario_now_ms();
    conn = *slot = PQconnectdbParams(keywords, values, 0);
    if (!conn)
        scenario_fail(ctx, "PostgreSQL at %s:%s: out of memory", host, port);
    snprintf(sent, sizeof(sent), "connect postgresql://%s@%s:%s/%s", name, host,
             port, name);
    if (PQstatus(conn) != CONNECTION_OK) {
        scenario_record(ctx, "PostgreSQL connect", sent, PQerrorMessage(conn),
                        scenario_now_ms() - started);
        scenario_fail(
            ctx,
            "PostgreSQL at %s:%s: role %s cannot connect to database %s: %s",
            host, port, name, name, PQerrorMessage(conn));
    }
    res = PQexec(conn, "SELECT current_user, current_database()");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        snprintf(user, sizeof(user), "%s", PQgetvalue(res, 0, 0));
        snprintf(database, sizeof(database), "%s", PQgetvalue(res, 0, 1));
        snprintf(received, sizeof(received),
                 "current_user=%s current_database=%s", user, database);
    } else {
        snprintf(received, sizeof(received), "%s", PQerrorMessage(conn));
    }
    PQclear(res);
    scenario_record(ctx, "PostgreSQL query",
                    "SELECT current_user, current_database()", received,
                    scenario_now_ms() - started);
    if (!user[0])
        scenario_fail(
            ctx,
            "PostgreSQL at %s:%s: query as role %s on database %s failed: %s",
            host, port, name, name, received);
    expect_str_eq(ctx, "current_user", name, user);
    expect_str_eq(ctx, "current_database", name, database);
    finish_slot(slot);
}

static void run(struct scenario_ctx *ctx)
{
    const char *host = scenario_host(ctx, "PG");
    const char *list = scenario_require(ctx, "PG_DATABASES");
    char port[16], name[PG_NAME_MAX];
    PGconn **conn = scenario_alloc(ctx, sizeof(*conn));
    int checked = 0;

    scenario_defer(ctx, finish_slot, conn);
    snprintf(port, sizeof(port), "%ld",
             scenario_require_int(ctx, "PG_PORT", 1, 65535));
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ,");

        if (len > 0) {
            if (len >= sizeof(name))
                scenario_fail(ctx, "PG_DATABASES: name longer than %d bytes",
                              PG_NAME_MAX - 1);
            memcpy(name, p, len);
            name[len] = '\0';
            step_begin(ctx, "Role %s logs in to database %s and runs a query",
                       name, name);
            check_database(ctx, conn, host, port, name);
            checked++;
        }
        p += len;
        p += strspn(p, " ,");
    }
    step_begin(ctx, "Every database of PG_DATABASES was checked");
    expect_true(ctx, checked > 0,
                "PG_DATABASES lists at least one database (\"%s\")", list);
    scenario_note(ctx, "%d databases and roles checked", checked);
}

const struct scenario infra_postgres_databases = {
    .name = "postgres-databases",
    .title = "Each service's PostgreSQL database and role accept a query",
    .tags = "infra,postgres",
    .timeout_ms = 60000,
    .run = run,
};

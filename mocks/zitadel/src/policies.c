/*
 * policies.c - Management and Admin API: password complexity and lockout
 * policies, Actions and their flows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "api.h"
#include "users.h"
#include "zjson.h"

/* Largest uint64 value a policy field accepts. */
#define POLICY_MAX_VALUE 1000

enum policy_kind { COMPLEXITY, LOCKOUT };

struct policy_def {
    const char *name;             /* key prefix in STORE_POLICIES */
    const char *numbers[2];       /* uint64 fields, NULL-terminated */
    const char *flags[5];         /* bool fields, NULL-terminated */
};

static const struct policy_def policy_defs[] = {
    [COMPLEXITY] = {"complexity", {"minLength", NULL},
                    {"hasUppercase", "hasLowercase", "hasNumber", "hasSymbol", NULL}},
    [LOCKOUT] = {"lockout", {"maxPasswordAttempts", NULL}, {NULL}},
};

/* Reads the policy fields of a request into a new object; NULL after a 400. */
static json_t *policy_from_body(struct zreq *z, const json_t *body, enum policy_kind kind)
{
    const struct policy_def *d = &policy_defs[kind];
    json_t *out = json_object();

    for (size_t i = 0; d->numbers[i] != NULL; i++) {
        json_t *v = json_object_get(body, d->numbers[i]);
        long long n = 0;
        char text[32];

        if (json_is_integer(v))
            n = json_integer_value(v);
        else if (json_is_string(v) && sscanf(json_string_value(v), "%lld", &n) != 1)
            n = -1;
        else if (v != NULL && !json_is_string(v) && !json_is_null(v))
            n = -1;
        if (n < 0 || n > POLICY_MAX_VALUE) {
            json_decref(out);
            zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG07", "invalid %s: expected 0 to %d",
                       d->numbers[i], POLICY_MAX_VALUE);
            return NULL;
        }
        snprintf(text, sizeof(text), "%lld", n);
        /* uint64 travels as a string; 0 is omitted like every zero value. */
        json_object_set_new(out, d->numbers[i], n != 0 ? json_string(text) : json_integer(0));
    }
    for (size_t i = 0; d->flags[i] != NULL; i++) {
        int v;

        if (zreq_bool(z, body, d->flags[i], &v) < 0) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, d->flags[i], json_boolean(v));
    }
    return out;
}

static void policy_key(char *buf, size_t size, enum policy_kind kind, const char *org_id)
{
    snprintf(buf, size, "%s/%s", policy_defs[kind].name, org_id ? org_id : "default");
}

/* Replies {"policy": {..., isDefault}} for the org (NULL: the instance default). */
static void policy_get(struct zreq *z, enum policy_kind kind, const char *org_id)
{
    json_t *policy = users_policy(z->doc, policy_defs[kind].name, org_id);
    json_t *out = api_object(policy);
    char key[64];

    policy_key(key, sizeof(key), kind, org_id);
    if (org_id == NULL || json_object_get(json_object_get(z->doc, STORE_POLICIES), key) == NULL)
        json_object_set_new(out, "isDefault", json_true());
    zreq_json(z, 200, json_pack("{s:o}", "policy", out));
}

/* Adds (create) or updates a policy; org_id NULL is the instance default. */
static void policy_write(struct zreq *z, enum policy_kind kind, const char *org_id, int create)
{
    json_t *body = zreq_body(z);
    json_t *policies = store_coll(z->srv->store, STORE_POLICIES);
    json_t *next = body ? policy_from_body(z, body, kind) : NULL;
    json_t *current;
    char key[64];
    const char *what = kind == COMPLEXITY ? "Password complexity policy" : "Lockout policy";

    if (next == NULL)
        goto out;
    policy_key(key, sizeof(key), kind, org_id);
    current = json_object_get(policies, key);
    if (create && current != NULL) {
        api_conflict(z, what);
    } else if (!create && current == NULL) {
        api_not_found(z, what);
    } else if (create) {
        store_stamp_new(z->srv->store, next, org_id ? org_id : zjson_str(z->doc, "_instanceId", ""));
        json_object_set(policies, key, next);
        z->dirty = 1;
        api_details_reply(z, next);
    } else {
        api_apply_update(z, current, next, what);
    }
out:
    json_decref(next);
    json_decref(body);
}

/* Removes an org's policy so the instance default applies again. */
static void policy_reset(struct zreq *z, enum policy_kind kind)
{
    json_t *policies = store_coll(z->srv->store, STORE_POLICIES);
    char key[64];
    json_t *current;

    policy_key(key, sizeof(key), kind, z->org_id);
    current = json_object_get(policies, key);
    if (current == NULL) {
        api_not_found(z, "Policy");
        return;
    }
    json_incref(current);
    json_object_del(policies, key);
    store_stamp_change(z->srv->store, current);
    z->dirty = 1;
    api_details_reply(z, current);
    json_decref(current);
}

/* Handlers bound to each policy kind and API. */
static void complexity_get(struct zreq *z) { policy_get(z, COMPLEXITY, z->org_id); }
static void complexity_add(struct zreq *z) { policy_write(z, COMPLEXITY, z->org_id, 1); }
static void complexity_update(struct zreq *z) { policy_write(z, COMPLEXITY, z->org_id, 0); }
static void complexity_reset(struct zreq *z) { policy_reset(z, COMPLEXITY); }
static void lockout_get(struct zreq *z) { policy_get(z, LOCKOUT, z->org_id); }
static void lockout_add(struct zreq *z) { policy_write(z, LOCKOUT, z->org_id, 1); }
static void lockout_update(struct zreq *z) { policy_write(z, LOCKOUT, z->org_id, 0); }
static void lockout_reset(struct zreq *z) { policy_reset(z, LOCKOUT); }

static int require_iam_owner(struct zreq *z)
{
    if (zjson_bool(z->caller, "_iamOwner"))
        return 0;
    zreq_error(z, ZGRPC_PERMISSION_DENIED, "AUTH-5mWD2", "No matching permissions found");
    return -1;
}

static void admin_complexity_get(struct zreq *z)
{
    if (require_iam_owner(z) == 0)
        policy_get(z, COMPLEXITY, NULL);
}

static void admin_complexity_update(struct zreq *z)
{
    if (require_iam_owner(z) == 0)
        policy_write(z, COMPLEXITY, NULL, 0);
}

static void admin_lockout_get(struct zreq *z)
{
    if (require_iam_owner(z) == 0)
        policy_get(z, LOCKOUT, NULL);
}

static void admin_lockout_update(struct zreq *z)
{
    if (require_iam_owner(z) == 0)
        policy_write(z, LOCKOUT, NULL, 0);
}

/* ---- actions ---- */

/*
 * Reads an action's fields into a new object; NULL after a 400. timeout is a
 * protobuf Duration ("10s"); ZITADEL accepts at most 20 s.
 */
static json_t *action_from_body(struct zreq *z, const json_t *body)
{
    const char *name;
    const char *script;
    const char *timeout;
    int allowed;
    double secs = 10.0;
    char text[32];
    char unit[4] = "";

    if (zreq_string(z, body, "name", ZSRV_MAX_FIELD, 1, &name) < 0 ||
        zreq_string(z, body, "script", ACTION_MAX_SCRIPT, 1, &script) < 0 ||
        zreq_string(z, body, "timeout", 32, 0, &timeout) < 0 ||
        zreq_bool(z, body, "allowedToFail", &allowed) < 0)
        return NULL;
    if (timeout != NULL && (sscanf(timeout, "%lf%3s", &secs, unit) != 2 ||
                            strcmp(unit, "s") != 0 || secs < 0 ||
                            secs > ACTION_MAX_TIMEOUT_S)) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-ARG08",
                   "invalid timeout %s: expected a duration such as \"10s\", at most 20s",
                   timeout);
        return NULL;
    }
    snprintf(text, sizeof(text), "%gs", secs);
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:f}", "name", name, "script", script, "timeout",
                     text, "allowedToFail", allowed, "state", "ACTION_STATE_ACTIVE", "_timeoutS",
                     secs);
}

static json_t *action_named(struct zreq *z, const char *name)
{
    const char *id;
    json_t *action;

    json_object_foreach(json_object_get(z->doc, STORE_ACTIONS), id, action) {
        if (api_in_org(z, action) && strcmp(zjson_str(action, "name", ""), name) == 0)
            return action;
    }
    return NULL;
}

static void actions_add(struct zreq *z)
{
    json_t *body = zreq_body(z);
    json_t *action = body ? action_from_body(z, body) : NULL;

    if (action == NULL)
        goto out;
    if (action_named(z, zjson_str(action, "name", "")) != NULL) {
        api_conflict(z, "Action");
        json_decref(action);
        goto out;
    }
    if (api_check_room(z, STORE_ACTIONS) < 0) {
        json_decref(action);
        goto out;
    }
    api_created_reply(z, "id", api_insert(z, STORE_ACTIONS, action, z->org_id));
out:
    json_decref(body);
}

static void actions_search(struct zreq *z)
{
    api_search_org(z, STORE_ACTIONS);
}

static void actions_update(struct zreq *z)
{
    json_t *current = api_get(z, STORE_ACTIONS, "id");
    json_t *body = api_in_org(z, current) ? zreq_body(z) : NULL;
    json_t *next = body ? action_from_body(z, body) : NULL;
    json_t *other;

    if (!api_in_org(z, current)) {
        api_not_found(z, "Action");
        return;
    }
    if (next == NULL)
        goto out;
    other = action_named(z, zjson_str(next, "name", ""));
    if (other != NULL && other != current)
        api_conflict(z, "Action");
    else
        api_apply_update(z, current, next, "Action");
out:
    json_decref(next);
    json_decref(body);
}

/* ---- flows ---- */

/*
 * Flow and trigger types of ZITADEL 2.40's proto: flow 1 external
 * authentication (triggers 1-3), 2 complement token (4 pre userinfo,
 * 5 pre access token), 3 internal authentication (1-3).
 */
static int flow_trigger_valid(const char *flow, const char *trigger)
{
    if (strcmp(flow, "2") == 0)
        return strcmp(trigger, "4") == 0 || strcmp(trigger, "5") == 0;
    if (strcmp(flow, "1") == 0 || strcmp(flow, "3") == 0)
        return strcmp(trigger, "1") == 0 || strcmp(trigger, "2") == 0 ||
               strcmp(trigger, "3") == 0;
    return 0;
}

static void flows_set_trigger(struct zreq *z)
{
    const char *flow = httpd_param(z->http, "type");
    const char *trigger = httpd_param(z->http, "trigger");
    json_t *body = zreq_body(z);
    json_t *ids = body ? zreq_strings(z, body, "actionIds", STORE_ID_SIZE) : NULL;
    json_t *flows = store_coll(z->srv->store, STORE_FLOWS);
    char key[128];
    size_t i;
    json_t *id;

    if (ids == NULL)
        goto out;
    if (!flow_trigger_valid(flow, trigger)) {
        zreq_error(z, ZGRPC_INVALID_ARGUMENT, "EMU-FLOW1", "flow %s has no trigger %s", flow,
                   trigger);
        goto out;
    }
    json_array_foreach(ids, i, id) {
        if (!api_in_org(z, json_object_get(json_object_get(z->doc, STORE_ACTIONS),
                                           json_string_value(id)))) {
            api_not_found(z, "Action");
            goto out;
        }
    }
    snprintf(key, sizeof(key), "%s/%s/%s", z->org_id, flow, trigger);
    /* NOTE: assumed to return NotChanged like other no-op updates; unverified on 2.40. */
    if (json_equal(json_object_get(flows, key), ids) ||
        (json_object_get(flows, key) == NULL && json_array_size(ids) == 0)) {
        api_not_changed(z, "Flow");
        goto out;
    }
    json_object_set(flows, key, ids);
    z->dirty = 1;
    {
        json_t *stamp = json_object();

        store_stamp_new(z->srv->store, stamp, z->org_id);
        api_details_reply(z, stamp);
        json_decref(stamp);
    }
out:
    json_decref(ids);
    json_decref(body);
}

static void flows_get(struct zreq *z)
{
    const char *flow = httpd_param(z->http, "type");
    json_t *triggers = json_array();

    for (int t = 1; t <= 5; t++) {
        char key[128];
        char trig[4];
        json_t *ids;
        json_t *actions = json_array();
        size_t i;
        json_t *id;

        snprintf(trig, sizeof(trig), "%d", t);
        snprintf(key, sizeof(key), "%s/%s/%s", z->org_id, flow, trig);
        ids = json_object_get(json_object_get(z->doc, STORE_FLOWS), key);
        if (json_array_size(ids) == 0) {
            json_decref(actions);
            continue;
        }
        json_array_foreach(ids, i, id) {
            json_t *a = json_object_get(json_object_get(z->doc, STORE_ACTIONS),
                                        json_string_value(id));

            if (a != NULL)
                json_array_append_new(actions, api_object(a));
        }
        json_array_append_new(triggers, json_pack("{s:{s:s}, s:o}", "triggerType", "id", trig,
                                                  "actions", actions));
    }
    zreq_json(z, 200, json_pack("{s:{s:{s:s}, s:s, s:o}}", "flow", "type", "id", flow, "state",
                                "FLOW_STATE_ACTIVE", "triggerActions", triggers));
}

int zsrv_routes_policies(struct zsrv *srv)
{
    const int f = ZROUTE_INSTANCE | ZROUTE_AUTH;
    const char *complexity = "/management/v1/policies/password/complexity";
    const char *lockout = "/management/v1/policies/lockout";
    int rc = 0;

    rc |= zsrv_route(srv, "GET", complexity, f, complexity_get);
    rc |= zsrv_route(srv, "POST", complexity, f, complexity_add);
    rc |= zsrv_route(srv, "PUT", complexity, f, complexity_update);
    rc |= zsrv_route(srv, "DELETE", complexity, f, complexity_reset);
    rc |= zsrv_route(srv, "GET", lockout, f, lockout_get);
    rc |= zsrv_route(srv, "POST", lockout, f, lockout_add);
    rc |= zsrv_route(srv, "PUT", lockout, f, lockout_update);
    rc |= zsrv_route(srv, "DELETE", lockout, f, lockout_reset);
    rc |= zsrv_route(srv, "GET", "/admin/v1/policies/password/complexity", f,
                     admin_complexity_get);
    rc |= zsrv_route(srv, "PUT", "/admin/v1/policies/password/complexity", f,
                     admin_complexity_update);
    /* ZITADEL 2.40's Admin API reads the lockout policy and writes it at another path. */
    rc |= zsrv_route(srv, "GET", "/admin/v1/policies/lockout", f, admin_lockout_get);
    rc |= zsrv_route(srv, "PUT", "/admin/v1/policies/password/lockout", f, admin_lockout_update);
    rc |= zsrv_route(srv, "POST", "/management/v1/actions", f, actions_add);
    rc |= zsrv_route(srv, "POST", "/management/v1/actions/_search", f, actions_search);
    rc |= zsrv_route(srv, "PUT", "/management/v1/actions/{id}", f, actions_update);
    rc |= zsrv_route(srv, "GET", "/management/v1/flows/{type}", f, flows_get);
    rc |= zsrv_route(srv, "POST", "/management/v1/flows/{type}/trigger/{trigger}", f,
                     flows_set_trigger);
    return rc != 0 ? HITO_ERR_LIMIT : HITO_OK;
}

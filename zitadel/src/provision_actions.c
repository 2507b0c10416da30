/*
 * provision_actions.c - the provisioner's step for Actions: registers each
 * action script of the model and sets it on its flow triggers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provision.h"
#include "provision_internal.h"

static char *read_script(struct provision *p, const char *rel, struct hito_error *err)
{
    char path[PATH_MAX_BYTES];
    char *buf = NULL;
    size_t len;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", p->model_dir, rel);
    f = fopen(path, "r");
    if (f == NULL) {
        hito_error_set(err, HITO_ERR_IO, "action script %s: cannot open", path);
        return NULL;
    }
    buf = malloc(PROVISION_MAX_SCRIPT_BYTES + 1);
    len = buf != NULL ? fread(buf, 1, PROVISION_MAX_SCRIPT_BYTES + 1, f) : 0;
    fclose(f);
    if (buf == NULL || len > PROVISION_MAX_SCRIPT_BYTES) {
        free(buf);
        hito_error_set(err, HITO_ERR_LIMIT, "action script %s: larger than %d bytes", path,
                       PROVISION_MAX_SCRIPT_BYTES);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Accepts a trigger type as {"id":"5"}, "5", 5 or an object with a numeric id. */
static int trigger_matches(json_t *type, long trigger)
{
    if (json_is_object(type))
        type = json_object_get(type, "id");
    return provision_number(type) == trigger;
}

static int ensure_trigger(struct provision *p, const char *action_id, json_t *trigger,
                          const char *name, struct hito_error *err)
{
    long flow = (long)json_integer_value(json_object_get(trigger, "flowType"));
    long type = (long)json_integer_value(json_object_get(trigger, "triggerType"));
    json_t *body = NULL, *ids = json_array(), *ta, *act, *req;
    char path[PATH_MAX_BYTES], what[WHAT_MAX_BYTES];
    size_t i, j;
    int present = 0, rc = HITO_OK;

    if (action_id != NULL) {
        snprintf(path, sizeof(path), "/management/v1/flows/%ld", flow);
        if ((rc = provision_read(p, "read flow", "GET", path, NULL, &body, err)) != HITO_OK)
            goto out;
    }
    json_array_foreach(json_object_get(json_object_get(body, "flow"), "triggerActions"), i, ta) {
        if (!trigger_matches(json_object_get(ta, "triggerType"), type))
            continue;
        json_array_foreach(json_object_get(ta, "actions"), j, act) {
            const char *id = json_string_value(json_object_get(act, "id"));

            if (id == NULL)
                continue;
            present |= strcmp(id, action_id) == 0;
            json_array_append_new(ids, json_string(id));
        }
    }
    if (present)
        goto out;
    json_array_append_new(ids, json_string(action_id != NULL ? action_id : "(new)"));
    snprintf(what, sizeof(what), "set action \"%s\" on flow %ld trigger %ld", name, flow, type);
    snprintf(path, sizeof(path), "/management/v1/flows/%ld/trigger/%ld", flow, type);
    req = json_pack("{s:O}", "actionIds", ids);
    rc = provision_write(p, what, "POST", path, req, 1, NULL, err);
    json_decref(req);
out:
    json_decref(body);
    json_decref(ids);
    return rc;
}

static int ensure_action(struct provision *p, json_t *action, struct hito_error *err)
{
    const char *name = json_string_value(json_object_get(action, "name"));
    const char *out = json_string_value(json_object_get(action, "output"));
    char *script = read_script(p, json_string_value(json_object_get(action, "script")), err);
    json_t *found = NULL, *made = NULL, *wanted = NULL, *trigger;
    char what[WHAT_MAX_BYTES], path[PATH_MAX_BYTES], id[64] = "";
    size_t i;
    int rc = HITO_OK;

    if (script == NULL)
        return err != NULL ? err->code : HITO_ERR_IO;
    wanted = json_pack("{s:s,s:s,s:O,s:b}", "name", name, "script", script, "timeout",
                       json_object_get(action, "timeout"), "allowedToFail",
                       json_is_true(json_object_get(action, "allowedToFail")));
    if (p->org_id[0] != '\0')
        rc = provision_search_one(p, "search actions", "/management/v1/actions/_search",
                                  provision_equals_query("actionNameQuery", "name", name), "name",
                                  name, &found, err);
    if (rc != HITO_OK)
        goto out;
    provision_copy_id(id, found, "id");
    if (found == NULL) {
        snprintf(what, sizeof(what), "create action \"%s\"", name);
        rc = provision_write(p, what, "POST", "/management/v1/actions", wanted, 0, &made, err);
        provision_copy_id(id, made, "id");
    } else if (!provision_fields_match(found, wanted)) {
        snprintf(what, sizeof(what), "update action \"%s\"", name);
        snprintf(path, sizeof(path), "/management/v1/actions/%s", id);
        rc = provision_write(p, what, "PUT", path, wanted, 1, NULL, err);
    }
    if (rc != HITO_OK)
        goto out;
    json_array_foreach(json_object_get(action, "triggers"), i, trigger) {
        if ((rc = ensure_trigger(p, id[0] ? id : NULL, trigger, name, err)) != HITO_OK)
            goto out;
    }
    rc = provision_set_output(p, out, "ID", id[0] ? id : NULL, err);
out:
    free(script);
    json_decref(found);
    json_decref(made);
    json_decref(wanted);
    return rc;
}

int provision_step_actions(struct provision *p, struct hito_error *err)
{
    json_t *action;
    size_t i;
    int rc;

    json_array_foreach(json_object_get(p->model, "actions"), i, action) {
        if ((rc = ensure_action(p, action, err)) != HITO_OK)
            return rc;
    }
    return HITO_OK;
}

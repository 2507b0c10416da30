/*
 * flat_roles: a ZITADEL v1 Action (ES5; the function name must equal the
 * action name) for the complement-token flow, on the triggers "pre access
 * token creation" and "pre userinfo creation". It adds a claim
 * "roles": ["admin", ...] listing the role keys the user has in the
 * platform project, so a gateway can match roles without walking ZITADEL's
 * nested role object.
 *
 * ctx.v1.user.grants is null unless roles were requested, and machine users
 * may have no project context: both cases add no claim and do not throw,
 * because an exception in a token action makes the token endpoint fail with
 * server_error. setClaim never overwrites an existing claim, and this action
 * does not try to.
 *
 * Only grants of the platform project count. The project is matched by
 * name (grant.projectName), which must equal "project.name" in
 * zitadel/model.json; a grant without the field is kept.
 */
var PLATFORM_PROJECT_NAME = 'hito platform';

function flat_roles(ctx, api) {
    var user = ctx && ctx.v1 ? ctx.v1.user : null;
    var grants = user ? user.grants : null;
    var list = grants && grants.grants ? grants.grants : null;
    var seen = {};
    var roles = [];
    var i, j, grant, keys;

    if (!list || typeof list.length !== 'number') {
        return;
    }
    for (i = 0; i < list.length; i++) {
        grant = list[i];
        if (!grant || (typeof grant.projectName === 'string' &&
                       grant.projectName !== PLATFORM_PROJECT_NAME)) {
            continue;
        }
        keys = grant.roles;
        if (!keys || typeof keys.length !== 'number') {
            continue;
        }
        for (j = 0; j < keys.length; j++) {
            if (typeof keys[j] === 'string' && !seen[keys[j]]) {
                seen[keys[j]] = true;
                roles.push(keys[j]);
            }
        }
    }
    if (roles.length > 0) {
        api.v1.claims.setClaim('roles', roles);
    }
}

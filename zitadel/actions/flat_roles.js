/*
 * flat_roles: a ZITADEL v1 Action (ES5; the function name must equal the
 * action name) for the complement-token flow, on the triggers "pre access
 * token creation" and "pre userinfo creation". It adds a claim
 * "roles": ["admin", ...] listing the role keys the user has in the
 * platform project, so a gateway can match roles without walking ZITADEL's
 * nested role object.
 *
 * ctx.v1.user.grants is null unless roles were requested, and always null
 * for machine users, which have no project context in 2.40. Then the roles
 * come from the role object claim the token already carries
 * (ctx.v1.claims["urn:zitadel:iam:org:project:roles"], present when the
 * client requested the project's roles), so service tokens get the flat
 * claim too. Neither source present adds no claim, and nothing here throws,
 * because an exception in a token action makes the token endpoint fail with
 * server_error. setClaim never overwrites an existing claim, and this action
 * does not try to.
 * NOTE: ctx.v1.claims is listed for the complement-token triggers in
 * ZITADEL's Actions v1 documentation; its content on a real 2.40 server
 * was not checked here.
 *
 * Only grants of the platform project count. The project is matched by
 * name (grant.projectName), which must equal "project.name" in
 * zitadel/model.json; a grant without the field is kept.
 */
var PLATFORM_PROJECT_NAME = 'hito platform';
var ROLE_OBJECT_CLAIM = 'urn:zitadel:iam:org:project:roles';

/* Returns the keys of the role object claim, or [] when there is none. */
function rolesFromClaims(ctx) {
    var claims = ctx && ctx.v1 ? ctx.v1.claims : null;
    var object = claims ? claims[ROLE_OBJECT_CLAIM] : null;
    var roles = [];
    var key;

    if (!object || typeof object !== 'object') {
        return roles;
    }
    for (key in object) {
        if (Object.prototype.hasOwnProperty.call(object, key)) {
            roles.push(key);
        }
    }
    return roles;
}

function flat_roles(ctx, api) {
    var user = ctx && ctx.v1 ? ctx.v1.user : null;
    var grants = user ? user.grants : null;
    var list = grants && grants.grants ? grants.grants : null;
    var seen = {};
    var roles = [];
    var i, j, grant, keys;

    if (!list || typeof list.length !== 'number') {
        roles = rolesFromClaims(ctx);
        if (roles.length > 0) {
            api.v1.claims.setClaim('roles', roles);
        }
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

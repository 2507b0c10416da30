/*
 * integration_zitadel.c - drives hito-zitadel-emulator over HTTP as the
 * provisioner, the gateway and checkpoint 2 do: provisioning, the
 * client_credentials grant, session login with PKCE, refresh rotation,
 * Actions, lockout, key rotation and a restart on the same state.
 *
 * The test starts the built emulator itself on an ephemeral loopback port
 * with a private state folder, so it needs no running stack. Tokens are
 * checked with reference/lib's JWKS and JWT verifier, the gateway side's code.
 */
#define _GNU_SOURCE /* asprintf, mkdtemp */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hito/httpc.h"
#include "hito/jwks.h"
#include "hito/jwt_verify.h"

#define START_TIMEOUT_MS 15000
#define URL_MAX 2048
/* A PKCE verifier of 43+ characters (RFC 7636 4.1) and its S256 challenge. */
#define PKCE_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define PKCE_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT "http://localhost:3000/callback"

struct world {
    char dir[PATH_MAX];
    char bin[PATH_MAX];
    pid_t pid;
    int port;
    char base[64];
    char pat[256];
    char org_id[32];
    char project_id[32];
    char other_project_id[32];
    char web_client_id[256];
    char api_client_id[256];
    char api_secret[128];
    char other_api_client_id[256];
    char other_api_secret[128];
    char machine_id[32];
    char machine_secret[128];
    char login_client_id[32];
    char login_client_pat[256];
    char human_id[32];
    char access_token[8192];
    char refresh_token[256];
};

static struct world w;

/* ---- emulator process ---- */

static void write_settings(void)
{
    char path[PATH_MAX + 32];
    FILE *f;

    snprintf(path, sizeof(path), "%s/settings.env", w.dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "HITO_ENV=it\nZITADEL_EXTERNAL_DOMAIN=localhost\n"
               "ZITADEL_ACCESS_TOKEN_LIFETIME_S=300\n");
    fclose(f);
}

/* Starts the emulator and reads "port=N" from its standard output. */
static void start_emulator(void)
{
    char settings[PATH_MAX + 32], state[PATH_MAX + 32], pat[PATH_MAX + 32];
    char line[128] = "";
    size_t n = 0;
    int fds[2];

    snprintf(settings, sizeof(settings), "%s/settings.env", w.dir);
    snprintf(state, sizeof(state), "%s/state.json", w.dir);
    snprintf(pat, sizeof(pat), "%s/admin.pat", w.dir);
    assert_int_equal(pipe(fds), 0);
    w.pid = fork();
    assert_true(w.pid >= 0);
    if (w.pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(w.bin, w.bin, "--settings", settings, "--listen", "127.0.0.1:0", "--state", state,
              "--pat-path", pat, "--log-level", "warn", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (n + 1 < sizeof(line) && strchr(line, '\n') == NULL) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        ssize_t r;

        assert_true(poll(&p, 1, START_TIMEOUT_MS) > 0);
        r = read(fds[0], line + n, sizeof(line) - 1 - n);
        assert_true(r > 0);
        n += (size_t)r;
        line[n] = '\0';
    }
    close(fds[0]);
    assert_int_equal(sscanf(line, "port=%d", &w.port), 1);
    snprintf(w.base, sizeof(w.base), "http://localhost:%d", w.port);
}

static void stop_emulator(void)
{
    int status;

    if (w.pid <= 0)
        return;
    kill(w.pid, SIGTERM);
    waitpid(w.pid, &status, 0);
    w.pid = 0;
}

/* ---- HTTP helpers ---- */

struct reply {
    long status;
    json_t *json;
    char *location;
};

static void reply_free(struct reply *r)
{
    json_decref(r->json);
    free(r->location);
}

/* Sends a request; headers are NULL-terminated "Name: value" strings. */
static struct reply call(const char *method, const char *path, const char *const *headers,
                         const char *body, const char *user, const char *password)
{
    char url[URL_MAX];
    struct httpc_request req = {.method = method, .url = url, .headers = headers,
                                .body = body, .body_len = body ? strlen(body) : 0,
                                .basic_user = user, .basic_password = password};
    struct httpc_response res;
    struct hito_error err = {0};
    struct reply r = {0};
    const char *loc;

    snprintf(url, sizeof(url), "%s%s", strncmp(path, "http", 4) == 0 ? "" : w.base, path);
    assert_int_equal(httpc_do(&req, &res, &err), HITO_OK);
    r.status = res.status;
    r.json = json_loadb(res.body, res.body_len, 0, NULL);
    loc = httpc_response_header(&res, "Location");
    r.location = loc ? strdup(loc) : NULL;
    httpc_response_free(&res);
    return r;
}

/* Calls the Management or Admin API with a bearer token and a JSON body. */
static struct reply api_as(const char *token, const char *method, const char *path,
                           const char *body)
{
    char auth[8300];
    const char *headers[] = {auth, "Content-Type: application/json", NULL};

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    return call(method, path, headers, body, NULL, NULL);
}

static struct reply api(const char *method, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct reply api(const char *method, const char *path, const char *fmt, ...)
{
    char body[16384];
    va_list ap;

    body[0] = '\0';
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(body, sizeof(body), fmt, ap);
        va_end(ap);
    }
    return api_as(w.pat, method, path, fmt ? body : NULL);
}

static struct reply form(const char *path, const char *body, const char *user,
                         const char *password)
{
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};

    return call("POST", path, headers, body, user, password);
}

static const char *str(const struct reply *r, const char *key)
{
    const char *s = json_string_value(json_object_get(r->json, key));

    return s ? s : "";
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* Decodes the claims of a JWT without verifying it (for claim-set checks). */
static json_t *jwt_payload(const char *token)
{
    const char *a = strchr(token, '.');
    const char *b = a ? strchr(a + 1, '.') : NULL;
    unsigned char *raw = NULL;
    size_t len = 0;
    json_t *doc;

    assert_non_null(b);
    assert_int_equal(jwks_base64url_decode(a + 1, (size_t)(b - a - 1), &raw, &len), 0);
    doc = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    assert_non_null(doc);
    return doc;
}

/* Verifies token with the emulator's JWKS as the gateway would. */
static int verify(const char *token, const char *audience, struct jwt_claims *claims)
{
    char jwks_url[URL_MAX];
    struct jwks_options o = {.url = jwks_url, .cooldown_seconds = -1};
    struct jwt_verify_options v = {.issuer = w.base, .audience = audience};
    struct jwks *keys;
    enum jwt_verify_reason reason = JWT_VERIFY_OK;
    struct jwt_claims local;
    int rc;

    snprintf(jwks_url, sizeof(jwks_url), "%s/oauth/v2/keys", w.base);
    keys = jwks_new(&o, NULL);
    assert_non_null(keys);
    memset(&local, 0, sizeof(local));
    rc = jwt_verify_token(keys, &v, token, claims ? claims : &local, &reason, NULL);
    if (claims == NULL)
        jwt_claims_free(&local);
    jwks_free(keys);
    return rc == HITO_OK ? JWT_VERIFY_OK : (int)reason;
}

/* ---- tests ---- */

static void discovery_issuer_follows_host(void **state)
{
    const char *h_ip[] = {"Host: 127.0.0.1", NULL};
    const char *h_fwd[] = {"Forwarded: host=localhost:9999", NULL};
    struct reply r;
    json_t *methods;

    (void)state;
    r = call("GET", "/.well-known/openid-configuration", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(&r, "issuer"), w.base);
    methods = json_object_get(r.json, "code_challenge_methods_supported");
    assert_int_equal(json_array_size(methods), 1);
    assert_string_equal(json_string_value(json_array_get(methods, 0)), "S256");
    reply_free(&r);

    r = call("GET", "/.well-known/openid-configuration", h_ip, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(str(&r, "message"), "Instance not found"));
    reply_free(&r);

    r = call("GET", "/.well-known/openid-configuration", h_fwd, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(&r, "issuer"), "http://localhost:9999");
    reply_free(&r);
}

static void api_errors_have_zitadel_shape(void **state)
{
    struct reply r;

    (void)state;
    r = call("GET", "/management/v1/orgs/me", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 401);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 16);
    assert_string_equal(str(&r, "message"), "auth header missing");
    reply_free(&r);

    r = api("POST", "/management/v1/projects", "{\"name\":");
    assert_int_equal(r.status, 400);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 3);
    reply_free(&r);

    r = api("POST", "/management/v1/projects", "{}");
    assert_int_equal(r.status, 400);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 3);
    reply_free(&r);

    r = api("GET", "/management/v1/no/such/path", NULL);
    assert_int_equal(r.status, 404);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 5);
    reply_free(&r);

    r = api_as("not-a-token", "GET", "/management/v1/orgs/me", NULL);
    assert_int_equal(r.status, 401);
    reply_free(&r);
}

static void create_app(const char *pid, const char *name, const char *body, char *client_id,
                       size_t size)
{
    char path[256];
    struct reply r;

    snprintf(path, sizeof(path), "/management/v1/projects/%s/apps/%s", pid, name);
    r = api("POST", path, "%s", body);
    assert_int_equal(r.status, 200);
    copy(client_id, size, str(&r, "clientId"));
    assert_non_null(strchr(client_id, '@'));
    if (strstr(name, "api") != NULL)
        copy(strstr(body, "other") ? w.other_api_secret : w.api_secret, 128,
             str(&r, "clientSecret"));
    reply_free(&r);
}

static void provision_project_and_apps(void **state)
{
    struct reply r;
    char path[256];

    (void)state;
    r = api("GET", "/management/v1/orgs/me", NULL);
    assert_int_equal(r.status, 200);
    copy(w.org_id, sizeof(w.org_id), json_string_value(json_object_get(
        json_object_get(r.json, "org"), "id")));
    reply_free(&r);

    r = api("POST", "/management/v1/projects",
            "{\"name\":\"Hito Platform\",\"project_role_assertion\":true}");
    assert_int_equal(r.status, 200);
    copy(w.project_id, sizeof(w.project_id), str(&r, "id"));
    assert_string_not_equal(w.project_id, "");
    assert_non_null(json_object_get(json_object_get(r.json, "details"), "resourceOwner"));
    reply_free(&r);

    r = api("POST", "/management/v1/projects", "{\"name\":\"Hito Platform\"}");
    assert_int_equal(r.status, 409);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 6);
    reply_free(&r);

    snprintf(path, sizeof(path), "/management/v1/projects/%s", w.project_id);
    r = api("PUT", path, "{\"name\":\"Hito Platform\",\"projectRoleAssertion\":true}");
    assert_int_equal(r.status, 400);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 9);
    reply_free(&r);

    r = api("POST", "/management/v1/projects/_search",
            "{\"queries\":[{\"nameQuery\":{\"name\":\"Hito Platform\","
            "\"method\":\"TEXT_QUERY_METHOD_EQUALS\"}}]}");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "result")), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "details"),
                                                          "totalResult")), "1");
    reply_free(&r);

    snprintf(path, sizeof(path), "/management/v1/projects/%s/roles/_bulk", w.project_id);
    r = api("POST", path, "{\"roles\":[{\"key\":\"admin\",\"displayName\":\"Admin\"},"
                          "{\"key\":\"customer\",\"displayName\":\"Customer\"}]}");
    assert_int_equal(r.status, 200);
    reply_free(&r);
    snprintf(path, sizeof(path), "/management/v1/projects/%s/roles", w.project_id);
    r = api("POST", path, "{\"roleKey\":\"admin\",\"displayName\":\"Admin\"}");
    assert_int_equal(r.status, 409);
    reply_free(&r);

    create_app(w.project_id, "oidc",
               "{\"name\":\"web\",\"redirectUris\":[\"" REDIRECT "\"],"
               "\"responseTypes\":[\"OIDC_RESPONSE_TYPE_CODE\"],"
               "\"grantTypes\":[\"OIDC_GRANT_TYPE_AUTHORIZATION_CODE\","
               "\"OIDC_GRANT_TYPE_REFRESH_TOKEN\"],\"appType\":\"OIDC_APP_TYPE_USER_AGENT\","
               "\"authMethodType\":\"OIDC_AUTH_METHOD_TYPE_NONE\","
               "\"accessTokenType\":\"OIDC_TOKEN_TYPE_JWT\",\"accessTokenRoleAssertion\":true,"
               "\"idTokenRoleAssertion\":true}",
               w.web_client_id, sizeof(w.web_client_id));
    create_app(w.project_id, "api", "{\"name\":\"gateway\","
               "\"authMethodType\":\"API_AUTH_METHOD_TYPE_BASIC\"}",
               w.api_client_id, sizeof(w.api_client_id));

    r = api("POST", "/management/v1/projects", "{\"name\":\"Other\"}");
    copy(w.other_project_id, sizeof(w.other_project_id), str(&r, "id"));
    reply_free(&r);
    create_app(w.other_project_id, "api", "{\"name\":\"other\"}", w.other_api_client_id,
               sizeof(w.other_api_client_id));
}

static void provision_users_and_grants(void **state)
{
    struct reply r;
    char path[256];

    (void)state;
    r = api("POST", "/management/v1/users/machine", "{\"userName\":\"svc@hito\",\"name\":\"Svc\","
            "\"accessTokenType\":\"ACCESS_TOKEN_TYPE_JWT\"}");
    assert_int_equal(r.status, 200);
    copy(w.machine_id, sizeof(w.machine_id), str(&r, "userId"));
    reply_free(&r);

    snprintf(path, sizeof(path), "/management/v1/users/%s/secret", w.machine_id);
    r = api("PUT", path, "{}");
    assert_int_equal(r.status, 200);
    assert_string_equal(str(&r, "clientId"), "svc@hito");
    copy(w.machine_secret, sizeof(w.machine_secret), str(&r, "clientSecret"));
    reply_free(&r);
    r = api("PUT", path, "{}");
    assert_string_not_equal(str(&r, "clientSecret"), w.machine_secret);
    copy(w.machine_secret, sizeof(w.machine_secret), str(&r, "clientSecret"));
    reply_free(&r);

    r = api("POST", "/management/v1/users/machine", "{\"userName\":\"login-client\","
            "\"name\":\"Login\"}");
    copy(w.login_client_id, sizeof(w.login_client_id), str(&r, "userId"));
    reply_free(&r);
    snprintf(path, sizeof(path), "/management/v1/users/%s/pats", w.login_client_id);
    r = api("POST", path, "{}");
    assert_int_equal(r.status, 200);
    copy(w.login_client_pat, sizeof(w.login_client_pat), str(&r, "token"));
    reply_free(&r);

    r = api("POST", "/management/v1/users/human/_import", "{\"userName\":\"ana\","
            "\"profile\":{\"firstName\":\"Ana\",\"lastName\":\"Diaz\"},"
            "\"email\":{\"email\":\"ana@example.com\",\"isEmailVerified\":true},"
            "\"password\":\"weak\"}");
    assert_int_equal(r.status, 400);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 3);
    reply_free(&r);
    r = api("POST", "/management/v1/users/human/_import", "{\"userName\":\"ana\","
            "\"profile\":{\"firstName\":\"Ana\",\"lastName\":\"Diaz\"},"
            "\"email\":{\"email\":\"ana@example.com\",\"isEmailVerified\":true},"
            "\"password\":\"Secret-Pass1\"}");
    assert_int_equal(r.status, 200);
    copy(w.human_id, sizeof(w.human_id), str(&r, "userId"));
    reply_free(&r);

    snprintf(path, sizeof(path), "/management/v1/users/%s/grants", w.human_id);
    r = api("POST", path, "{\"projectId\":\"%s\",\"roleKeys\":[\"customer\"]}", w.project_id);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = api("POST", path, "{\"projectId\":\"%s\",\"roleKeys\":[\"customer\"]}", w.project_id);
    assert_int_equal(r.status, 409);
    reply_free(&r);
    snprintf(path, sizeof(path), "/management/v1/users/%s/grants", w.machine_id);
    r = api("POST", path, "{\"projectId\":\"%s\",\"roleKeys\":[\"admin\"]}", w.project_id);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    r = api("POST", "/admin/v1/members", "{\"userId\":\"%s\",\"roles\":[\"IAM_OWNER_VIEWER\"]}",
            w.login_client_id);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = api("POST", "/admin/v1/members", "{\"userId\":\"%s\",\"roles\":[\"IAM_OWNER_VIEWER\"]}",
            w.login_client_id);
    assert_int_equal(r.status, 409);
    reply_free(&r);
    r = api_as(w.login_client_pat, "POST", "/management/v1/projects", "{\"name\":\"Nope\"}");
    assert_int_equal(r.status, 403);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 7);
    reply_free(&r);

    r = api("POST", "/management/v1/users/_search",
            "{\"queries\":[{\"userNameQuery\":{\"userName\":\"ana\"}}]}");
    assert_int_equal(json_array_size(json_object_get(r.json, "result")), 1);
    reply_free(&r);
}

static void client_credentials_jwt(void **state)
{
    char body[1024];
    char *user = httpc_escape("svc@hito");
    struct jwt_claims claims = {0};
    struct reply r;
    json_t *payload;

    (void)state;
    snprintf(body, sizeof(body), "grant_type=client_credentials&scope=openid%%20"
             "urn:zitadel:iam:org:project:id:%s:aud%%20urn:zitadel:iam:org:projects:roles",
             w.project_id);
    r = form("/oauth/v2/token", body, user, w.machine_secret);
    free(user);
    assert_int_equal(r.status, 200);
    assert_null(json_object_get(r.json, "refresh_token"));
    assert_null(json_object_get(r.json, "id_token"));
    assert_int_equal(verify(str(&r, "access_token"), w.project_id, &claims), JWT_VERIFY_OK);
    assert_string_equal(claims.sub, w.machine_id);
    assert_true(jwt_claims_has_role(&claims, "admin"));
    jwt_claims_free(&claims);
    payload = jwt_payload(str(&r, "access_token"));
    assert_null(json_object_get(payload, "client_id"));
    assert_null(json_object_get(payload, "scope"));
    assert_null(json_object_get(payload, "azp"));
    assert_non_null(json_object_get(payload, "jti"));
    assert_non_null(json_object_get(json_object_get(payload, "urn:zitadel:iam:org:project:roles"),
                                    "admin"));
    json_decref(payload);
    reply_free(&r);

    snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=svc%%40hito"
             "&client_secret=%s", w.machine_secret);
    r = form("/oauth/v2/token", body, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(verify(str(&r, "access_token"), "", NULL), JWT_VERIFY_BAD_AUDIENCE);
    reply_free(&r);

    r = form("/oauth/v2/token", "grant_type=client_credentials", "svc@hito", "wrong");
    assert_int_equal(r.status, 401);
    assert_string_equal(str(&r, "error"), "invalid_client");
    reply_free(&r);

    r = form("/oauth/v2/token", "grant_type=password&username=ana&password=x", NULL, NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(str(&r, "error"), "unsupported_grant_type");
    reply_free(&r);
}

/* Runs authorize, session and finalisation; returns the code from the callback URL. */
static int login(const char *password, const char *challenge_method, char *code, size_t size)
{
    char path[URL_MAX];
    char header[64];
    char body[512];
    char *redirect = httpc_escape(REDIRECT);
    const char *headers[] = {header, NULL};
    char session_id[64];
    char session_token[128];
    const char *p;
    struct reply r;

    snprintf(header, sizeof(header), "x-zitadel-login-client: %s", w.login_client_id);
    snprintf(path, sizeof(path), "/oauth/v2/authorize?client_id=%s&redirect_uri=%s"
             "&response_type=code&scope=openid%%20offline_access%%20profile&state=xyz"
             "&code_challenge=" PKCE_CHALLENGE "&code_challenge_method=%s",
             w.web_client_id, redirect, challenge_method);
    free(redirect);
    r = call("GET", path, headers, NULL, NULL, NULL);
    assert_int_equal(r.status, 302);
    assert_non_null(r.location);
    if (strstr(r.location, "/login?authRequest=V2_") != r.location) {
        reply_free(&r);
        return -1;
    }
    snprintf(path, sizeof(path), "/v2beta/oidc/auth_requests/%s", r.location + 19);
    reply_free(&r);

    r = api_as(w.login_client_pat, "POST", "/v2beta/sessions",
               password ? "{\"checks\":{\"user\":{\"loginName\":\"ana\"},\"password\":"
                          "{\"password\":\"Secret-Pass1\"}}}" : NULL);
    if (r.status != 201) {
        reply_free(&r);
        return -2;
    }
    copy(session_id, sizeof(session_id), str(&r, "sessionId"));
    copy(session_token, sizeof(session_token), str(&r, "sessionToken"));
    reply_free(&r);

    snprintf(body, sizeof(body), "{\"session\":{\"sessionId\":\"%s\",\"sessionToken\":\"%s\"}}",
             session_id, session_token);
    r = api_as(w.login_client_pat, "POST", path, body);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(str(&r, "callbackUrl"), "state=xyz"));
    p = strstr(str(&r, "callbackUrl"), "code=");
    assert_non_null(p);
    snprintf(code, size, "%.*s", (int)strcspn(p + 5, "&"), p + 5);
    reply_free(&r);
    return 0;
}

static void pkce_login_and_refresh_rotation(void **state)
{
    char code[256];
    char body[1024];
    char old_refresh[256];
    struct jwt_claims claims = {0};
    struct reply r;
    char *redirect = httpc_escape(REDIRECT);

    (void)state;
    snprintf(body, sizeof(body), "/oauth/v2/authorize?client_id=%s&redirect_uri=%s"
             "&response_type=code&scope=openid", w.web_client_id, redirect);
    r = call("GET", body, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 302);
    assert_non_null(r.location);
    assert_non_null(strstr(r.location, "error=invalid_request"));
    reply_free(&r);
    assert_int_equal(login("Secret-Pass1", "plain", code, sizeof(code)), -1);
    assert_int_equal(login("Secret-Pass1", "S256", code, sizeof(code)), 0);

    snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&redirect_uri=%s"
             "&client_id=%s&code_verifier=wrong-verifier-wrong-verifier-wrong-verifier", code,
             redirect, w.web_client_id);
    r = form("/oauth/v2/token", body, NULL, NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(str(&r, "error"), "invalid_grant");
    reply_free(&r);

    assert_int_equal(login("Secret-Pass1", "S256", code, sizeof(code)), 0);
    snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&redirect_uri=%s"
             "&client_id=%s&code_verifier=" PKCE_VERIFIER, code, redirect, w.web_client_id);
    free(redirect);
    r = form("/oauth/v2/token", body, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(json_object_get(r.json, "id_token"));
    assert_non_null(json_object_get(r.json, "refresh_token"));
    assert_int_equal(verify(str(&r, "access_token"), w.web_client_id, &claims), JWT_VERIFY_OK);
    assert_string_equal(claims.sub, w.human_id);
    assert_true(jwt_claims_has_role(&claims, "customer"));
    jwt_claims_free(&claims);
    assert_int_equal(verify(str(&r, "access_token"), w.project_id, NULL), JWT_VERIFY_OK);
    assert_int_equal(verify(str(&r, "id_token"), w.web_client_id, NULL), JWT_VERIFY_OK);
    copy(w.access_token, sizeof(w.access_token), str(&r, "access_token"));
    copy(w.refresh_token, sizeof(w.refresh_token), str(&r, "refresh_token"));
    reply_free(&r);

    copy(old_refresh, sizeof(old_refresh), w.refresh_token);
    snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s&client_id=%s",
             old_refresh, w.web_client_id);
    r = form("/oauth/v2/token", body, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_not_equal(str(&r, "refresh_token"), old_refresh);
    copy(w.refresh_token, sizeof(w.refresh_token), str(&r, "refresh_token"));
    reply_free(&r);
    r = form("/oauth/v2/token", body, NULL, NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(str(&r, "error"), "invalid_grant");
    reply_free(&r);
}

static void introspect_checks_audience(void **state)
{
    char body[9000];
    char auth[8300];
    const char *headers[] = {auth, NULL};
    struct reply r;

    (void)state;
    snprintf(body, sizeof(body), "token=%s", w.access_token);
    r = form("/oauth/v2/introspect", body, w.api_client_id, w.api_secret);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "active")));
    assert_string_equal(str(&r, "sub"), w.human_id);
    reply_free(&r);

    r = form("/oauth/v2/introspect", body, w.other_api_client_id, w.other_api_secret);
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "active")));
    reply_free(&r);

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w.access_token);
    r = call("GET", "/oidc/v1/userinfo", headers, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(&r, "sub"), w.human_id);
    assert_string_equal(str(&r, "given_name"), "Ana");
    reply_free(&r);
}

static void revoke_ends_access(void **state)
{
    char body[9000];
    char auth[8300];
    const char *headers[] = {auth, NULL};
    struct reply r;

    (void)state;
    snprintf(body, sizeof(body), "token=%s&client_id=%s", w.access_token, w.web_client_id);
    r = form("/oauth/v2/revoke", body, NULL, NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w.access_token);
    r = call("GET", "/oidc/v1/userinfo", headers, NULL, NULL, NULL);
    assert_int_equal(r.status, 401);
    reply_free(&r);
    snprintf(body, sizeof(body), "token=%s", w.access_token);
    r = form("/oauth/v2/introspect", body, w.api_client_id, w.api_secret);
    assert_true(json_is_false(json_object_get(r.json, "active")));
    reply_free(&r);
}

/* Creates an action and sets it (alone) on the pre-access-token trigger. */
static void set_action(const char *name, const char *script, int allowed_to_fail)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:b}", "name", name, "script", script,
                             "timeout", "5s", "allowedToFail", allowed_to_fail);
    char *text = json_dumps(body, JSON_COMPACT);
    char ids[128];
    struct reply r = api("POST", "/management/v1/actions", "%s", text);

    assert_int_equal(r.status, 200);
    snprintf(ids, sizeof(ids), "{\"actionIds\":[\"%s\"]}", str(&r, "id"));
    reply_free(&r);
    r = api("POST", "/management/v1/flows/2/trigger/5", "%s", ids);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    free(text);
    json_decref(body);
}

static int refresh_and_get_status(json_t **payload)
{
    char body[1024];
    struct reply r;
    int status;

    snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s&client_id=%s",
             w.refresh_token, w.web_client_id);
    r = form("/oauth/v2/token", body, NULL, NULL);
    status = (int)r.status;
    if (status == 200) {
        copy(w.refresh_token, sizeof(w.refresh_token), str(&r, "refresh_token"));
        if (payload != NULL)
            *payload = jwt_payload(str(&r, "access_token"));
    }
    reply_free(&r);
    return status;
}

static void actions_add_claims_and_fail(void **state)
{
    json_t *payload = NULL;
    json_t *roles;

    (void)state;
    set_action("flatRoles",
               "function flatRoles(ctx, api) {\n"
               "  var roles = [];\n"
               "  if (ctx.v1.user.grants && ctx.v1.user.grants.grants) {\n"
               "    ctx.v1.user.grants.grants.forEach(function (g) {\n"
               "      g.roles.forEach(function (r) { roles.push(r); });\n"
               "    });\n"
               "  }\n"
               "  api.v1.claims.setClaim('roles', roles);\n"
               "  api.v1.claims.setClaim('sub', 'overwritten');\n"
               "}\n", 0);
    assert_int_equal(refresh_and_get_status(&payload), 200);
    roles = json_object_get(payload, "roles");
    assert_int_equal(json_array_size(roles), 1);
    assert_string_equal(json_string_value(json_array_get(roles, 0)), "customer");
    assert_string_equal(json_string_value(json_object_get(payload, "sub")), w.human_id);
    json_decref(payload);

    set_action("boom", "function boom(ctx, api) { throw new Error('no'); }", 0);
    assert_int_equal(refresh_and_get_status(NULL), 500);

    set_action("boomOk", "function boomOk(ctx, api) { throw new Error('no'); }", 1);
    assert_int_equal(refresh_and_get_status(NULL), 200);
}

static int session_status_as(const char *login, const char *password)
{
    char body[256];
    struct reply r;
    int status;

    snprintf(body, sizeof(body), "{\"checks\":{\"user\":{\"loginName\":\"%s\"},"
             "\"password\":{\"password\":\"%s\"}}}", login, password);
    r = api_as(w.login_client_pat, "POST", "/v2beta/sessions", body);
    status = (int)r.status;
    if (status == 400 && strcmp(password, "Secret-Pass1") == 0)
        assert_non_null(strstr(str(&r, "message"), "User is locked"));
    reply_free(&r);
    return status;
}

static int session_status(const char *password)
{
    return session_status_as("ana", password);
}

static void lockout_locks_and_unlock_resets(void **state)
{
    char path[256];
    struct reply r;

    (void)state;
    r = api("GET", "/management/v1/policies/lockout", NULL);
    assert_true(json_is_true(json_object_get(json_object_get(r.json, "policy"), "isDefault")));
    reply_free(&r);
    r = api("POST", "/management/v1/policies/lockout", "{\"maxPasswordAttempts\":\"2\"}");
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = api("PUT", "/management/v1/policies/lockout", "{\"maxPasswordAttempts\":2}");
    assert_int_equal(r.status, 400);
    assert_int_equal(json_integer_value(json_object_get(r.json, "code")), 9);
    reply_free(&r);

    assert_int_equal(session_status("wrong-1"), 400);
    assert_int_equal(session_status("wrong-2"), 400);
    assert_int_equal(session_status("Secret-Pass1"), 400);

    snprintf(path, sizeof(path), "/management/v1/users/%s", w.human_id);
    r = api("GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "user"),
                                                          "state")), "USER_STATE_LOCKED");
    reply_free(&r);
    snprintf(path, sizeof(path), "/management/v1/users/%s/_unlock", w.human_id);
    r = api("POST", path, "{}");
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_int_equal(session_status("Secret-Pass1"), 201);
    assert_int_equal(session_status_as("ana@zitadel.localhost", "Secret-Pass1"), 201);
    assert_int_equal(session_status_as("nobody", "Secret-Pass1"), 404);
}

static void key_rotation_keeps_old_tokens(void **state)
{
    struct reply r;
    json_t *header;
    char old_kid[64];
    char *dot;

    (void)state;
    dot = strchr(w.access_token, '.');
    assert_non_null(dot);
    *dot = '\0';
    {
        unsigned char *raw = NULL;
        size_t len = 0;

        assert_int_equal(jwks_base64url_decode(w.access_token, strlen(w.access_token), &raw,
                                               &len), 0);
        header = json_loadb((const char *)raw, len, 0, NULL);
        free(raw);
    }
    *dot = '.';
    copy(old_kid, sizeof(old_kid), json_string_value(json_object_get(header, "kid")));
    json_decref(header);

    r = call("POST", "/__emulator/keys/rotate", NULL, "", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_not_equal(str(&r, "kid"), old_kid);
    reply_free(&r);
    r = call("GET", "/oauth/v2/keys", NULL, NULL, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "keys")), 2);
    reply_free(&r);
    assert_int_equal(verify(w.access_token, w.web_client_id, NULL), JWT_VERIFY_OK);

    r = call("POST", "/__emulator/keys/retire", NULL, "", NULL, NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = call("GET", "/oauth/v2/keys", NULL, NULL, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "keys")), 1);
    reply_free(&r);
    assert_int_equal(verify(w.access_token, w.web_client_id, NULL), JWT_VERIFY_UNKNOWN_KID);
}

static void restart_keeps_state(void **state)
{
    struct reply r;
    json_t *payload = NULL;

    (void)state;
    stop_emulator();
    start_emulator();
    r = api("POST", "/management/v1/projects/_search",
            "{\"queries\":[{\"nameQuery\":{\"name\":\"Hito Platform\"}}]}");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "result")), 1);
    reply_free(&r);
    /* The refresh token and the signing key survive, so the new token verifies. */
    assert_int_equal(refresh_and_get_status(&payload), 200);
    json_decref(payload);
}

static int setup(void **state)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    FILE *f;
    char pat_path[PATH_MAX + 32];

    (void)state;
    if (n <= 0)
        return -1;
    self[n] = '\0';
    snprintf(w.bin, sizeof(w.bin), "%s/../bin/hito-zitadel-emulator", dirname(self));
    snprintf(w.dir, sizeof(w.dir), "/tmp/hito-zitadel-it-XXXXXX");
    if (mkdtemp(w.dir) == NULL)
        return -1;
    write_settings();
    start_emulator();
    snprintf(pat_path, sizeof(pat_path), "%s/admin.pat", w.dir);
    f = fopen(pat_path, "r");
    if (f == NULL || fgets(w.pat, sizeof(w.pat), f) == NULL)
        return -1;
    fclose(f);
    w.pat[strcspn(w.pat, "\n")] = '\0';
    return 0;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    stop_emulator();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w.dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discovery_issuer_follows_host),
        cmocka_unit_test(api_errors_have_zitadel_shape),
        cmocka_unit_test(provision_project_and_apps),
        cmocka_unit_test(provision_users_and_grants),
        cmocka_unit_test(client_credentials_jwt),
        cmocka_unit_test(pkce_login_and_refresh_rotation),
        cmocka_unit_test(introspect_checks_audience),
        cmocka_unit_test(revoke_ends_access),
        cmocka_unit_test(actions_add_claims_and_fail),
        cmocka_unit_test(lockout_locks_and_unlock_resets),
        cmocka_unit_test(key_rotation_keeps_old_tokens),
        cmocka_unit_test(restart_keeps_state),
    };

    return cmocka_run_group_tests_name("zitadel_emulator_integration", tests, setup, teardown);
}

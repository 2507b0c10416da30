/*
 * server.h - the emulator's HTTP layer: settings, the per-request context,
 * ZITADEL-shaped replies, instance (issuer) resolution and API auth.
 *
 * Every handler runs with the state lock held and fills the reply of its
 * struct zreq. The dispatcher saves the state when the handler marked it
 * changed, and only then sends the reply. So a client never gets success
 * for a change that was not persisted.
 */
#ifndef ZITADEL_SERVER_H
#define ZITADEL_SERVER_H

#include <stddef.h>
#include <jansson.h>

#include "hito/err.h"
#include "hito/httpd.h"
#include "jose.h"
#include "store.h"

#define ZSRV_MAX_ISSUER 512
#define ZSRV_MAX_BODY (1024 * 1024)
/* Maximum length of a name, key or display text in an API field. */
#define ZSRV_MAX_FIELD 200
/* Most entries accepted in an input array (roles, redirect URIs, ...). */
#define ZSRV_MAX_ITEMS 100
/* Longest URL accepted (redirect URIs, callback URLs). */
#define ZSRV_MAX_URL 2048

struct zsrv_settings {
    const char *domain;            /* ZITADEL_EXTERNAL_DOMAIN */
    const char *org_name;          /* name of the first org */
    const char *admin_username;    /* the first instance's IAM admin machine user */
    const char *pat_path;          /* where the admin PAT is written once */
    long access_token_lifetime_s;
    long id_token_lifetime_s;
    long refresh_idle_s;
    long code_lifetime_s;
    int session_ignores_lockout;   /* reproduce 2.40's session API */
};

struct zsrv {
    struct zsrv_settings settings;
    struct store *store;
    struct jose_keyring *keys;
    struct httpd *http;
};

struct zreq {
    struct httpd_req *http;
    struct zsrv *srv;
    json_t *doc;                   /* the state document (borrowed) */
    char issuer[ZSRV_MAX_ISSUER];  /* http://<host[:port]> of this request */
    int status;
    json_t *reply;                 /* JSON reply body, or NULL */
    char *text;                    /* text reply body when reply is NULL */
    const char *content_type;
    char *location;                /* Location of a redirect */
    int dirty;                     /* the state changed: save before replying */
    json_t *caller;                /* authenticated user (borrowed) */
    json_t *caller_token;          /* token context of the caller, NULL for a PAT */
    const char *org_id;            /* org context: x-zitadel-orgid or the caller's org */
};

typedef void (*zsrv_handler)(struct zreq *z);

/* Route flags. */
#define ZROUTE_INSTANCE 1          /* the Host must name the instance */
#define ZROUTE_AUTH 2              /* Management/Admin API bearer auth */

/*
 * Registers method+pattern. Patterns are grouped, so httpd gets each
 * pattern once, and a method without a handler gets ZITADEL's 405 error body.
 */
int zsrv_route(struct zsrv *srv, const char *method, const char *pattern, int flags,
               zsrv_handler handler);

/* Sets a JSON reply (steals body). */
void zreq_json(struct zreq *z, int status, json_t *body);

/* Sets a ZITADEL error reply; the HTTP status follows the gRPC code. */
void zreq_error(struct zreq *z, int grpc_code, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets an OAuth 2.0 error reply {"error", "error_description"}. */
void zreq_oauth_error(struct zreq *z, int status, const char *error, const char *description);

/* Sets a text reply. */
void zreq_text(struct zreq *z, int status, const char *content_type, const char *text);

/* Sets a 302 to location (copied). */
void zreq_redirect(struct zreq *z, const char *location);

/*
 * Reads the request body as a JSON object with snake_case keys converted.
 * An empty body is {}. On failure sets the error reply and returns NULL.
 */
json_t *zreq_body(struct zreq *z);

/*
 * Reads a string field. Returns 0 with *out set (NULL when absent and not
 * required), or -1 after setting a 400 error for a missing, non-string or
 * too long value.
 */
int zreq_string(struct zreq *z, const json_t *body, const char *key, size_t max,
                int required, const char **out);

/* Reads a boolean field (absent is false); -1 after a 400 for a non-boolean. */
int zreq_bool(struct zreq *z, const json_t *body, const char *key, int *out);

/*
 * Reads an array of strings (absent is an empty array). Returns a new array,
 * or NULL after a 400 for a non-array, a non-string entry, more than
 * ZSRV_MAX_ITEMS entries or an entry longer than max.
 */
json_t *zreq_strings(struct zreq *z, const json_t *body, const char *key, size_t max);

/*
 * Resolves a bearer token (PAT, JWT or opaque access token) to its user.
 * Returns the user (borrowed) and, for access tokens, a new reference to
 * the token context in *tctx (NULL for a PAT); NULL when the token is
 * unknown, expired or revoked.
 */
json_t *zsrv_token_user(struct zsrv *srv, json_t *doc, const char *token, json_t **tctx);

/*
 * Returns the stored entry {type, exp, ctx} of a verified JWT access token,
 * kept under "jti:<jti>" in STORE_TOKENS (borrowed); NULL when revoked.
 */
json_t *zsrv_jwt_entry(json_t *doc, const json_t *claims);

/* Returns nonzero when the caller may administer org_id. */
int zsrv_can_admin(const json_t *caller, const char *org_id);

/* Appends "key=value" (escaped) to a URL with ? or &. The caller frees it. */
char *zsrv_url_add(const char *url, const char *key, const char *value);

/* Registers every route. */
int zsrv_routes_oidc(struct zsrv *srv);
int zsrv_routes_mgmt(struct zsrv *srv);
int zsrv_routes_users(struct zsrv *srv);
int zsrv_routes_policies(struct zsrv *srv);
int zsrv_routes_login(struct zsrv *srv);

/*
 * Creates the first instance when the state is empty: the default org, the
 * ZITADEL project, default policies, the first signing key, and the IAM
 * admin machine user whose PAT is written once to settings.pat_path (0600).
 * Loads the keyring otherwise.
 */
int zsrv_instance_init(struct zsrv *srv, struct hito_error *err);

/* Saves the keyring into the state document (with the lock held). */
void zsrv_keys_store(struct zsrv *srv, json_t *doc);

#endif

/*
 * Copies the URL-decoded value of key from form-encoded data (a body or a
 * query string) into out. Returns its length, or -1 when absent, malformed
 * or longer than size - 1.
 */
int zsrv_form_value(const char *data, size_t len, const char *key, char *out, size_t size);

/*
 * Reads the client credentials of an OAuth request: HTTP Basic (values
 * URL-encoded, RFC 6749 2.3.1) or the client_id/client_secret form fields.
 * Returns 0 when a client id was found; secret is "" when none was sent.
 */
int zsrv_client_credentials(struct zreq *z, char *id, size_t id_size, char *secret,
                            size_t secret_size);

/* Returns the app whose OIDC or API config has client_id, or NULL (borrowed). */
json_t *zsrv_app_by_client_id(json_t *doc, const char *client_id);

/*
 * Returns the user with this login name: the user name, or
 * "<userName>@<primary domain of its org>"; NULL when none has it.
 */
json_t *zsrv_user_by_login_name(json_t *doc, const char *login_name);

/* Returns nonzero when secret matches the stored SHA-256 hex hash_hex. */
int zsrv_secret_ok(const char *hash_hex, const char *secret);

#include "otp_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "hito/log.h"
#include "hito/metrics.h"

#define OTP_PG_NONCE_SIZE 12
#define OTP_PG_TAG_SIZE 16
#define OTP_PG_SEALED_MAX                                                      \
    (OTP_PG_NONCE_SIZE + OTP_TOTP_SECRET_MAX + OTP_PG_TAG_SIZE)
/* bytea in hex input/output form: "\x" and two digits per byte. */
#define OTP_PG_HEX_MAX (2 + 2 * OTP_PG_SEALED_MAX + 1)
#define OTP_PG_NUMBER_SIZE 24
#define OTP_PG_AUDIT_FAILURES "otp_audit_failures_total"

struct otp_pg {
    struct db_pool *pool;
    unsigned char seal_key[OTP_PG_SEAL_KEY_SIZE];
};

struct otp_pg *otp_pg_new(struct db_pool *pool,
                          const unsigned char seal_key[OTP_PG_SEAL_KEY_SIZE],
                          struct hito_error *err)
{
    struct otp_pg *pg = calloc(1, sizeof(*pg));

    if (pg == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    pg->pool = pool;
    memcpy(pg->seal_key, seal_key, OTP_PG_SEAL_KEY_SIZE);
    metrics_define(OTP_PG_AUDIT_FAILURES,
                   "Audit events that could not be written.", METRICS_COUNTER);
    return pg;
}

void otp_pg_free(struct otp_pg *pg)
{
    if (pg == NULL)
        return;
    OPENSSL_cleanse(pg->seal_key, sizeof(pg->seal_key));
    free(pg);
}

/* Returns the pool of the struct otp_pg behind a port's self pointer. */
static struct db_pool *pool_of(void *self)
{
    return ((struct otp_pg *)self)->pool;
}

static int audit_record(void *self, const struct otp_audit_event *event,
                        struct hito_error *err)
{
    static const char sql[] =
        "INSERT INTO otp_audit "
        "(event, subject, purpose, client_id, request_id, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6)";
    const char *params[] = { event->event,      event->subject,
                             event->purpose,    event->client_id,
                             event->request_id, event->detail };
    struct hito_error local = { 0 };
    int rc;

    rc = db_pool_exec(pool_of(self), 0, sql, 6, params, NULL, &local);
    if (rc != HITO_OK) {
        metrics_add(OTP_PG_AUDIT_FAILURES, "", 1);
        LOG_ERROR("writing an audit event failed", "event", event->event,
                  "error", local.message);
        if (err != NULL)
            *err = local;
    }
    return rc;
}

static const struct otp_audit_ops audit_ops = { audit_record };

struct otp_audit otp_pg_audit(struct otp_pg *pg)
{
    return (struct otp_audit){ &audit_ops, pg };
}

/* Seals secret as nonce || ciphertext || tag; returns the length or -1. */
static int seal(const struct otp_pg *pg, const char *account,
                const unsigned char *secret, size_t len, unsigned char *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, final_len = 0, ok;

    if (ctx == NULL)
        return -1;
    ok =
        EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, OTP_PG_NONCE_SIZE,
                            NULL) &&
        EVP_EncryptInit_ex(ctx, NULL, NULL, pg->seal_key, out) &&
        EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)account,
                          (int)strlen(account)) &&
        EVP_EncryptUpdate(ctx, out + OTP_PG_NONCE_SIZE, &n, secret, (int)len) &&
        EVP_EncryptFinal_ex(ctx, out + OTP_PG_NONCE_SIZE + n, &final_len) &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, OTP_PG_TAG_SIZE,
                            out + OTP_PG_NONCE_SIZE + n + final_len);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? OTP_PG_NONCE_SIZE + n + final_len + OTP_PG_TAG_SIZE : -1;
}

/* Opens a sealed secret; returns its length, or -1 when it was altered. */
static int unseal(const struct otp_pg *pg, const char *account,
                  const unsigned char *in, size_t len, unsigned char *out)
{
    EVP_CIPHER_CTX *ctx;
    int n = 0, final_len = 0, ok;
    size_t body = len - OTP_PG_NONCE_SIZE - OTP_PG_TAG_SIZE;

    if (len < OTP_PG_NONCE_SIZE + OTP_PG_TAG_SIZE || body > OTP_TOTP_SECRET_MAX)
        return -1;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return -1;
    ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, OTP_PG_NONCE_SIZE,
                             NULL) &&
         EVP_DecryptInit_ex(ctx, NULL, NULL, pg->seal_key, in) &&
         EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)account,
                           (int)strlen(account)) &&
         EVP_DecryptUpdate(ctx, out, &n, in + OTP_PG_NONCE_SIZE, (int)body) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, OTP_PG_TAG_SIZE,
                             (void *)(in + len - OTP_PG_TAG_SIZE)) &&
         EVP_DecryptFinal_ex(ctx, out + n, &final_len) > 0;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? n + final_len : -1;
}

static void to_bytea_hex(const unsigned char *data, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";

    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        out[2 + 2 * i] = hex[data[i] >> 4];
        out[3 + 2 * i] = hex[data[i] & 0x0f];
    }
    out[2 + 2 * len] = '\0';
}

static int from_bytea_hex(const char *text, unsigned char *out, size_t size)
{
    size_t len = strlen(text);

    if (len < 2 || text[0] != '\\' || text[1] != 'x' || (len - 2) % 2 != 0 ||
        (len - 2) / 2 > size)
        return -1;
    for (size_t i = 0; i < (len - 2) / 2; i++) {
        unsigned int byte;

        if (sscanf(text + 2 + 2 * i, "%2x", &byte) != 1)
            return -1;
        out[i] = (unsigned char)byte;
    }
    return (int)((len - 2) / 2);
}

static int totp_put_secret(void *self, const char *account,
                           const unsigned char *secret, size_t len,
                           struct hito_error *err)
{
    static const char sql[] = "INSERT INTO otp_totp_enrolment (account, "
                              "secret, last_step) VALUES ($1, $2, NULL) "
                              "ON CONFLICT (account) DO UPDATE SET secret = "
                              "EXCLUDED.secret, last_step = NULL, "
                              "enrolled_at = now()";
    unsigned char sealed[OTP_PG_SEALED_MAX];
    char hex[OTP_PG_HEX_MAX];
    const char *params[] = { account, hex };
    int sealed_len;

    if (len > OTP_TOTP_SECRET_MAX)
        return hito_error_set(err, HITO_ERR_LIMIT,
                              "a TOTP secret is %d bytes at most",
                              OTP_TOTP_SECRET_MAX);
    /* A fresh random nonce per seal, as AES-GCM requires. */
    if (RAND_bytes(sealed, OTP_PG_NONCE_SIZE) != 1)
        return hito_error_set(err, HITO_ERR_IO, "random generator failed");
    sealed_len = seal(self, account, secret, len, sealed);
    if (sealed_len < 0)
        return hito_error_set(err, HITO_ERR_IO,
                              "sealing the TOTP secret failed");
    to_bytea_hex(sealed, (size_t)sealed_len, hex);
    return db_pool_exec(pool_of(self), 0, sql, 2, params, NULL, err);
}

static int totp_get_secret(void *self, const char *account,
                           unsigned char *secret, size_t *len,
                           struct hito_error *err)
{
    static const char sql[] =
        "SELECT secret FROM otp_totp_enrolment WHERE account = $1";
    const char *params[] = { account };
    unsigned char sealed[OTP_PG_SEALED_MAX];
    PGresult *res = NULL;
    int sealed_len, opened;
    int rc;

    rc = db_pool_exec(pool_of(self), 0, sql, 1, params, &res, err);
    if (rc != HITO_OK)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return HITO_ERR_NOT_FOUND;
    }
    sealed_len = from_bytea_hex(PQgetvalue(res, 0, 0), sealed, sizeof(sealed));
    PQclear(res);
    opened = sealed_len < 0
                 ? -1
                 : unseal(self, account, sealed, (size_t)sealed_len, secret);
    if (opened < 0)
        return hito_error_set(
            err, HITO_ERR_PROTOCOL,
            "the TOTP secret of %s cannot be opened with the current key",
            account);
    *len = (size_t)opened;
    return HITO_OK;
}

static int totp_use_step(void *self, const char *account, long long step,
                         struct hito_error *err)
{
    /* One statement, so two verifications of one step cannot both pass. */
    static const char sql[] =
        "UPDATE otp_totp_enrolment SET last_step = $2 "
        "WHERE account = $1 AND (last_step IS NULL OR last_step < $2)";
    char step_text[OTP_PG_NUMBER_SIZE];
    const char *params[] = { account, step_text };
    PGresult *res = NULL;
    int rc;

    snprintf(step_text, sizeof(step_text), "%lld", step);
    rc = db_pool_exec(pool_of(self), 0, sql, 2, params, &res, err);
    if (rc != HITO_OK)
        return rc;
    rc = strcmp(PQcmdTuples(res), "1") == 0 ? HITO_OK : HITO_ERR_CONFLICT;
    PQclear(res);
    return rc;
}

static const struct otp_totp_store_ops totp_ops = { totp_put_secret,
                                                    totp_get_secret,
                                                    totp_use_step };

struct otp_totp_store otp_pg_totp_store(struct otp_pg *pg)
{
    return (struct otp_totp_store){ &totp_ops, pg };
}

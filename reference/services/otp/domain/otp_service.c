#include "otp_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otp_code.h"
#include "otp_proof.h"

#define OTP_RATE_KEY_SIZE 96
#define OTP_HOUR_MS 3600000L
#define OTP_KEY_MAX 1024

struct otp_service {
    struct otp_policy policy;
    struct otp_service_deps deps;
    unsigned char hmac_key[OTP_KEY_MAX];
    unsigned char proof_key[OTP_KEY_MAX];
};

struct otp_service *otp_service_new(const struct otp_policy *policy,
                                    const struct otp_service_deps *deps,
                                    struct hito_error *err)
{
    struct otp_service *svc;

    if (otp_policy_check(policy, err) != HITO_OK)
        return NULL;
    if (deps->hmac_key_len < OTP_HMAC_KEY_MIN ||
        deps->hmac_key_len > OTP_KEY_MAX) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "the HMAC key must be %d to %d bytes", OTP_HMAC_KEY_MIN,
                       OTP_KEY_MAX);
        return NULL;
    }
    if (deps->proof_key_len < OTP_PROOF_KEY_MIN ||
        deps->proof_key_len > OTP_KEY_MAX) {
        hito_error_set(err, HITO_ERR_INVALID,
                       "the proof key must be %d to %d bytes",
                       OTP_PROOF_KEY_MIN, OTP_KEY_MAX);
        return NULL;
    }

    svc = calloc(1, sizeof(*svc));
    if (svc == NULL) {
        hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
        return NULL;
    }
    svc->policy = *policy;
    svc->deps = *deps;
    memcpy(svc->hmac_key, deps->hmac_key, deps->hmac_key_len);
    memcpy(svc->proof_key, deps->proof_key, deps->proof_key_len);
    svc->deps.hmac_key = svc->hmac_key;
    svc->deps.proof_key = svc->proof_key;
    return svc;
}

void otp_service_free(struct otp_service *svc)
{
    if (svc == NULL)
        return;
    OPENSSL_cleanse(svc, sizeof(*svc));
    free(svc);
}

const struct otp_policy *otp_service_policy(const struct otp_service *svc)
{
    return &svc->policy;
}

static void audit(struct otp_service *svc, const struct otp_request *request,
                  const char *event, const char *detail)
{
    struct otp_audit_event ev = {
        .event = event,
        .subject = request->subject,
        .purpose = request->purpose,
        .client_id = request->client_id,
        .request_id = request->request_id,
        .detail = detail,
    };

    /* The audit adapter logs its own failures, and a lost audit row does
     * not change the reply to the caller. */
    svc->deps.audit.ops->record(svc->deps.audit.self, &ev, NULL);
}

static int check_request(const struct otp_service *svc,
                         const struct otp_request *request,
                         const struct otp_purpose **purpose,
                         struct hito_error *err)
{
    if (request->subject == NULL || !otp_policy_subject_valid(request->subject))
        return hito_error_set(
            err, HITO_ERR_INVALID,
            "phone_number must be in E.164 form, for example +34600000000");
    *purpose = request->purpose
                   ? otp_policy_find(&svc->policy, request->purpose)
                   : NULL;
    if (*purpose == NULL)
        return hito_error_set(err, HITO_ERR_INVALID,
                              "purpose is missing or unknown");
    return HITO_OK;
}

static int acquire_send_slot(struct otp_service *svc,
                             const struct otp_request *request,
                             long *retry_after_ms, struct hito_error *err)
{
    char phone_key[OTP_RATE_KEY_SIZE], client_key[OTP_RATE_KEY_SIZE];
    struct otp_rate_limit limits[2] = {
        { phone_key, svc->policy.phone_cooldown_seconds * 1000,
          svc->policy.phone_max_per_hour, OTP_HOUR_MS },
        { client_key, svc->policy.client_cooldown_seconds * 1000,
          svc->policy.client_max_per_hour, OTP_HOUR_MS },
    };

    snprintf(phone_key, sizeof(phone_key), "phone:%s", request->subject);
    snprintf(client_key, sizeof(client_key), "client:%.80s",
             request->client_id ? request->client_id : "-");
    return svc->deps.limiter.ops->acquire(svc->deps.limiter.self, limits, 2,
                                          retry_after_ms, err);
}

static void send_code(struct otp_service *svc,
                      const struct otp_request *request, const char *code,
                      const char *digest, struct otp_issue_result *result)
{
    struct hito_error send_err = { 0 };
    long long started = svc->deps.clock();
    int rc;

    rc = svc->deps.notifier.ops->send_code(
        svc->deps.notifier.self, request->subject, code, request->purpose,
        request->request_id, result->message_id, &send_err);
    result->send_seconds = (double)(svc->deps.clock() - started) / 1000.0;
    if (rc == HITO_OK) {
        result->status = OTP_ISSUE_SENT;
        audit(svc, request, "sent", result->message_id);
        return;
    }

    /* A code the customer never received must not stay valid. */
    svc->deps.store.ops->take(svc->deps.store.self, request->subject,
                              request->purpose, digest, NULL);
    result->status = OTP_ISSUE_SEND_FAILED;
    result->message_id[0] = '\0';
    snprintf(result->reason, sizeof(result->reason), "%s",
             send_err.message[0] ? send_err.message : hito_strerror(rc));
    audit(svc, request, "send_failed", result->reason);
}

int otp_service_issue(struct otp_service *svc,
                      const struct otp_request *request,
                      struct otp_issue_result *result, struct hito_error *err)
{
    const struct otp_purpose *purpose;
    char code[OTP_CODE_SIZE];
    char digest[OTP_DIGEST_HEX_SIZE];
    long retry_after_ms = 0;
    int rc;

    memset(result, 0, sizeof(*result));
    rc = check_request(svc, request, &purpose, err);
    if (rc != HITO_OK)
        return rc;

    rc = acquire_send_slot(svc, request, &retry_after_ms, err);
    if (rc == HITO_ERR_LIMIT) {
        result->status = OTP_ISSUE_RATE_LIMITED;
        result->retry_after_seconds = (retry_after_ms + 999) / 1000;
        audit(svc, request, "rate_limited", NULL);
        return HITO_OK;
    }
    if (rc != HITO_OK)
        return rc;

    rc = otp_code_generate(svc->deps.random, purpose->digits, code, err);
    if (rc == HITO_OK)
        rc = otp_code_digest(svc->deps.hmac_key, svc->deps.hmac_key_len,
                             request->subject, request->purpose, code, digest,
                             err);
    if (rc == HITO_OK)
        rc = svc->deps.store.ops->put(svc->deps.store.self, request->subject,
                                      request->purpose, digest,
                                      purpose->ttl_seconds * 1000, err);
    if (rc != HITO_OK)
        goto out;

    audit(svc, request, "issued", NULL);
    result->expires_in_seconds = purpose->ttl_seconds;
    send_code(svc, request, code, digest, result);

out:
    OPENSSL_cleanse(code, sizeof(code));
    return rc;
}

/* Counts one attempt, compares the digests and fills result; returns 0 or a
 * store error. */
static int attempt(struct otp_service *svc, const struct otp_request *request,
                   const struct otp_purpose *purpose, const char *candidate,
                   struct otp_verify_result *result, struct hito_error *err)
{
    char stored[OTP_DIGEST_HEX_SIZE];
    char detail[64];
    int attempts = 0;
    int rc;

    rc = svc->deps.store.ops->begin_attempt(
        svc->deps.store.self, request->subject, request->purpose,
        purpose->max_attempts, stored, &attempts, err);
    if (rc == HITO_ERR_NOT_FOUND) {
        audit(svc, request, "verify_failed", "no pending code");
        return HITO_OK;
    }
    if (rc != HITO_OK)
        return rc;

    if (otp_code_digest_equal(stored, candidate)) {
        /* Only the caller that deletes the code succeeds, so two concurrent
         * verifications of one code cannot both pass. */
        rc = svc->deps.store.ops->take(svc->deps.store.self, request->subject,
                                       request->purpose, stored, err);
        if (rc == HITO_ERR_NOT_FOUND) {
            audit(svc, request, "verify_failed", "code already used");
            return HITO_OK;
        }
        if (rc == HITO_OK)
            result->status = OTP_VERIFY_OK;
        return rc;
    }

    snprintf(detail, sizeof(detail), "wrong code, attempt %d of %d", attempts,
             purpose->max_attempts);
    audit(svc, request, "verify_failed", detail);
    if (attempts >= purpose->max_attempts) {
        rc = svc->deps.store.ops->take(svc->deps.store.self, request->subject,
                                       request->purpose, stored, err);
        if (rc == HITO_ERR_NOT_FOUND)
            return HITO_OK;
        if (rc == HITO_OK) {
            result->locked = 1;
            audit(svc, request, "locked", NULL);
        }
        return rc;
    }
    return HITO_OK;
}

int otp_service_verify(struct otp_service *svc,
                       const struct otp_request *request,
                       struct otp_verify_result *result, struct hito_error *err)
{
    const struct otp_purpose *purpose;
    char candidate[OTP_DIGEST_HEX_SIZE];
    int rc;

    memset(result, 0, sizeof(*result));
    result->status = OTP_VERIFY_REJECTED;
    rc = check_request(svc, request, &purpose, err);
    if (rc != HITO_OK)
        return rc;
    if (request->code == NULL ||
        !otp_code_is_well_formed(request->code, purpose->digits))
        return hito_error_set(err, HITO_ERR_INVALID,
                              "code must be %d digits for purpose %s",
                              purpose->digits, purpose->name);

    /* The digest is computed before the store is read, so a missing code
     * costs nearly the same work as a wrong one. */
    rc = otp_code_digest(svc->deps.hmac_key, svc->deps.hmac_key_len,
                         request->subject, request->purpose, request->code,
                         candidate, err);
    if (rc == HITO_OK)
        rc = attempt(svc, request, purpose, candidate, result, err);
    if (rc != HITO_OK || result->status != OTP_VERIFY_OK)
        return rc;

    rc = otp_proof_sign(svc->deps.proof_key, svc->deps.proof_key_len,
                        svc->deps.random, request->subject, request->purpose,
                        svc->deps.clock() / 1000, svc->policy.proof_ttl_seconds,
                        &result->proof, err);
    if (rc != HITO_OK) {
        result->status = OTP_VERIFY_REJECTED;
        return rc;
    }
    result->proof_expires_in_seconds = svc->policy.proof_ttl_seconds;
    audit(svc, request, "verified", NULL);
    return HITO_OK;
}

#include "otp/orch_otp.h"

#include <stdio.h>

/* The OTP service takes E.164 numbers; WhatsApp ids are the same digits
 * without the "+". */
static void e164(const char *phone, char out[ORCH_PHONE_SIZE])
{
    snprintf(out, ORCH_PHONE_SIZE, "%s%s", phone[0] == '+' ? "" : "+", phone);
}

static int issue(void *self, const char *phone, const char *purpose,
                 struct hito_error *err)
{
    char number[ORCH_PHONE_SIZE];
    json_t *body;
    json_t *reply = NULL;
    long status = 0;
    int rc;

    e164(phone, number);
    body = json_pack("{s:s, s:s}", "phone_number", number, "purpose", purpose);
    if (body == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    rc = orch_client_post(self, "/v1/otp", body, NULL, &status, &reply, err);
    if (rc == HITO_OK && status != 202 && status != 200)
        rc = orch_client_status_error("the OTP service", status, reply, err);
    json_decref(reply);
    json_decref(body);
    return rc;
}

/* 422 is the OTP service's one reply for a wrong, expired or used code;
 * 400 a code of the wrong length. */
static int verify(void *self, const char *phone, const char *purpose,
                  const char *code, struct hito_error *err)
{
    char number[ORCH_PHONE_SIZE];
    json_t *body;
    json_t *reply = NULL;
    long status = 0;
    int rc;

    e164(phone, number);
    body = json_pack("{s:s, s:s, s:s}", "phone_number", number, "purpose",
                     purpose, "code", code);
    if (body == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    rc = orch_client_post(self, "/v1/otp/verify", body, NULL, &status, &reply,
                          err);
    if (rc == HITO_OK && (status == 422 || status == 400))
        rc = hito_error_set(err, HITO_ERR_AUTH, "the code was rejected");
    else if (rc == HITO_OK && status != 200)
        rc = orch_client_status_error("the OTP service", status, reply, err);
    json_decref(reply);
    json_decref(body);
    return rc;
}

static const struct orch_otp_ops otp_ops = { issue, verify };

struct orch_otp orch_otp_http(struct orch_client *client)
{
    return (struct orch_otp){ &otp_ops, client };
}

#include "otp/orch_otp.h"

#include <stdio.h>

/*
 * POSTs {"phone_number", "purpose"} plus code (when not NULL) to path and
 * stores the reply's status. The OTP service takes E.164 numbers, and
 * WhatsApp ids are the same digits without the "+".
 */
static int call(struct orch_client *client, const char *path, const char *phone,
                const char *purpose, const char *code, long *status,
                struct hito_error *err)
{
    char number[ORCH_PHONE_SIZE];
    json_t *body, *reply = NULL;
    int rc;

    snprintf(number, sizeof(number), "%s%s", phone[0] == '+' ? "" : "+", phone);
    body = json_pack("{s:s, s:s}", "phone_number", number, "purpose", purpose);
    if (body != NULL && code != NULL &&
        json_object_set_new(body, "code", json_string(code)) != 0) {
        json_decref(body);
        body = NULL;
    }
    if (body == NULL)
        return hito_error_set(err, HITO_ERR_NOMEM, "out of memory");
    rc = orch_client_post(client, path, body, NULL, status, &reply, err);
    if (rc == HITO_OK && *status / 100 != 2 && *status != 422 && *status != 400)
        rc = orch_client_status_error("the OTP service", *status, reply, err);
    json_decref(reply);
    json_decref(body);
    return rc;
}

static int issue(void *self, const char *phone, const char *purpose,
                 struct hito_error *err)
{
    long status = 0;
    int rc = call(self, "/v1/otp", phone, purpose, NULL, &status, err);

    if (rc == HITO_OK && status / 100 != 2)
        rc = hito_error_set(err, HITO_ERR_PROTOCOL,
                            "the OTP service rejected the request with %ld",
                            status);
    return rc;
}

/* 422 is the OTP service's one reply for a wrong, expired or used code;
 * 400 a code of the wrong length. */
static int verify(void *self, const char *phone, const char *purpose,
                  const char *code, struct hito_error *err)
{
    long status = 0;
    int rc = call(self, "/v1/otp/verify", phone, purpose, code, &status, err);

    if (rc == HITO_OK && status / 100 != 2)
        rc = hito_error_set(err, HITO_ERR_AUTH, "the code was rejected");
    return rc;
}

static const struct orch_otp_ops otp_ops = { issue, verify };

struct orch_otp orch_otp_http(struct orch_client *client)
{
    return (struct orch_otp){ &otp_ops, client };
}

/*
 * orch_otp.h - the OTP port over the OTP service's HTTP API
 * (POST /v1/otp and /v1/otp/verify, reference/services/otp/openapi.yaml).
 */
#ifndef ORCH_OTP_H
#define ORCH_OTP_H

#include "client/orch_client.h"
#include "orch_ports.h"

/* Returns the port; client stays the caller's and must outlive it. */
struct orch_otp orch_otp_http(struct orch_client *client);

#endif

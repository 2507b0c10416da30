-- Audit trail of the OTP service and staff TOTP enrolments.
-- Neither table ever holds a one-time code or a code digest.

CREATE TABLE otp_audit (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    -- issued, sent, send_failed, verified, verify_failed, locked,
    -- rate_limited, totp_enrolled, totp_verified, totp_failed
    event       text NOT NULL,
    subject     text NOT NULL,  -- E.164 phone number or staff account
    purpose     text NOT NULL,
    client_id   text,           -- calling service
    request_id  text,
    detail      text            -- reason or provider message id
);

CREATE INDEX otp_audit_subject_at ON otp_audit (subject, at);
CREATE INDEX otp_audit_event_at ON otp_audit (event, at);

CREATE TABLE otp_totp_enrolment (
    account     text PRIMARY KEY,
    -- AES-256-GCM: 12-byte nonce, ciphertext, 16-byte tag.
    secret      bytea NOT NULL,
    -- Last TOTP time step accepted; a step is accepted once.
    last_step   bigint,
    enrolled_at timestamptz NOT NULL DEFAULT now()
);

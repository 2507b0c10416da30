-- Messages of the WhatsApp service, their status events, the outbox of
-- inbound-message events for RabbitMQ and the idempotency keys of sends.

CREATE TABLE wa_message (
    id            bigserial PRIMARY KEY,
    -- Meta's message id; NULL for a send the Cloud API rejected.
    wamid         text UNIQUE,
    direction     text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    customer      text NOT NULL,   -- the customer's wa_id (digits)
    type          text NOT NULL,   -- text, template, interactive, image, ...
    -- inbound: the message object as received; outbound: the Cloud API body
    body          jsonb NOT NULL,
    -- inbound: received; outbound: accepted, sent, delivered, read, failed
    status        text NOT NULL,
    error_code    integer,         -- Cloud API error code of a failure
    error_message text,
    client_id     text,            -- the service that sent it
    attempts      integer,         -- Cloud API calls a send took
    message_at    timestamptz NOT NULL, -- Meta's timestamp, or the send time
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX wa_message_customer_id ON wa_message (customer, id DESC);
CREATE INDEX wa_message_last_inbound ON wa_message (customer, message_at)
    WHERE direction = 'inbound';

-- One row per (wamid, status): Meta delivers statuses at least once.
CREATE TABLE wa_status_event (
    wamid        text NOT NULL,
    status       text NOT NULL,
    event_at     timestamptz NOT NULL,
    recipient_id text NOT NULL,
    error_code   integer,
    error_title  text,
    applied      boolean NOT NULL, -- whether it moved the message's status
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (wamid, status)
);

-- Transactional outbox: written with the inbound message, published by the
-- relay thread, which sets published_at once the broker confirmed.
CREATE TABLE wa_outbox (
    id             bigserial PRIMARY KEY,
    wamid          text NOT NULL UNIQUE,
    routing_key    text NOT NULL,
    body           text NOT NULL,  -- the event exactly as published
    correlation_id text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz
);

CREATE INDEX wa_outbox_pending ON wa_outbox (id) WHERE published_at IS NULL;

CREATE TABLE wa_idempotency (
    client_id       text NOT NULL,
    key             text NOT NULL,
    request_digest  text NOT NULL,  -- SHA-256 of the request body, hex
    response_status integer,        -- NULL while the first request runs
    response_body   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, key)
);

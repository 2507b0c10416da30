-- Conversations (one per customer) and turns (one per handled inbound
-- message, keyed by its wamid). A turn keeps the reply decided for it, so
-- a message redelivered after a failed send gets the same reply, and its
-- done flag makes a redelivery after the send a no-op.
CREATE TABLE conversations (
    customer        text PRIMARY KEY,
    state           text NOT NULL,
    pending         smallint NOT NULL DEFAULT 0,
    order_id        text NOT NULL DEFAULT '',
    operator_id     text NOT NULL DEFAULT '',
    handover_reason text NOT NULL DEFAULT '',
    turns           bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX conversations_state_updated ON conversations (state, updated_at DESC);

CREATE TABLE turns (
    wamid      text PRIMARY KEY,
    customer   text NOT NULL REFERENCES conversations (customer),
    reply      jsonb,
    done       boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

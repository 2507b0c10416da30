-- IA bot: conversation history, feedback, models and training runs.

CREATE TABLE iabot_messages (
    id              uuid PRIMARY KEY,
    conversation_id text NOT NULL,
    customer_id     text NOT NULL,
    text            text NOT NULL,
    intent          text NOT NULL,
    confidence      real NOT NULL,
    source          text NOT NULL CHECK (source IN ('model', 'llm')),
    model_version   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX iabot_messages_conversation ON iabot_messages (conversation_id, created_at);

CREATE TABLE iabot_feedback (
    id         bigserial PRIMARY KEY,
    message_id uuid NOT NULL REFERENCES iabot_messages (id),
    intent     text NOT NULL,
    source     text NOT NULL CHECK (source IN ('operator', 'outcome')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX iabot_feedback_message ON iabot_feedback (message_id, id);

CREATE TABLE iabot_models (
    version          text PRIMARY KEY,
    blob             bytea NOT NULL,
    data_hash        text NOT NULL,
    heldout_hash     text NOT NULL,
    heldout_accuracy real NOT NULL,
    heldout_macro_f1 real NOT NULL,
    train_examples   integer NOT NULL,
    status           text NOT NULL CHECK (status IN ('candidate', 'active', 'retired')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    promoted_at      timestamptz
);
-- At most one model is in use.
CREATE UNIQUE INDEX iabot_models_one_active ON iabot_models (status) WHERE status = 'active';

CREATE TABLE iabot_training_runs (
    id            uuid PRIMARY KEY,
    status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    model_version text,
    metrics       jsonb,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

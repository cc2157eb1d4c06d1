-- Webhooks: Pleo's Subscriptions API and the outbox of deliveries.
-- A subscription belongs to the client and subject (company or
-- organisation) of the token that created it. Its secret is a signing key,
-- kept as given so deliveries can be signed (it is not a password).

CREATE TABLE webhook_subscriptions (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('company', 'organization')),
    subject_id     TEXT NOT NULL,
    endpoint_url   TEXT NOT NULL,
    event_types    TEXT NOT NULL, -- JSON array of strings, in the order given
    custom_headers TEXT NOT NULL, -- JSON object of strings
    auth_type      TEXT NOT NULL CHECK (auth_type IN ('NONE', 'BASIC')),
    auth_username  TEXT,
    auth_password  TEXT,
    auth_token     TEXT,
    status         TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
    secret         TEXT NOT NULL,
    failing_since  TEXT, -- set when a delivery used its last attempt; cleared by a success
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    deleted_by     TEXT
) STRICT;
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions(client_id, subject_kind, subject_id, created_at, id);
CREATE INDEX webhook_subscriptions_subject ON webhook_subscriptions(subject_kind, subject_id);

CREATE TABLE webhook_subscription_activities (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    operation_type  TEXT NOT NULL CHECK (operation_type IN ('CREATE', 'UPDATE', 'DELETE')),
    description     TEXT NOT NULL,
    actor_urn       TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_subscription_activities_sub ON webhook_subscription_activities(subscription_id, created_at, id);

-- One row per event, written in the transaction of the change that caused it.
CREATE TABLE webhook_events (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    company_id TEXT NOT NULL,
    data       TEXT NOT NULL, -- the resource as the API showed it when the event happened (JSON)
    created_at TEXT NOT NULL
) STRICT;

-- The outbox: one message per event and subscription, written in the same
-- transaction as the event. id is the Standard Webhooks message id (msg_...).
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    seq             INTEGER NOT NULL UNIQUE, -- creation order
    event_id        TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL, -- the name the subscription used
    state           TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT, -- when state is pending: when the next attempt is due
    in_flight       INTEGER NOT NULL DEFAULT 0, -- 1 while the dispatcher is sending it
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE state = 'pending' AND in_flight = 0;
CREATE INDEX webhook_deliveries_sub ON webhook_deliveries(subscription_id, seq);

CREATE TABLE webhook_attempts (
    delivery_id     TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    started_at      TEXT NOT NULL,
    request_headers TEXT NOT NULL, -- JSON object of string arrays
    request_body    TEXT NOT NULL,
    response_status INTEGER NOT NULL, -- 0 when no answer arrived
    response_body   TEXT NOT NULL,    -- capped
    error           TEXT NOT NULL,    -- '' when an answer arrived
    duration_us     INTEGER NOT NULL,
    note            TEXT NOT NULL,    -- a fault that shaped the attempt, or ''
    PRIMARY KEY (delivery_id, number)
) STRICT, WITHOUT ROWID;

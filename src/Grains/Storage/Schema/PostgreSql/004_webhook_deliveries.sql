-- The webhook outbox (PostgreSQL). Idempotent: applied at every start.
-- A row is written in the same transaction as the change that fired the webhook, so a webhook
-- the platform accepted is never lost; dispatchers deliver it and record every attempt.

BEGIN;

-- Serialise silos that start together against an empty database.
SELECT pg_advisory_xact_lock(4201700004);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id               BIGINT PRIMARY KEY,
    organisation_id  TEXT NOT NULL,
    application_id   TEXT,
    device_id        TEXT NOT NULL,
    action_id        BIGINT,
    event_id         BIGINT,
    trigger          TEXT NOT NULL,
    url              TEXT NOT NULL,
    payload_only     BOOLEAN NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    deadline_at      BIGINT NOT NULL,
    last_error       TEXT,
    last_status_code INTEGER,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT,
    snapshot         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_organisation ON webhook_deliveries (organisation_id, created_at, id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

COMMIT;

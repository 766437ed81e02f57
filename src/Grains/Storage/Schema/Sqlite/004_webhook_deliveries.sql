-- The webhook outbox (SQLite). Idempotent: applied at every start.
-- A row is written in the same transaction as the change that fired the webhook, so a webhook
-- the platform accepted is never lost; dispatchers deliver it and record every attempt.

BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    organisation_id  TEXT NOT NULL,
    application_id   TEXT,
    device_id        TEXT NOT NULL,
    action_id        INTEGER,
    event_id         INTEGER,
    trigger          TEXT NOT NULL,
    url              TEXT NOT NULL,
    payload_only     INTEGER NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    deadline_at      INTEGER NOT NULL,
    last_error       TEXT,
    last_status_code INTEGER,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    snapshot         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_organisation ON webhook_deliveries (organisation_id, created_at, id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

COMMIT;

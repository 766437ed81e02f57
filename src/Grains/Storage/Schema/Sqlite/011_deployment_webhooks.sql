-- Deployments fire webhooks too (group_started, group_completed, paused, aborted, completed):
-- their outbox rows name the deployment and no device. SQLite cannot drop a NOT NULL, so the
-- table is rebuilt with device_id nullable and the new deployment_id column; rows and ids are
-- kept. Applied once, in the migrator's transaction (schema_migrations records it).

CREATE TABLE webhook_deliveries_011 (
    id               INTEGER PRIMARY KEY,
    organisation_id  TEXT NOT NULL,
    application_id   TEXT,
    device_id        TEXT,
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
    body             TEXT NOT NULL,
    deployment_id    INTEGER
);

INSERT INTO webhook_deliveries_011 (
    id, organisation_id, application_id, device_id, action_id, event_id, trigger, url, payload_only, status, attempts,
    next_attempt_at, deadline_at, last_error, last_status_code, created_at, delivered_at, body)
SELECT
    id, organisation_id, application_id, device_id, action_id, event_id, trigger, url, payload_only, status, attempts,
    next_attempt_at, deadline_at, last_error, last_status_code, created_at, delivered_at, body
FROM webhook_deliveries;

DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_011 RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_by_organisation ON webhook_deliveries (organisation_id, created_at, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_deployment ON webhook_deliveries (deployment_id) WHERE deployment_id IS NOT NULL;

-- Firmwares, deployments and updates (SQLite). Idempotent: applied at every start.

BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS firmwares (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS firmwares_by_organisation ON firmwares (organisation_id, created_at, id);

-- Written by deployment grains; lists may trail the grain by a flush interval.
CREATE TABLE IF NOT EXISTS deployments (
    id              INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    firmware_id     TEXT NOT NULL,
    finished        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deployments_by_organisation ON deployments (organisation_id, created_at, id);
CREATE INDEX IF NOT EXISTS deployments_by_firmware ON deployments (firmware_id, finished);

-- One row per device of a deployment, written by the device grain with its _fota action.
CREATE TABLE IF NOT EXISTS updates (
    id              INTEGER PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    deployment_id   INTEGER NOT NULL,
    device_id       TEXT NOT NULL,
    finished        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_by_organisation ON updates (organisation_id, created_at, id);
CREATE INDEX IF NOT EXISTS updates_by_deployment ON updates (deployment_id, created_at, id);
CREATE INDEX IF NOT EXISTS updates_unfinished ON updates (device_id) WHERE finished = 0;

COMMIT;

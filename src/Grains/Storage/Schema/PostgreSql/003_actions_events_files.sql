-- Actions, events and files (PostgreSQL). Idempotent: applied at every start.

BEGIN;

-- Serialise silos that start together against an empty database.
SELECT pg_advisory_xact_lock(4201700003);

-- Every action ever created; the device grain upserts a row whenever one changes.
CREATE TABLE IF NOT EXISTS actions (
    id              BIGINT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    type            TEXT NOT NULL,
    file_id         TEXT,
    created_at      BIGINT NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_by_organisation ON actions (organisation_id, created_at, id);
CREATE INDEX IF NOT EXISTS actions_by_type ON actions (organisation_id, type, created_at, id);
CREATE INDEX IF NOT EXISTS actions_by_device ON actions (device_id, created_at, id);
CREATE INDEX IF NOT EXISTS actions_by_file ON actions (device_id, file_id) WHERE file_id IS NOT NULL;

-- Events, append-only.
CREATE TABLE IF NOT EXISTS events (
    id              BIGINT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    type            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_organisation ON events (organisation_id, created_at, id);
CREATE INDEX IF NOT EXISTS events_by_type ON events (organisation_id, type, created_at, id);
CREATE INDEX IF NOT EXISTS events_by_device ON events (device_id, created_at, id);

-- Content-addressed binaries, stored once per SHA-256 in chunks so they stream both ways.
CREATE TABLE IF NOT EXISTS blobs (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    chunk_size INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS blob_chunks (
    sha256 TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    data   BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);

-- Files that actions send (getFile) and firmware images: a named reference to a blob.
CREATE TABLE IF NOT EXISTS files (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);

COMMIT;

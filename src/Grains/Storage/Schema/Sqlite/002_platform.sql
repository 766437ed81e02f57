-- Embever platform tables (SQLite). Idempotent: applied at every start.
-- Index tables hold the filter columns and the resource body as JSON; the owning grain
-- writes its row whenever it changes, and list endpoints read only these tables.

BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS platform_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS id_sequences (
    name       TEXT PRIMARY KEY,
    next_value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS organisations (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS applications (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applications_by_organisation ON applications (organisation_id, created_at, id);

CREATE TABLE IF NOT EXISTS tokens (
    id              INTEGER PRIMARY KEY,
    organisation_id TEXT,
    application_id  TEXT,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_organisation ON tokens (organisation_id, created_at, id);

CREATE TABLE IF NOT EXISTS devices (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    application_id  TEXT,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    activated       INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL,
    -- Set by bulk import only: the device grain adopts the row (and this hash) when it first activates.
    imported_password_hash BLOB,
    UNIQUE (organisation_id, name)
);
-- Pages of the device list are found in this index alone: it carries the filter columns too.
CREATE INDEX IF NOT EXISTS devices_page ON devices (organisation_id, created_at, id, type, activated, application_id);
CREATE INDEX IF NOT EXISTS devices_by_application ON devices (organisation_id, application_id, created_at, id);

COMMIT;

-- Embever Actors: Orleans 10.4.2 ADO.NET schema for SQLite (invariant "System.Data.SQLite",
-- which Orleans 10.4.2 resolves to Microsoft.Data.Sqlite's SqliteFactory).
-- Covers grain persistence and reminders (clustering is localhost in embedded mode).
--
-- Idempotent: safe to run repeatedly and from several processes/connections at once. Run it as
-- ONE command text through Microsoft.Data.Sqlite (it executes multi-statement commands) on a
-- connection that has no SqliteTransaction open; the file manages its own transaction.
--
-- Conventions: our own tables use snake_case and STRICT typing (a mis-typed parameter fails
-- loudly instead of being stored with the wrong affinity); every query aliases its result
-- columns to the exact names the Orleans providers read. Parameter names (@ServiceId, ...) are
-- the ones the providers bind and must not be renamed. Requires SQLite >= 3.37 (STRICT,
-- RETURNING); the e_sqlite3 bundled with Microsoft.Data.Sqlite 10 is far newer.

-- WAL lets readers run alongside the single writer; it is persistent per database file and
-- must be set outside a transaction. (A no-op for in-memory databases.)
PRAGMA journal_mode = WAL;

-- IMMEDIATE takes the write lock up front, so a second migrator waits (busy timeout) and then
-- finds everything already in place.
BEGIN IMMEDIATE;

-- Fixed by the providers: they run "SELECT QueryKey, QueryText FROM OrleansQuery" verbatim.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
) STRICT;

------------------------------------------------------------------------------------------------
-- Grain persistence
------------------------------------------------------------------------------------------------

-- payload is a BLOB: the provider reads it with a (byte[]) cast, so TEXT would break reads.
-- It holds whatever the IGrainStorageSerializer produced (default: JSON as UTF-8 bytes).
-- version is the grain etag; a cleared state keeps its row with payload NULL.
CREATE TABLE IF NOT EXISTS orleans_storage
(
    service_id      TEXT    NOT NULL,
    grain_type_hash INTEGER NOT NULL,
    grain_type      TEXT    NOT NULL,
    grain_id_hash   INTEGER NOT NULL,
    grain_id_n0     INTEGER NOT NULL,
    grain_id_n1     INTEGER NOT NULL,
    grain_id_ext    TEXT    NULL,
    payload         BLOB    NULL,
    version         INTEGER NOT NULL,
    modified_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- Full grain key, hashes first. IFNULL(ext, x'') maps NULL to an empty BLOB, which never equals
-- any TEXT (not even ''), so "no extension" stays distinct from "empty extension" while NULLs
-- still collide (plain UNIQUE would treat every NULL as distinct).
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleans_storage_grain
    ON orleans_storage (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type,
                        IFNULL(grain_id_ext, x''));

------------------------------------------------------------------------------------------------
-- Reminders
------------------------------------------------------------------------------------------------

-- start_time: Microsoft.Data.Sqlite binds DateTime as TEXT 'yyyy-MM-dd HH:mm:ss.FFFFFFF' (UTC
-- by Orleans convention, no zone suffix) and parses it back; the provider re-tags it as UTC.
-- grain_hash: the provider binds (int)GrainId.GetUniformHashCode(), i.e. signed 32-bit.
CREATE TABLE IF NOT EXISTS orleans_reminder
(
    service_id    TEXT    NOT NULL,
    grain_id      TEXT    NOT NULL,
    reminder_name TEXT    NOT NULL,
    grain_hash    INTEGER NOT NULL,
    start_time    TEXT    NOT NULL,
    period_ms     INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (service_id, grain_id, reminder_name)
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS ix_orleans_reminder_hash ON orleans_reminder (service_id, grain_hash);

------------------------------------------------------------------------------------------------
-- Query text used by the providers (key names are fixed by Orleans).
------------------------------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- ---------------------------------------------------------------- grain persistence
('ReadFromStorageKey', '
SELECT payload AS PayloadBinary,
       version AS Version
FROM orleans_storage
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString AND grain_id_ext IS @GrainIdExtensionString;
'),

-- Two single statements, each atomic on its own; at most one can return a row. The UPDATE only
-- matches when the caller has an etag, the INSERT only runs when it has none (and the unique
-- index turns a racing duplicate into DO NOTHING). No row = etag conflict, which the provider
-- reports as InconsistentStateException.
('WriteToStorageKey', '
UPDATE orleans_storage
SET payload = @PayloadBinary,
    version = version + 1,
    modified_at = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString AND grain_id_ext IS @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion;

INSERT INTO orleans_storage
    (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_ext,
     payload, version)
SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
       @GrainIdExtensionString, @PayloadBinary, 1
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING version AS NewGrainStateVersion;
'),

('ClearStorageKey', '
UPDATE orleans_storage
SET payload = NULL,
    version = version + 1,
    modified_at = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString AND grain_id_ext IS @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion;
'),

-- Used instead of ClearStorageKey when AdoNetGrainStorageOptions.DeleteStateOnClear = true.
('DeleteStorageKey', '
DELETE FROM orleans_storage
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString AND grain_id_ext IS @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version + 1 AS NewGrainStateVersion;
'),

-- ---------------------------------------------------------------- reminders
('UpsertReminderRowKey', '
INSERT INTO orleans_reminder
    (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET grain_hash = excluded.grain_hash,
    start_time = excluded.start_time,
    period_ms  = excluded.period_ms,
    version    = version + 1
RETURNING version AS Version;
'),

('ReadReminderRowKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime,
       period_ms AS Period, version AS Version
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;
'),

('ReadReminderRowsKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime,
       period_ms AS Period, version AS Version
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId;
'),

-- Ring range (BeginHash, EndHash] that does not wrap in signed order.
('ReadRangeRows1Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime,
       period_ms AS Period, version AS Version
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
'),

-- Ring range that wraps (also BeginHash = EndHash, meaning the whole ring).
('ReadRangeRows2Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime,
       period_ms AS Period, version AS Version
FROM orleans_reminder
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
'),

-- Must return exactly one row with one column: changes() reports the DELETE just before it.
('DeleteReminderRowKey', '
DELETE FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
  AND version = @Version;
SELECT changes() > 0 AS Removed;
'),

('DeleteReminderRowsKey', '
DELETE FROM orleans_reminder WHERE service_id = @ServiceId;
')

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

COMMIT;

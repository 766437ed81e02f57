-- Embever Actors: Orleans 10.4.2 ADO.NET schema for PostgreSQL 15+ (invariant "Npgsql").
-- Covers clustering (membership), grain persistence and reminders.
--
-- Idempotent: safe to run repeatedly and from several processes at once. The whole file is one
-- transaction serialised by an advisory lock, every object is created IF NOT EXISTS, and the
-- OrleansQuery rows are upserted so a newer copy of this file replaces older query text.
-- Run it as ONE command text (Npgsql executes multi-statement commands); do not split it.
--
-- Conventions: our own tables use snake_case; every query aliases its result columns to the
-- exact names the Orleans providers read ("Version", "PayloadBinary", ...). Parameter names
-- (@ServiceId, @GrainIdHash, ...) are the ones the providers bind and must not be renamed.
-- No functions or procedures: every operation is a single (CTE) statement, so nothing has to be
-- dropped or replaced when the query text changes.

BEGIN;

-- Serialise concurrent migrators (released at COMMIT). Arbitrary app-wide constant.
SELECT pg_advisory_xact_lock(4201700001);

-- Fixed by the providers: they run "SELECT QueryKey, QueryText FROM OrleansQuery" verbatim.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT pk_orleans_query PRIMARY KEY (QueryKey)
);

------------------------------------------------------------------------------------------------
-- Clustering (membership)
------------------------------------------------------------------------------------------------

-- One row per cluster (Orleans calls the ClusterId "DeploymentId"); version is the table etag.
CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deployment_id varchar(150) NOT NULL,
    version       integer      NOT NULL DEFAULT 0,
    changed_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_orleans_membership_version PRIMARY KEY (deployment_id)
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS orleans_membership
(
    deployment_id   varchar(150) NOT NULL,
    address         varchar(45)  NOT NULL,
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(150) NOT NULL,
    status          integer      NOT NULL,
    proxy_port      integer      NOT NULL DEFAULT 0,
    suspect_times   text         NULL,
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    CONSTRAINT pk_orleans_membership PRIMARY KEY (deployment_id, address, port, generation),
    CONSTRAINT fk_orleans_membership_version FOREIGN KEY (deployment_id)
        REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE
);

------------------------------------------------------------------------------------------------
-- Grain persistence
------------------------------------------------------------------------------------------------

-- payload holds whatever the configured IGrainStorageSerializer produced (default: JSON as UTF-8).
-- version is the grain etag; a cleared state keeps its row with payload NULL.
CREATE TABLE IF NOT EXISTS orleans_storage
(
    service_id      varchar(150) NOT NULL,
    grain_type_hash integer      NOT NULL,
    grain_type      varchar(512) NOT NULL,
    grain_id_hash   integer      NOT NULL,
    grain_id_n0     bigint       NOT NULL,
    grain_id_n1     bigint       NOT NULL,
    grain_id_ext    varchar(512) NULL,
    payload         bytea        NULL,
    version         integer      NOT NULL,
    modified_at     timestamptz  NOT NULL DEFAULT now()
);

-- Hashes first for selectivity; the full key makes duplicates impossible (NULLS NOT DISTINCT: PG 15+).
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleans_storage_grain
    ON orleans_storage (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_ext)
    NULLS NOT DISTINCT;

------------------------------------------------------------------------------------------------
-- Reminders
------------------------------------------------------------------------------------------------

-- grain_hash is GrainId.GetUniformHashCode() reinterpreted as a signed int (the provider binds
-- (int)hash), so range queries compare in signed order.
CREATE TABLE IF NOT EXISTS orleans_reminder
(
    service_id    varchar(150) NOT NULL,
    grain_id      text         NOT NULL,
    reminder_name varchar(150) NOT NULL,
    grain_hash    integer      NOT NULL,
    start_time    timestamptz  NOT NULL,
    period_ms     bigint       NOT NULL,
    version       integer      NOT NULL DEFAULT 0,
    CONSTRAINT pk_orleans_reminder PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS ix_orleans_reminder_hash ON orleans_reminder (service_id, grain_hash);

------------------------------------------------------------------------------------------------
-- Query text used by the providers (key names are fixed by Orleans).
------------------------------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- ---------------------------------------------------------------- clustering
('InsertMembershipVersionKey', $sql$
WITH created AS (
    INSERT INTO orleans_membership_version (deployment_id)
    VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS "Created";
$sql$),

-- Inserts a silo row and bumps the table version, both or neither. The version UPDATE is the
-- serialisation point: concurrent writers holding the same etag queue on the row lock and all but
-- one fail the re-checked "version = @Version" predicate.
('InsertMembershipKey', $sql$
WITH bumped AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1, changed_at = now()
    WHERE v.deployment_id = @DeploymentId
      AND v.version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM orleans_membership m
          WHERE m.deployment_id = @DeploymentId AND m.address = @Address
            AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deployment_id
),
inserted AS (
    INSERT INTO orleans_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
         start_time, i_am_alive_time)
    SELECT b.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM bumped b
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted) AS "Inserted";
$sql$),

('UpdateMembershipKey', $sql$
WITH bumped AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1, changed_at = now()
    WHERE v.deployment_id = @DeploymentId
      AND v.version = @Version
      AND EXISTS (
          SELECT 1 FROM orleans_membership m
          WHERE m.deployment_id = @DeploymentId AND m.address = @Address
            AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deployment_id
),
updated AS (
    UPDATE orleans_membership m
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM bumped b
    WHERE m.deployment_id = b.deployment_id AND m.address = @Address
      AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated) AS "Updated";
$sql$),

('UpdateIAmAlivetimeKey', $sql$
UPDATE orleans_membership
SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address
  AND port = @Port AND generation = @Generation;
$sql$),

-- Must always return at least one row (the version) even when no silo matches: LEFT JOIN.
('MembershipReadRowKey', $sql$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.deployment_id = v.deployment_id
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId;
$sql$),

('MembershipReadAllKey', $sql$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId;
$sql$),

('GatewaysQueryKey', $sql$
SELECT address    AS "Address",
       proxy_port AS "ProxyPort",
       generation AS "Generation"
FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$sql$),

('DeleteMembershipTableEntriesKey', $sql$
DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId;
DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId;
$sql$),

-- Fallback bulk cleanup (only used when CleanupDefunctSiloEntryKey is absent). 3 = Active.
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3;
$sql$),

-- Optional key, preferred by 10.x: per-silo delete of an entry the runtime already judged defunct.
-- Only a Dead (6) row that has not reported alive since the runtime read it is removed.
('CleanupDefunctSiloEntryKey', $sql$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId AND address = @Address
  AND port = @Port AND generation = @Generation
  AND status = 6 AND i_am_alive_time <= @IAmAliveTime;
$sql$),

-- ---------------------------------------------------------------- grain persistence
('ReadFromStorageKey', $sql$
SELECT payload AS "PayloadBinary",
       version AS "Version"
FROM orleans_storage
WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND service_id = @ServiceId AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString;
$sql$),

-- Update when the caller's etag matches, insert when it has none. Returns the new version, or no
-- row at all on an etag mismatch (the provider turns that into InconsistentStateException).
('WriteToStorageKey', $sql$
WITH updated AS (
    UPDATE orleans_storage s
    SET payload = @PayloadBinary, version = s.version + 1, modified_at = now()
    WHERE s.grain_id_hash = @GrainIdHash AND s.grain_type_hash = @GrainTypeHash
      AND s.service_id = @ServiceId AND s.grain_id_n0 = @GrainIdN0 AND s.grain_id_n1 = @GrainIdN1
      AND s.grain_type = @GrainTypeString AND s.grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
      AND s.version = @GrainStateVersion
    RETURNING s.version
),
inserted AS (
    INSERT INTO orleans_storage
        (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_ext,
         payload, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           @GrainIdExtensionString, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT version AS "NewGrainStateVersion" FROM updated
UNION ALL
SELECT version FROM inserted;
$sql$),

('ClearStorageKey', $sql$
UPDATE orleans_storage s
SET payload = NULL, version = s.version + 1, modified_at = now()
WHERE s.grain_id_hash = @GrainIdHash AND s.grain_type_hash = @GrainTypeHash
  AND s.service_id = @ServiceId AND s.grain_id_n0 = @GrainIdN0 AND s.grain_id_n1 = @GrainIdN1
  AND s.grain_type = @GrainTypeString AND s.grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
  AND s.version = @GrainStateVersion
RETURNING s.version AS "NewGrainStateVersion";
$sql$),

-- Used instead of ClearStorageKey when AdoNetGrainStorageOptions.DeleteStateOnClear = true.
('DeleteStorageKey', $sql$
DELETE FROM orleans_storage s
WHERE s.grain_id_hash = @GrainIdHash AND s.grain_type_hash = @GrainTypeHash
  AND s.service_id = @ServiceId AND s.grain_id_n0 = @GrainIdN0 AND s.grain_id_n1 = @GrainIdN1
  AND s.grain_type = @GrainTypeString AND s.grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString
  AND s.version = @GrainStateVersion
RETURNING s.version + 1 AS "NewGrainStateVersion";
$sql$),

-- ---------------------------------------------------------------- reminders
('UpsertReminderRowKey', $sql$
INSERT INTO orleans_reminder AS r
    (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET grain_hash = excluded.grain_hash,
    start_time = excluded.start_time,
    period_ms  = excluded.period_ms,
    version    = r.version + 1
RETURNING r.version AS "Version";
$sql$),

('ReadReminderRowKey', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;
$sql$),

('ReadReminderRowsKey', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId;
$sql$),

-- Ring range (BeginHash, EndHash] that does not wrap in signed order.
('ReadRangeRows1Key', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
$sql$),

-- Ring range that wraps (also BeginHash = EndHash, meaning the whole ring).
('ReadRangeRows2Key', $sql$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
$sql$),

-- Must return exactly one row with one boolean column.
('DeleteReminderRowKey', $sql$
WITH removed AS (
    DELETE FROM orleans_reminder
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
      AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM removed) AS "Removed";
$sql$),

('DeleteReminderRowsKey', $sql$
DELETE FROM orleans_reminder WHERE service_id = @ServiceId;
$sql$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

COMMIT;

-- A device's rows become its only durable state (no Orleans grain state for devices and
-- deployments): the device row keeps the password hash, and an action row says whether the
-- action is finished, so a device grain loads its unfinished actions through an index.
-- Applied once, in the migrator's transaction (schema_migrations records it).

ALTER TABLE devices ADD COLUMN password_hash BLOB;
UPDATE devices SET password_hash = imported_password_hash, imported_password_hash = NULL WHERE imported_password_hash IS NOT NULL;

ALTER TABLE actions ADD COLUMN finished INTEGER NOT NULL DEFAULT 0;
UPDATE actions SET finished = json_extract(body, '$.Finished');
CREATE INDEX actions_unfinished ON actions (device_id) WHERE finished = FALSE;

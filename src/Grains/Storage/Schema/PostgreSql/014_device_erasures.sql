-- Deleting a device erases what it left: its events, actions, updates, files, webhook deliveries
-- and DTLS sessions. The delete commits a row here in the same transaction as the device's own;
-- DeviceEraser then deletes the rest in bounded batches through the group commit, and this row
-- last, so an erasure a crash interrupted goes on at the next start.
CREATE TABLE IF NOT EXISTS device_erasures (
    device_id       TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    requested_at    BIGINT NOT NULL
);

-- The erasure finds a device's deliveries and sessions by their device (lists filter by it too).
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_device ON webhook_deliveries (device_id, created_at, id);
CREATE INDEX IF NOT EXISTS dtls_sessions_by_device ON dtls_sessions (device_id);

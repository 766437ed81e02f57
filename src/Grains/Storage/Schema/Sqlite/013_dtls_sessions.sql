-- DTLS sessions of the CoAP gateway, so that a restarted silo, or any other silo, continues a
-- device's session when a record with its Connection ID arrives (docs/device-protocols.md). The
-- record keys are sealed under the platform key. write_seq_limit is the first sequence number
-- no holder may have used yet: a holder reserves a block past it before it sends, so a session
-- continued elsewhere or after a crash starts there and never repeats a nonce. read_high is the
-- newest record accepted, below which a new holder refuses (replays). Idle rows are deleted.
CREATE TABLE IF NOT EXISTS dtls_sessions (
    connection_id   INTEGER PRIMARY KEY,
    device_id       TEXT NOT NULL,
    suite           INTEGER NOT NULL,
    sealed_keys     BLOB NOT NULL,
    client_cid      BLOB,
    write_seq_limit INTEGER NOT NULL,
    read_high       INTEGER NOT NULL,
    last_active     INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS dtls_sessions_last_active ON dtls_sessions (last_active);

-- DTLS sessions of the CoAP gateway, so that a restarted silo, or any other silo, continues a
-- device's session when a record with its Connection ID arrives (docs/device-protocols.md). The
-- record keys are sealed under the platform key. write_seq_limit is the first sequence number
-- no holder may have used yet: a holder reserves a block past it before it sends, so a session
-- continued elsewhere or after a crash starts there and never repeats a nonce. read_high is the
-- newest record accepted, below which a new holder refuses (replays). Idle rows are deleted.
CREATE TABLE IF NOT EXISTS dtls_sessions (
    connection_id   BIGINT PRIMARY KEY,
    device_id       TEXT NOT NULL,
    suite           INTEGER NOT NULL,
    sealed_keys     BYTEA NOT NULL,
    client_cid      BYTEA,
    write_seq_limit BIGINT NOT NULL,
    read_high       BIGINT NOT NULL,
    last_active     BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS dtls_sessions_last_active ON dtls_sessions (last_active);

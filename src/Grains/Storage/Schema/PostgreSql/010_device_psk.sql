-- DTLS with pre-shared keys (the CoAP gateway) needs the device's password itself, which the
-- hash cannot give back: it is kept sealed (AES-GCM under the platform key "device_psk_key",
-- PasswordSeal). Devices created before this column have none and authenticate over HTTP and
-- plain CoAP only. Applied once, in the migrator's transaction (schema_migrations records it).

ALTER TABLE devices ADD COLUMN sealed_password BYTEA;

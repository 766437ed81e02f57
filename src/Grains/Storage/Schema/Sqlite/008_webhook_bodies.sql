-- A webhook's body is rendered once, when it fires, and stored with its delivery; the column
-- that held a serialisation of the C# objects it was rendered from now holds the body itself.
-- Rows written before are rendered by the data migration 009_webhook_bodies_rendered.
-- Applied once, in the migrator's transaction (schema_migrations records it).

ALTER TABLE webhook_deliveries RENAME COLUMN snapshot TO body;

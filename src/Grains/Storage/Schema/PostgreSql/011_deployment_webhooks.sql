-- Deployments fire webhooks too (group_started, group_completed, paused, aborted, completed):
-- their outbox rows name the deployment and no device. Applied once, in the migrator's
-- transaction (schema_migrations records it).

ALTER TABLE webhook_deliveries ALTER COLUMN device_id DROP NOT NULL;
ALTER TABLE webhook_deliveries ADD COLUMN deployment_id BIGINT;
CREATE INDEX webhook_deliveries_by_deployment ON webhook_deliveries (deployment_id) WHERE deployment_id IS NOT NULL;

-- Deleting an application or an organisation (allowed once no device is linked to it) erases
-- what it leaves: an application's webhook deliveries and device totals; an organisation's
-- applications, tokens, firmwares, files, deployments, updates, events, actions, deliveries and
-- totals. The delete commits a row here in the same transaction as the deleted row (application_id
-- '' for a whole organisation); TenantEraser deletes the rest in bounded batches through the group
-- commit and this row last, so an erasure a crash interrupted goes on at the next start.
CREATE TABLE IF NOT EXISTS tenant_erasures (
    organisation_id TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    requested_at    BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, application_id)
);

-- The erasure finds an organisation's files and an application's deliveries by them.
CREATE INDEX IF NOT EXISTS files_by_organisation ON files (organisation_id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_application ON webhook_deliveries (application_id) WHERE application_id IS NOT NULL;

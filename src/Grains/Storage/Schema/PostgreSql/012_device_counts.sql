-- Totals of device lists, kept by the store as rows change: the devices of an organisation by
-- application ('' for none), type and activation. A list filtered by any of these sums a few
-- rows here instead of counting an index of a million entries. Triggers keep them in the same
-- transaction as the change, whichever code writes the devices table.
CREATE TABLE IF NOT EXISTS device_counts (
    organisation_id TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    type            TEXT NOT NULL,
    activated       BOOLEAN NOT NULL,
    devices         BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, application_id, type, activated)
);

-- Devices that left a place in an organisation's lists (deleted, or moved between counts): while
-- this stays the same, a list's order only grew at its end, and remembered page positions
-- (PageAnchors) still hold.
CREATE TABLE IF NOT EXISTS device_removals (
    organisation_id TEXT PRIMARY KEY,
    removed         BIGINT NOT NULL
);

INSERT INTO device_counts (organisation_id, application_id, type, activated, devices)
SELECT organisation_id, coalesce(application_id, ''), type, activated, count(*) FROM devices
GROUP BY organisation_id, coalesce(application_id, ''), type, activated
ON CONFLICT DO NOTHING;

-- Inserts and deletes are counted once per statement, by group: an import of 100 devices moves
-- its organisation's count once, not 100 times (each a new row version of one hot row).
CREATE OR REPLACE FUNCTION device_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO device_counts AS c (organisation_id, application_id, type, activated, devices)
    SELECT organisation_id, coalesce(application_id, ''), type, activated, count(*) FROM added
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (organisation_id, application_id, type, activated) DO UPDATE SET devices = c.devices + excluded.devices;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION device_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE device_counts c SET devices = c.devices - r.devices
    FROM (SELECT organisation_id, coalesce(application_id, '') AS application_id, type, activated, count(*) AS devices
          FROM removed GROUP BY 1, 2, 3, 4) r
    WHERE c.organisation_id = r.organisation_id AND c.application_id = r.application_id AND c.type = r.type AND c.activated = r.activated;
    INSERT INTO device_removals AS d (organisation_id, removed)
    SELECT organisation_id, count(*) FROM removed GROUP BY 1 ORDER BY 1
    ON CONFLICT (organisation_id) DO UPDATE SET removed = d.removed + excluded.removed;
    RETURN NULL;
END
$$;

-- A change of a counted column (rare: a PATCH) moves one device between counts, row by row.
CREATE OR REPLACE FUNCTION device_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO device_removals AS r (organisation_id, removed) VALUES (OLD.organisation_id, 1)
    ON CONFLICT (organisation_id) DO UPDATE SET removed = r.removed + 1;
    UPDATE device_counts SET devices = devices - 1
    WHERE organisation_id = OLD.organisation_id AND application_id = coalesce(OLD.application_id, '') AND type = OLD.type AND activated = OLD.activated;
    INSERT INTO device_counts AS c (organisation_id, application_id, type, activated, devices)
    VALUES (NEW.organisation_id, coalesce(NEW.application_id, ''), NEW.type, NEW.activated, 1)
    ON CONFLICT (organisation_id, application_id, type, activated) DO UPDATE SET devices = c.devices + 1;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS device_counts_insert ON devices;
CREATE TRIGGER device_counts_insert AFTER INSERT ON devices
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION device_counts_added();

DROP TRIGGER IF EXISTS device_counts_delete ON devices;
CREATE TRIGGER device_counts_delete AFTER DELETE ON devices
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION device_counts_removed();

-- Only a change of a counted column moves a device between counts (an exchange changes none).
DROP TRIGGER IF EXISTS device_counts_update ON devices;
CREATE TRIGGER device_counts_update AFTER UPDATE ON devices
    FOR EACH ROW
    WHEN (OLD.organisation_id IS DISTINCT FROM NEW.organisation_id OR OLD.application_id IS DISTINCT FROM NEW.application_id
          OR OLD.type IS DISTINCT FROM NEW.type OR OLD.activated IS DISTINCT FROM NEW.activated)
    EXECUTE FUNCTION device_counts_moved();

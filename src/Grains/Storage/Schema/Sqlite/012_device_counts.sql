-- Totals of device lists, kept by the store as rows change: the devices of an organisation by
-- application ('' for none), type and activation. A list filtered by any of these sums a few
-- rows here instead of counting an index of a million entries. Triggers keep them in the same
-- transaction as the change, whichever code writes the devices table. A trigger's row is added
-- only where it is missing (WHERE NOT EXISTS), never by OR IGNORE: SQLite runs a trigger's
-- statements under the conflict policy of the statement that fired it (an upsert of a device).
CREATE TABLE IF NOT EXISTS device_counts (
    organisation_id TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    type            TEXT NOT NULL,
    activated       INTEGER NOT NULL,
    devices         INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, application_id, type, activated)
);

-- Devices that left a place in an organisation's lists (deleted, or moved between counts): while
-- this stays the same, a list's order only grew at its end, and remembered page positions
-- (PageAnchors) still hold.
CREATE TABLE IF NOT EXISTS device_removals (
    organisation_id TEXT PRIMARY KEY,
    removed         INTEGER NOT NULL
);

INSERT INTO device_counts (organisation_id, application_id, type, activated, devices)
SELECT organisation_id, coalesce(application_id, ''), type, activated, count(*) FROM devices
GROUP BY organisation_id, coalesce(application_id, ''), type, activated;

CREATE TRIGGER IF NOT EXISTS device_counts_insert AFTER INSERT ON devices
BEGIN
    INSERT INTO device_counts (organisation_id, application_id, type, activated, devices)
    SELECT NEW.organisation_id, coalesce(NEW.application_id, ''), NEW.type, NEW.activated, 0
    WHERE NOT EXISTS (SELECT 1 FROM device_counts WHERE organisation_id = NEW.organisation_id
        AND application_id = coalesce(NEW.application_id, '') AND type = NEW.type AND activated = NEW.activated);
    UPDATE device_counts SET devices = devices + 1
    WHERE organisation_id = NEW.organisation_id AND application_id = coalesce(NEW.application_id, '') AND type = NEW.type AND activated = NEW.activated;
END;

CREATE TRIGGER IF NOT EXISTS device_counts_delete AFTER DELETE ON devices
BEGIN
    INSERT INTO device_removals (organisation_id, removed) SELECT OLD.organisation_id, 0
    WHERE NOT EXISTS (SELECT 1 FROM device_removals WHERE organisation_id = OLD.organisation_id);
    UPDATE device_removals SET removed = removed + 1 WHERE organisation_id = OLD.organisation_id;
    UPDATE device_counts SET devices = devices - 1
    WHERE organisation_id = OLD.organisation_id AND application_id = coalesce(OLD.application_id, '') AND type = OLD.type AND activated = OLD.activated;
END;

-- Only a change of a counted column moves a device between counts (an exchange changes none).
CREATE TRIGGER IF NOT EXISTS device_counts_update AFTER UPDATE OF organisation_id, application_id, type, activated ON devices
WHEN OLD.organisation_id IS NOT NEW.organisation_id OR OLD.application_id IS NOT NEW.application_id
  OR OLD.type IS NOT NEW.type OR OLD.activated IS NOT NEW.activated
BEGIN
    INSERT INTO device_removals (organisation_id, removed) SELECT OLD.organisation_id, 0
    WHERE NOT EXISTS (SELECT 1 FROM device_removals WHERE organisation_id = OLD.organisation_id);
    UPDATE device_removals SET removed = removed + 1 WHERE organisation_id = OLD.organisation_id;
    UPDATE device_counts SET devices = devices - 1
    WHERE organisation_id = OLD.organisation_id AND application_id = coalesce(OLD.application_id, '') AND type = OLD.type AND activated = OLD.activated;
    INSERT INTO device_counts (organisation_id, application_id, type, activated, devices)
    SELECT NEW.organisation_id, coalesce(NEW.application_id, ''), NEW.type, NEW.activated, 0
    WHERE NOT EXISTS (SELECT 1 FROM device_counts WHERE organisation_id = NEW.organisation_id
        AND application_id = coalesce(NEW.application_id, '') AND type = NEW.type AND activated = NEW.activated);
    UPDATE device_counts SET devices = devices + 1
    WHERE organisation_id = NEW.organisation_id AND application_id = coalesce(NEW.application_id, '') AND type = NEW.type AND activated = NEW.activated;
END;

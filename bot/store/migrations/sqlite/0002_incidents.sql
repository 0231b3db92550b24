-- Incident records (issue 3): the incident, its editable timeline, and an append-only audit log.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,                -- INC-YYYYMMDD-NNNN (Japan date)
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    closed_at REAL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    reporter TEXT NOT NULL,             -- platform user id
    reporter_name TEXT,
    platform TEXT NOT NULL,
    channel TEXT,
    lang TEXT NOT NULL,
    incident_type TEXT,
    answers TEXT NOT NULL,              -- JSON: the triage answers
    result TEXT NOT NULL                -- JSON: contacts given (why, how), steps, guidance
);
CREATE INDEX incidents_status_created ON incidents (status, created_at);

-- Per-day counter for the human-friendly ids; bumped in the same transaction as the insert.
CREATE TABLE incident_days (
    day TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);

CREATE TABLE incident_timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- created | note | closed
    text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);

-- Who did what, kept apart from the editable timeline: rows can be added, never changed.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_target ON audit_log (target, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

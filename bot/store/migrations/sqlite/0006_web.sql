-- `secbot serve web` (issue 15): supplier checkup invitations and admin login links / sessions.
-- Tokens are kept only as their SHA-256 hash: a copy of the database opens no checkup and no session.
CREATE TABLE web_invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    organization TEXT NOT NULL,
    set_id TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    opened_at REAL,
    completed_at REAL,
    revoked_at REAL,
    result_id INTEGER,
    draft TEXT NOT NULL DEFAULT '{}'    -- JSON: answers so far, kept across a reload
);
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                 -- "login" (one-time link) | "session" (the cookie it becomes)
    user_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL
);

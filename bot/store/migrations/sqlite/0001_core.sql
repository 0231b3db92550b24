-- Conversation state, questions asked (for gap analysis), feedback, delivery de-duplication.
CREATE TABLE conversation_state (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at REAL NOT NULL
);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at REAL NOT NULL,
    platform TEXT NOT NULL,
    lang TEXT,
    text TEXT NOT NULL,
    band TEXT NOT NULL,
    intent TEXT,
    score REAL
);
CREATE INDEX questions_asked_at ON questions (asked_at);

CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    given_at REAL NOT NULL,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    intent TEXT,
    vote TEXT NOT NULL,
    question TEXT
);

CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);

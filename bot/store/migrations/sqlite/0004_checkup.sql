-- /checkup self-assessment results (issue 8): who answered, for which organisation, the answers
-- and the scores as shown. A respondent lists only their own (platform, respondent) rows.
CREATE TABLE checkup_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    respondent TEXT NOT NULL,           -- platform user id
    respondent_name TEXT,
    platform TEXT NOT NULL,
    organization TEXT NOT NULL,         -- as entered
    set_id TEXT NOT NULL,
    lang TEXT NOT NULL,
    answers TEXT NOT NULL,              -- JSON: question id -> choice value
    scores TEXT NOT NULL                -- JSON: overall, areas, gaps
);
CREATE INDEX checkup_results_respondent ON checkup_results (platform, respondent, created_at);
CREATE INDEX checkup_results_set ON checkup_results (set_id, created_at);

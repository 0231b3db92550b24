-- Summary rows for the checkup report (issue 15): the dashboard aggregates these with GROUP BY
-- instead of reading every result's JSON. Written in the same transaction as each result;
-- rows saved before this migration get theirs when the store opens (org_key IS NULL).
ALTER TABLE checkup_results ADD COLUMN org_key TEXT;     -- the organisation, NFKC + casefold
CREATE TABLE checkup_result_items (
    result_id BIGINT NOT NULL REFERENCES checkup_results (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                 -- area | answered | gap
    key TEXT NOT NULL,                  -- area id or question id
    value INTEGER,                      -- the area's score (NULL: not scored, or not an area)
    PRIMARY KEY (result_id, kind, key)
);
CREATE TABLE checkup_latest (           -- each organisation's latest result per set
    set_id TEXT NOT NULL,
    org_key TEXT NOT NULL,
    result_id BIGINT NOT NULL REFERENCES checkup_results (id) ON DELETE CASCADE,
    created_at DOUBLE PRECISION NOT NULL,
    organization TEXT NOT NULL,
    overall INTEGER,
    weakest TEXT,                       -- lowest area id, NULL at full marks
    respondent TEXT NOT NULL,
    platform TEXT NOT NULL,
    PRIMARY KEY (set_id, org_key)
);
CREATE INDEX checkup_latest_order ON checkup_latest (set_id, overall, organization);
-- A web user's own questions to the security team, newest first (their answers are shown on /chat).
CREATE INDEX expert_questions_user ON expert_questions (platform, user_id, seq);

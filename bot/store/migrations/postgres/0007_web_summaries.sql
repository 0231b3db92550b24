-- Summary rows for the checkup report (issue 15), written in the same transaction as each result
-- (bot/store/checkups.py): each result's items, each organisation's latest result, and running
-- totals over those latest results, so the dashboard reads a few dozen rows instead of every
-- result's JSON. Rows saved before this migration get theirs when the store opens (org_key IS NULL).
ALTER TABLE checkup_results ADD COLUMN org_key TEXT;     -- the organisation, NFKC + casefold
CREATE TABLE checkup_result_items (
    result_id BIGINT NOT NULL REFERENCES checkup_results (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                 -- area | area_score | answered | gap | overall
    key TEXT NOT NULL,                  -- area id, "area id:score", question id, or the overall score
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
CREATE TABLE checkup_totals (           -- the items of the latest results, summed per set
    set_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,                 -- latest results with this item
    scored INTEGER NOT NULL,            -- of them with a value
    total INTEGER NOT NULL,             -- sum of the values
    PRIMARY KEY (set_id, kind, key)
);
CREATE INDEX checkup_latest_order ON checkup_latest (set_id, overall, organization);
-- A web user's own questions to the security team, newest first (their answers are shown on /chat).
CREATE INDEX expert_questions_user ON expert_questions (platform, user_id, seq);

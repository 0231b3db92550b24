"""Review dates: every entry says when it was checked, validate warns when one is due, stats
lists them oldest first, and answers show "as of" beside their source in every front end."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from adapters.slack.blocks import reply_blocks
from adapters.teams.cards import reply_card
from bot.knowledge_base import load_knowledge
from bot.render_text import render_reply
from bot.review import review_entries, review_warnings
from intents.answers import answer_reply
from knowledge import SHIPPED_DIR
from tests.conftest import MINI_INTENTS, write_knowledge
from tests.unit.test_cli import run

DATED = MINI_INTENTS.replace("  - id: jc_star\n", "  - id: jc_star\n    reviewed: 2024-01-15\n", 1).replace(
    "  - id: asm\n", "  - id: asm\n    reviewed: 2026-11-01\n    review_by: 2026-12-31\n", 1)


def dated_folder(tmp_path: Path) -> Path:
    return write_knowledge(tmp_path / "kb", {"intents/mini.yaml": DATED})


def test_validate_warns_about_old_and_missing_review_dates_but_passes(tmp_path: Path):
    kb = dated_folder(tmp_path)
    result = run("kb", "validate", str(kb), "--today", "2026-12-01")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    jc_line = next(n for n, line in enumerate(DATED.splitlines(), 1) if "id: jc_star" in line)
    assert f"warning: {kb / 'intents' / 'mini.yaml'}:{jc_line}: intent 'jc_star' is due for review: last reviewed 2024-01-15" in out
    assert "'asm'" not in out  # reviewed this month, review_by not reached
    assert "OK (1 warning(s)" in out
    undated = run("kb", "validate", str(write_knowledge(tmp_path / "undated", {"intents/mini.yaml": MINI_INTENTS})))
    assert undated.returncode == 0 and "intent 'asm' has no `reviewed: YYYY-MM-DD` date" in undated.stdout


def test_review_by_date_passed_is_a_warning(tmp_path: Path):
    kb = load_knowledge(dated_folder(tmp_path))
    assert not [w for w in review_warnings(kb, date(2026, 12, 31)) if "'asm'" in w.message]
    [warning] = [w for w in review_warnings(kb, date(2027, 1, 1)) if "'asm'" in w.message]
    assert "its review_by date (2026-12-31) has passed" in warning.message


def test_a_bad_review_date_is_refused_with_its_line(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": DATED.replace("2024-01-15", "15.01.2024")})
    result = run("kb", "validate", str(kb))
    assert result.returncode == 1
    assert ".reviewed" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_stats_lists_review_dates_oldest_first(tmp_path: Path):
    kb = dated_folder(tmp_path)
    db = f"sqlite:///{tmp_path / 'stats.db'}"
    result = run("kb", "stats", "--knowledge", str(kb), "--database-url", db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Review dates, oldest first"))
    rows = [line for line in lines[start + 1:] if line.startswith("- ")]
    assert [row.split()[3] for row in rows] == ["jc_star", "asm"]
    assert "DUE" in next(r for r in rows if " jc_star " in r)
    data = json.loads(run("kb", "stats", "--json", "--knowledge", str(kb), "--database-url", db).stdout)
    reviewed = [r["reviewed"] for r in data["reviews"] if r["reviewed"]]
    assert reviewed == sorted(reviewed)


def test_every_shipped_intent_and_contact_has_a_review_date_and_none_is_overdue():
    kb = load_knowledge(SHIPPED_DIR)
    entries = review_entries(kb)
    assert {e.kind for e in entries} == {"intent", "contact"}
    assert all(e.reviewed for e in entries), [e.id for e in entries if not e.reviewed]
    assert not review_warnings(kb, max(e.reviewed for e in entries if e.reviewed))


def test_facts_that_change_every_year_have_a_short_review_by():
    entries = {e.id: e for e in review_entries(load_knowledge(SHIPPED_DIR))}
    for yearly in ("it_subsidy", "otasuketai_price", "jc_star_levels", "cyber_response_act"):
        entry = entries[yearly]
        assert entry.review_by is not None and entry.reviewed is not None, yearly
        assert entry.review_by - entry.reviewed <= timedelta(days=183), yearly


def test_answer_source_line_shows_the_review_month_in_every_front_end(tmp_path: Path):
    kb = load_knowledge(dated_folder(tmp_path))
    for lang, expected in (("ja", "（2024年1月時点）"), ("en", " (as of 2024-01)")):
        reply = answer_reply(kb, kb.intents["jc_star"], lang)
        assert reply.sources[0].as_of == "2024-01"
        assert expected in render_reply(reply)  # terminal and `secbot ask`
        assert expected in json.dumps(reply_blocks(reply), ensure_ascii=False)  # Slack
        assert expected in json.dumps(reply_card(reply), ensure_ascii=False)  # Teams
    undated = answer_reply(kb, kb.intents["asm"].__class__(**{**kb.intents["asm"].__dict__, "reviewed": None}), "en")
    assert "as of" not in render_reply(undated)

"""`secbot checkup` and `secbot checkup report` as real subprocesses on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from tests.unit.test_checkup_flow import ANSWERS
from tests.unit.test_incident_cli import secbot


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONUNBUFFERED": "1", "SECBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'secbot.db'}"}


def rows(env: dict[str, str]) -> list[tuple]:
    path = Path(env["SECBOT_DATABASE_URL"].removeprefix("sqlite:///"))
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return db.execute("SELECT organization, set_id, platform FROM checkup_results ORDER BY id").fetchall()


def write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_json_scores_and_stores_the_result(env: dict[str, str], tmp_path: Path) -> None:
    done = secbot(env, "checkup", "--json", "--lang", "en", "--answers", write(tmp_path, "a.json", ANSWERS))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["result_id"] == 1 and out["overall"] == 55 and out["organization"] == "田中製作所"
    assert out["areas"][0] == {"id": "incident", "title": "Incident readiness and recovery", "score": 38, "answered": 4}
    assert out["gaps"][0]["risk"] and out["gaps"][0]["next_step"] and out["gaps"][0]["intents"]
    assert rows(env) == [("田中製作所", "default", "cli")]


def test_dry_run_with_org_and_set_stores_nothing(env: dict[str, str], tmp_path: Path) -> None:
    answers = {"updates": "yes", "mfa": "yes", "backup": "yes", "data_access": "not_applicable", "data_contract": "yes",
               "notify_customer": "yes", "advisor": "yes", "security_action": "yes"}
    done = secbot(env, "checkup", "--json", "--dry-run", "--set", "supplier", "--org", "Sample Parts",
                  "--answers", write(tmp_path, "s.json", answers))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["result_id"] is None and out["overall"] == 100 and out["gaps"] == [] and out["set"] == "supplier"
    assert rows(env) == []


@pytest.mark.parametrize(("change", "args", "words"), [
    ({"policy": "maybe"}, (), ['policy: "maybe" is not a valid answer (choices: yes, partly, no, unknown)']),
    ({"owner": None}, (), ["missing answers: owner"]),
    ({"colour": "red"}, (), ["colour: This is not a question of this checkup."]),
    ({}, ("--set", "vendors"), ["unknown checkup set 'vendors' (sets: default, scs_star3, supplier)"]),
    ({"organization": None}, (), ["missing answers: organization"]),
])
def test_bad_answers_exit_2_with_a_clear_message_and_store_nothing(env: dict[str, str], tmp_path: Path,
                                                                     change: dict, args: tuple, words: list[str]) -> None:
    answers = {k: v for k, v in {**ANSWERS, **change}.items() if v is not None}
    done = secbot(env, "checkup", "--json", *args, "--answers", write(tmp_path, "bad.json", answers))
    assert done.returncode == 2 and done.stdout == ""
    assert all(w in done.stderr for w in words), done.stderr
    assert rows(env) == []


def test_report_across_respondents_in_markdown_and_csv(env: dict[str, str], tmp_path: Path) -> None:
    worse = {**ANSWERS, "organization": "Beta Ltd", "policy": "no", "updates": "no"}
    for data, who in ((ANSWERS, "alice"), (worse, "bob"), ({**ANSWERS, "organization": "beta ltd"}, "bob")):
        assert secbot(env, "checkup", "--respondent", who, "--answers", write(tmp_path, "x.json", data)).returncode == 0
    assert secbot(env, "checkup", "--set", "supplier", "--org", "Gamma", "--answers",
                  write(tmp_path, "g.json", {q: "no" for q in ("updates", "mfa", "backup", "data_access", "data_contract",
                                                               "notify_customer", "advisor", "security_action")})
                  ).returncode == 0
    md = secbot(env, "checkup", "report", "--lang", "en")
    assert md.returncode == 0, md.stderr
    # "beta ltd" answered again: its latest result replaces "Beta Ltd"; the supplier set is apart
    assert "Organisations: 2 (latest result of each) / results: 3" in md.stdout
    assert "| Incident readiness and recovery | 38.0 | 38 |" in md.stdout
    assert "## Most common gaps" in md.stdout and "Gamma" not in md.stdout and "田中製作所" in md.stdout
    table = list(csv.reader(io.StringIO(secbot(env, "checkup", "report", "--format", "csv", "--lang", "en").stdout)))
    assert table[0] == ["section", "set", "id", "label", "value", "count"]
    assert ["summary", "default", "organizations", "", "", "2"] in table
    areas = [r for r in table if r[0] == "area"]
    assert len(areas) == 5 and float(areas[0][4]) <= float(areas[-1][4])
    gaps = [r for r in table if r[0] == "gap"]
    assert gaps and all(r[5] == "2" for r in gaps)
    assert "policy" not in {r[2] for r in gaps}  # only Beta's replaced first result had it
    supplier = secbot(env, "checkup", "report", "--set", "supplier", "--since", "1", "--lang", "en")
    assert "Gamma" in supplier.stdout and "Organisations: 1" in supplier.stdout
    assert secbot(env, "checkup", "report", "--since", "0").returncode == 2


SCS_STAR3 = {"policy": "yes", "roles": "yes", "inventory": "no", "accounts": "partly", "authentication": "yes",
             "patching": "yes", "internet_facing": "yes", "antimalware": "yes", "logs": "no", "backup": "no",
             "training": "yes", "first_response": "partly", "scheme_status": "no"}


def test_scs_star3_set_scores_cites_its_sources_and_reports_across_suppliers(env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    done = secbot(env, "checkup", "--json", "--set", "scs_star3", "--org", "Alpha Parts", "--lang", "en",
                  "--answers", write(tmp_path, "a.json", SCS_STAR3))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["set"] == "scs_star3" and out["overall"] == 62
    assert out["areas"][0] == {"id": "recovery", "title": "Logs and backups", "score": 0, "answered": 2}
    assert all(g["source"]["url"].startswith("https://") for g in out["gaps"])
    status = next(g for g in out["gaps"] if g["question"] == "scheme_status")
    assert status["source"]["url"] == "https://www.meti.go.jp/press/2025/12/20251226001/20251226001.html"
    text = secbot(env, "checkup", "--dry-run", "--set", "scs_star3", "--org", "Alpha Parts", "--lang", "ja",
                  "--answers", write(tmp_path, "a.json", SCS_STAR3)).stdout
    assert "出典: 経済産業省 ニュースリリース" in text and "https://www.meti.go.jp/press/2025/12/20251226001/" in text
    better = {**SCS_STAR3, "logs": "yes", "backup": "yes"}
    assert secbot(env, "checkup", "--set", "scs_star3", "--org", "Beta Works", "--answers",
                  write(tmp_path, "b.json", better)).returncode == 0
    report = secbot(env, "checkup", "report", "--set", "scs_star3", "--lang", "en")
    assert report.returncode == 0, report.stderr
    assert "SCS rating ★3 readiness check" in report.stdout and "Organisations: 2" in report.stdout
    assert "| Logs and backups | 50.0 | 0 |" in report.stdout
    assert report.stdout.index("Alpha Parts") > report.stdout.index("## By organisation")
    assert "Alpha Parts" not in secbot(env, "checkup", "report", "--lang", "en").stdout  # the default set is apart


def test_report_names_no_weakest_area_for_an_organisation_with_full_marks(env: dict[str, str], tmp_path: Path) -> None:
    from bot.knowledge_base import load_knowledge
    from intents.checkup.model import build_checkup
    from knowledge import SHIPPED_DIR

    model = build_checkup(load_knowledge(SHIPPED_DIR))
    assert model is not None
    best = {q.id: max((c for c in q.choices if c.score is not None), key=lambda c: c.score or 0).value
            for q in model.sets["default"].questions}
    assert secbot(env, "checkup", "--org", "Perfect KK", "--answers", write(tmp_path, "p.json", best)).returncode == 0
    md = secbot(env, "checkup", "report", "--lang", "en")
    assert md.returncode == 0, md.stderr
    [row] = [line for line in md.stdout.splitlines() if line.startswith("| Perfect KK")]
    assert row.split("|")[2].strip() == "100" and row.split("|")[3].strip() == "-", row


def test_report_of_an_empty_set_names_the_sets_that_have_results(env: dict[str, str], tmp_path: Path) -> None:
    assert secbot(env, "checkup", "--set", "scs_star3", "--org", "Alpha Parts", "--answers",
                  write(tmp_path, "a.json", SCS_STAR3)).returncode == 0
    done = secbot(env, "checkup", "report", "--lang", "en")
    assert done.returncode == 0 and "No checkup results match." in done.stdout
    assert "results exist in: scs_star3 (1)" in done.stderr and "--set NAME" in done.stderr

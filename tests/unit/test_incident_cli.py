"""`secbot triage`, `secbot incidents` and `secbot chat` as real subprocesses on a real SQLite file."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "secbot"
SECBOT = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "adapters.cli"]
RANSOMWARE = {"incident_type": "ransomware", "state_sponsored": "no", "personal_data": "unknown",
              "financial_damage": "yes", "critical_infrastructure": "yes", "sme": "no", "ongoing": "yes",
              "detected_at": "2026-11-27 07:45", "affected_systems": "ファイルサーバー",
              "description": "拡張子が .lockbit に変わり、脅迫文が表示された"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "SECBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'secbot.db'}"}


def secbot(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SECBOT, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)


def incident_rows(env: dict[str, str]) -> list[tuple[str, str]]:
    path = env["SECBOT_DATABASE_URL"].removeprefix("sqlite:///")
    if not Path(path).exists():
        return []
    with sqlite3.connect(path) as db:
        return db.execute("SELECT id, status FROM incidents ORDER BY id").fetchall()


def answers_file(tmp_path: Path, answers: dict[str, object]) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_triage_json_prints_contacts_in_priority_order_and_records_the_incident(tmp_path: Path, env):
    result = secbot(env, "triage", "--json", "--answers", answers_file(tmp_path, RANSOMWARE), "--lang", "en")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["incident_id"].startswith("INC-")
    ids = [c["id"] for c in out["contacts"]]
    # legal duties with deadlines first, then the police, then technical help
    assert ids == ["ppc", "sector_ministry", "police", "ipa", "jpcert"]
    assert [c["priority"] for c in out["contacts"]] == ["legal_duty", "legal_duty", "police", "help", "help"]
    for contact in out["contacts"]:
        assert set(contact) == {"id", "name", "priority", "why", "deadline", "detail", "how"}
        assert contact["why"] and contact["how"]
    assert "within 60 days" in out["contacts"][0]["deadline"]
    assert out["principle"].startswith("Order:")
    assert out["steps"][0].startswith("The damage may still be going on")
    assert out["guidance"]["url"].startswith("https://")
    assert incident_rows(env) == [(out["incident_id"], "open")]


def test_triage_in_japanese_and_dry_run_records_nothing(tmp_path: Path, env):
    result = secbot(env, "triage", "--json", "--dry-run", "--lang", "ja", "--answers",
                    answers_file(tmp_path, {"incident_type": "phishing_bec", "phishing_detail": "transfer"}))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["incident_id"] is None
    assert [c["id"] for c in out["contacts"]] == ["bank", "police", "antiphishing"]
    assert out["contacts"][0]["name"] == "送金元の金融機関"
    assert incident_rows(env) == []


@pytest.mark.parametrize("answers, words", [
    ({"incident_type": "ransomwar"}, "incident_type: \"ransomwar\" is not a valid choice"),
    ({"incident_type": "malware", "colour": "red"}, "colour: This field is not in the form"),
    ({"incident_type": "malware", "ongoing": "maybe"}, "ongoing: \"maybe\" is not a valid choice"),
    ({"ongoing": "yes"}, "incident_type: This field is required"),
])
def test_triage_with_a_bad_answer_exits_2_and_records_nothing(tmp_path: Path, env, answers, words):
    result = secbot(env, "triage", "--json", "--answers", answers_file(tmp_path, answers))
    assert result.returncode == 2
    assert words in result.stderr and "nothing was recorded" in result.stderr
    assert result.stdout == ""
    assert incident_rows(env) == []


def test_triage_with_an_unreadable_answers_file_exits_2(tmp_path: Path, env):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert secbot(env, "triage", "--answers", str(tmp_path / "broken.json")).returncode == 2
    assert secbot(env, "triage", "--answers", str(tmp_path / "missing.json")).returncode == 2
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    assert secbot(env, "triage", "--answers", str(tmp_path / "list.json")).returncode == 2
    assert incident_rows(env) == []


def test_incidents_list_show_note_close_and_export(tmp_path: Path, env):
    incident_id = json.loads(secbot(env, "triage", "--json", "--lang", "ja", "--reporter", "suzuki",
                                    "--answers", answers_file(tmp_path, RANSOMWARE)).stdout)["incident_id"]
    listing = secbot(env, "incidents", "list")
    assert listing.returncode == 0 and incident_id in listing.stdout and "ランサムウェア" in listing.stdout
    assert secbot(env, "incidents", "note", incident_id, "IPAにメールで相談済み").returncode == 0
    shown = secbot(env, "incidents", "show", incident_id.lower())
    assert shown.returncode == 0 and "IPAにメールで相談済み" in shown.stdout and "JST" in shown.stdout

    report = secbot(env, "incidents", "export", incident_id, "--format", "md")
    assert report.returncode == 0, report.stderr
    md = report.stdout
    assert md.startswith(f"# サイバーセキュリティインシデント報告書（下書き）: {incident_id}")
    for words in ("## 1. 概要", "- **検知日時**: 2026-11-27 07:45 JST", "ファイルサーバー",
                  "## 2. 発生した事象（報告者の記述）", "拡張子が .lockbit に変わり",
                  "- 攻撃や被害は今も続いていますか？ **はい**",  # answers in plain words, not ids
                  "## 4. 連絡・報告先（優先順）", "### 1. 個人情報保護委員会", "- 期限: 速報は", "60日以内",
                  "### 2. 所管省庁", "### 3. 警察", "110", "### 4. 独立行政法人情報処理推進機構（IPA）", "cs-support@ipa.go.jp", "## 5. 初動対応", "- [ ] ", "## 6. 経過", "| 日時 | 記録者 | 内容 |",
                  "IPAにメールで相談済み", "## 7. 追記が必要な項目", "漏えいしたデータの項目", "脅迫文の内容",
                  "サイバー攻撃被害に係る情報の共有・公表ガイダンス"):
        assert words in md, words
    assert "incident_type" not in md and "ongoing" not in md

    english = secbot(env, "incidents", "export", incident_id, "--format", "md", "--lang", "en").stdout
    assert "# Cyber security incident report (draft)" in english and "## 6. Timeline" in english

    exported = json.loads(secbot(env, "incidents", "export", incident_id, "--format", "json").stdout)
    assert exported["id"] == incident_id and exported["answers"]["incident_type"] == "ransomware"
    assert [e["kind"] for e in exported["timeline"]] == ["created", "note"]

    assert secbot(env, "incidents", "close", incident_id).returncode == 0
    assert incident_rows(env) == [(incident_id, "closed")]
    assert "対応中" not in secbot(env, "incidents", "list", "--status", "closed").stdout.split("\n", 1)[1]
    missing = secbot(env, "incidents", "show", "INC-19990101-0001")
    assert missing.returncode == 1 and "no incident" in missing.stderr


DIALOGUE = ["/incident", "1", "2", "2", "2", "2", "2", "1", "now", "server", "encrypted files", "-"]


def test_an_incident_survives_a_kill_right_after_the_reply(tmp_path: Path, env):
    """`secbot chat` is SIGKILLed the moment the result is printed; the record is already on disk."""
    process = subprocess.Popen([*SECBOT, "chat", "--user", "kill-test"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    assert process.stdin is not None
    for answer in DIALOGUE:
        process.stdin.write(answer + "\n")
    process.stdin.flush()  # stdin stays open: the bot is waiting for more when it is killed
    incident_id = None
    deadline = time.monotonic() + 60
    while incident_id is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            continue
        if "INC-" in line:
            incident_id = "INC-" + line.split("INC-", 1)[1].split()[0][:13]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert incident_id is not None, "the result never came"
    assert process.returncode == -signal.SIGKILL
    assert incident_rows(env) == [(incident_id, "open")]
    shown = secbot(env, "incidents", "show", incident_id)
    assert shown.returncode == 0 and "encrypted files" in shown.stdout


def test_incidents_list_and_show_speak_the_same_language_in_the_same_shell(tmp_path: Path, env):
    english = json.loads(secbot(env, "triage", "--json", "--lang", "en", "--reporter", "suzuki",
                                "--answers", answers_file(tmp_path, RANSOMWARE)).stdout)["incident_id"]
    for locale, words in (("ja_JP.UTF-8", "ランサムウェア"), ("en_US.UTF-8", "Ransomware")):
        shell = {**env, "LANG": locale, "LC_ALL": "", "LC_MESSAGES": ""}
        listing = secbot(shell, "incidents", "list")
        shown = secbot(shell, "incidents", "show", english)
        assert listing.returncode == 0 and shown.returncode == 0
        assert words in listing.stdout and words in shown.stdout, (locale, listing.stdout, shown.stdout)
    shown = secbot({**env, "LANG": "ja_JP.UTF-8"}, "incidents", "show", english, "--lang", "en")
    assert "Ransomware" in shown.stdout  # --lang first


def test_the_markdown_export_shows_reporter_text_as_text_not_html_or_markdown(tmp_path: Path, env):
    hostile = {**RANSOMWARE, "description": "<script>alert(1)</script> <b>bold</b> [click](https://evil.example) **x**",
               "affected_systems": "a | b"}
    incident_id = json.loads(secbot(env, "triage", "--json", "--lang", "ja", "--reporter", "<img src=x>",
                                    "--answers", answers_file(tmp_path, hostile)).stdout)["incident_id"]
    md = secbot(env, "incidents", "export", incident_id, "--format", "md").stdout
    assert "<script>" not in md and "<b>" not in md and "<img" not in md and "[click](" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "\\[click\\]" in md and "\\*\\*x\\*\\*" in md
    assert "a \\| b" in md and "&lt;img src=x&gt;" in md

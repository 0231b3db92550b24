"""What a new user of `secbot` met in a tryout: one output language for every command, the
global options before or after the command, help that lists every command, clear usage errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.console.chat import run_chat
from bot.settings import Settings


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'secbot.db'}"
    monkeypatch.setenv("SECBOT_DATABASE_URL", url)
    return url


def secbot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    assert exited.value.code == 2
    return capsys.readouterr().err


def outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict[str, str]:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"incident_type": "ransomware"}), encoding="utf-8")
    commands = {"incidents": ["incidents", "list"], "report": ["checkup", "report"], "invites": ["checkup", "invites"],
                "triage": ["triage", "--dry-run", "--answers", str(answers)], "stats": ["kb", "stats"],
                "gaps": ["kb", "gaps"]}
    found = {}
    for name, args in commands.items():
        code, out, err = secbot(capsys, *args)
        assert code == 0, err
        found[name] = out
    chat = io.StringIO()
    assert run_chat(Settings.from_env(), user="taro", stdin=io.StringIO("/incident\n/quit\n"), stdout=chat) == 0
    found["chat"] = chat.getvalue()
    return found


JAPANESE = {"incidents": "該当するインシデントはありません", "report": "セキュリティ診断の集計", "invites": "招待はまだありません",
            "triage": "連絡先（優先順）", "stats": "過去30日間の質問", "gaps": "未回答の質問はありません",
            "chat": "何が起きましたか？"}
ENGLISH = {"incidents": "No incidents found", "report": "Security checkup summary", "invites": "no invitations yet",
           "triage": "Contacts, in priority order", "stats": "Questions in the last 30 days",
           "gaps": "No unanswered questions", "chat": "What happened?"}


@pytest.mark.parametrize(("env", "expected"), [
    ({"LANG": "C.UTF-8"}, JAPANESE),  # the container default: the settings' default language
    ({}, JAPANESE),
    ({"LANG": "en_US.UTF-8"}, ENGLISH),
    ({"LANG": "C.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, JAPANESE),
    ({"LANG": "ja_JP.UTF-8", "LC_ALL": "en_GB.UTF-8"}, ENGLISH),
    ({"LANG": "ja_JP.UTF-8", "SECBOT_DEFAULT_LANG": "en"}, ENGLISH),  # the setting before the locale
    ({"LANG": "en_US.UTF-8", "SECBOT_DEFAULT_LANG": "ja"}, JAPANESE),
], ids=["C", "unset", "en-locale", "LC_MESSAGES", "LC_ALL-wins", "setting-en", "setting-ja"])
def test_every_command_speaks_the_same_language_under_one_locale(env, expected, database, tmp_path, capsys, monkeypatch):
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "SECBOT_DEFAULT_LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = outputs(capsys, tmp_path)
    assert {name: expected[name] in text for name, text in found.items()} == dict.fromkeys(expected, True), found


def test_invites_name_their_columns_in_the_users_language_and_say_the_number_is_a_result_id(database, capsys):
    code, _, err = secbot(capsys, "checkup", "invite", "--org", "ACME")
    assert code == 0, err
    _, english, _ = secbot(capsys, "checkup", "invites", "--lang", "en")
    assert english.splitlines()[0] == "| id | organisation | set | lang | state | expires (JST) | result id |"
    _, japanese, _ = secbot(capsys, "checkup", "invites", "--lang", "ja")
    assert japanese.splitlines()[0] == "| 番号 | 組織 | 診断 | 言語 | 状態 | 有効期限 (JST) | 結果番号 |"
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert japanese.splitlines()[0] in readme  # the README shows what the command prints


def test_knowledge_and_database_options_work_before_the_command_too(mini_knowledge, tmp_path, capsys):
    before = secbot(capsys, "--knowledge", str(mini_knowledge), "ask", "what is attack surface management")
    after = secbot(capsys, "ask", "--knowledge", str(mini_knowledge), "what is attack surface management")
    assert before == after and before[0] == 0 and "ASM is the process" in before[1]
    missing = tmp_path / "no-such-kb"
    assert secbot(capsys, "--knowledge", str(missing), "ask", "JC-STAR")[0] == 2
    db = tmp_path / "elsewhere.db"
    assert secbot(capsys, "--database-url", f"sqlite:///{db}", "incidents", "list")[0] == 0 and db.exists()


def test_commands_without_knowledge_or_database_refuse_the_options_clearly(capsys):
    for args in (["healthcheck"], ["teams", "package"], ["kb", "init", "x"]):
        err = usage_error(capsys, "--knowledge", "/tmp/kb", *args)
        assert "--knowledge is not used by" in err, args


def test_help_lists_every_command_once(capsys):
    assert "Slack, Teams or web" in usage_or_help(capsys, "--help")
    web = usage_or_help(capsys, "web", "--help")
    assert web.count("login-link") == 1
    checkup = usage_or_help(capsys, "checkup", "--help")
    for command in ("report", "invite ", "invites", "revoke"):
        assert f"    {command}" in checkup, command


def usage_or_help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_a_usage_error(question, capsys):
    code, out, err = secbot(capsys, "ask", question)
    assert code == 2 and out == "" and "the question is empty" in err


def test_validating_a_new_scaffold_reports_its_todos_once(tmp_path, capsys, caplog):
    kb = tmp_path / "kb"
    assert secbot(capsys, "kb", "init", str(kb))[0] == 0
    assert secbot(capsys, "kb", "new-intent", "--knowledge", str(kb), "my_topic")[0] == 0
    code, out, err = secbot(capsys, "kb", "validate", str(kb))
    assert code == 1 and out.count("TODO") == 1
    assert "TODO" not in err and not [r for r in caplog.records if "TODO" in r.getMessage()]

"""The `secbot` command as users run it: real subprocesses, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import MINI_INTENTS, write_knowledge

SECBOT = [sys.executable, "-m", "adapters.cli"]


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run([*SECBOT, *args], input=stdin, capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=cwd)


def test_ask_batch_reads_stdin_and_writes_one_json_line_per_question_in_order(mini_knowledge: Path):
    questions = ["what is jc-star", "", "ASMとは？", "best ramen in Tokyo"]
    result = run("ask", "--json", "--batch", "-", "--knowledge", str(mini_knowledge), stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    for line in lines:
        assert set(line) >= {"intent", "score", "answer", "suggestions", "lang"}
    assert lines[0]["intent"] == "jc_star" and lines[0]["lang"] == "en" and "IoT security labelling" in lines[0]["answer"]
    assert "https://www.ipa.go.jp/security/jc-star/index.html" in lines[0]["answer"]
    assert lines[1]["intent"] is None and lines[1]["answer"]
    assert lines[2]["intent"] == "asm" and lines[2]["lang"] == "ja"
    assert lines[3]["intent"] is None and "don't have information" in lines[3]["answer"]


def test_ask_one_question_prints_the_answer(mini_knowledge: Path):
    result = run("ask", "--knowledge", str(mini_knowledge), "what", "is", "attack surface management")
    assert result.returncode == 0
    assert "ASM is the process" in result.stdout


def test_ask_without_a_question_is_a_usage_error():
    result = run("ask")
    assert result.returncode == 2 and "no question given" in result.stderr


def test_validate_reports_file_and_line_and_exits_non_zero(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": MINI_INTENTS.replace("    tags:", "    tagz:", 1)})
    result = run("kb", "validate", str(kb))
    assert result.returncode == 1
    assert f"{kb / 'intents' / 'mini.yaml'}:5:" in result.stdout and "tagz" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_serving_a_broken_knowledge_folder_fails_cleanly(tmp_path: Path):
    kb = write_knowledge(tmp_path / "kb", {"intents/mini.yaml": "version: 1\nintents: [\n"})
    result = run("ask", "--knowledge", str(kb), "hello")
    assert result.returncode == 1
    assert "mini.yaml:3: invalid YAML" in result.stderr and "Traceback" not in result.stderr


def test_knowledge_folder_from_the_environment(mini_knowledge: Path):
    result = run("ask", "--json", "what is jc-star", env={"SECBOT_KNOWLEDGE": str(mini_knowledge)})
    assert json.loads(result.stdout)["intent"] == "jc_star"


def test_chat_session_in_the_terminal(tmp_path: Path, mini_knowledge: Path):
    script = "what is jc-star\n1\nthe weather today?\n/quit\n"
    result = run("chat", "--knowledge", str(mini_knowledge), "--database-url", f"sqlite:///{tmp_path / 'c.db'}",
                 stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "JC-STAR is IPA's IoT security labelling scheme." in out
    assert "ASM is the process" in out  # "1" clicked the related-topic button
    assert "don't have information" in out


def test_core_never_imports_platform_sdks():
    code = ("import sys, bot.engine, intents.assemble, adapters.cli, intents.matcher, adapters.console.chat; "
            "bad = [m for m in sys.modules if m.startswith(('slack', 'botbuilder', 'botframework'))]; print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_did_you_mean_in_the_terminal_is_a_numbered_choice_that_answers(tmp_path: Path, cautious_knowledge: Path):
    """Unsure: the topics are offered as a question with numbers; typing one answers that topic."""
    script = "label\n1\n/quit\n"
    result = run("chat", "--knowledge", str(cautious_knowledge), "--database-url", f"sqlite:///{tmp_path / 'c.db'}",
                 stdin=script)
    assert result.returncode == 0, result.stderr
    _, _, after = result.stdout.partition("Did you mean one of these?")
    offered, _, answered = after.partition("[What is JC-STAR?]")
    assert "1. What is JC-STAR?" in offered and "2. None of these" in offered, result.stdout
    assert "JC-STAR is IPA's IoT security labelling scheme." in answered  # "1" picked the first topic


def test_kb_eval_scores_a_realistic_format_file_per_language(tmp_path: Path, mini_knowledge: Path):
    questions = tmp_path / "realistic.yaml"
    questions.write_text(
        '- {q: "what is jc-star", lang: en, expect: jc_star, facts: [["labelling scheme"]]}\n'
        '- {q: "what is jc-star", lang: en, expect: jc_star, facts: [["not in the answer"]]}\n'
        '- {q: "the weather today?", lang: en, expect: null}\n', encoding="utf-8")
    result = run("kb", "eval", "--knowledge", str(mini_knowledge), "--questions", str(questions))
    assert result.returncode == 0, result.stderr
    assert "en in scope (2): answered right 1, right intent, facts missing 1, answered wrong 0" in result.stdout
    assert "en must not answer (1): refused 1, suggested 0, answered 0" in result.stdout
    other = tmp_path / "other.yaml"
    other.write_text('- {q: "what is jc-star", expect: no_such_intent}\n', encoding="utf-8")
    warned = run("kb", "eval", "--knowledge", str(mini_knowledge), "--questions", str(other))
    assert warned.returncode == 0 and "no_such_intent" in warned.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("- {q: 3}\n", encoding="utf-8")
    bad = run("kb", "eval", "--knowledge", str(mini_knowledge), "--questions", str(broken))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "`q`" in bad.stderr + bad.stdout

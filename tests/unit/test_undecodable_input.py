"""Text that is not valid UTF-8 (a mis-encoded terminal, a pasted binary) or holds lone
surrogates is answered like any other text, with the broken characters replaced: never a
traceback, never "couldn't save"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.messages import say

SECBOT = [sys.executable, "-m", "adapters.cli"]
STORE_ERROR = say("store_error", "en")


def run_bytes(*args: bytes | str, stdin: bytes = b"", tmp_path: Path, strict_stdin: bool = False,
              ) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "SECBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PYTHONUNBUFFERED": "1"}
    if strict_stdin:  # a UTF-8 locale: Python decodes stdin strictly
        env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([*SECBOT, *args], input=stdin, capture_output=True, env=env, timeout=60)


def assert_answered(result: subprocess.CompletedProcess[bytes]) -> str:
    out, err = result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err, err
    assert STORE_ERROR not in out and "IoT security labelling" in out
    return out


def test_an_ask_argument_with_invalid_utf8_is_answered(mini_knowledge: Path, tmp_path: Path) -> None:
    assert_answered(run_bytes("ask", "--knowledge", str(mini_knowledge), b"what is jc-star \xff\xfe",
                              tmp_path=tmp_path))


def test_ask_batch_lines_with_invalid_utf8_are_answered(mini_knowledge: Path, tmp_path: Path) -> None:
    for strict in (False, True):
        out = assert_answered(run_bytes("ask", "--json", "--batch", "-", "--knowledge", str(mini_knowledge),
                                        stdin=b"what is jc-star \xff\n", tmp_path=tmp_path, strict_stdin=strict))
        [line] = [json.loads(x) for x in out.splitlines()]
        assert line["intent"] == "jc_star" and line["question"] == "what is jc-star \ufffd"


def test_a_chat_line_with_invalid_utf8_is_answered(mini_knowledge: Path, tmp_path: Path) -> None:
    for strict in (False, True):
        assert_answered(run_bytes("chat", "--knowledge", str(mini_knowledge),
                                  stdin=b"what is jc-star \xc3\x28\n/quit\n", tmp_path=tmp_path, strict_stdin=strict))


def test_a_batch_file_with_invalid_utf8_is_answered_like_stdin_with_one_warning(mini_knowledge: Path,
                                                                               tmp_path: Path) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_bytes(b"ASM\xe3\x81\xa8\xe3\x81\xaf\nwhat is jc-star \xff\nwhat is asm \xc3\x28\n")
    result = run_bytes("ask", "--json", "--batch", str(batch), "--knowledge", str(mini_knowledge), tmp_path=tmp_path)
    out = assert_answered(result)
    lines = [json.loads(x) for x in out.splitlines()]
    assert [line["question"] for line in lines] == ["ASMとは", "what is jc-star \ufffd", "what is asm \ufffd("]
    err = result.stderr.decode()
    assert err.count("warning") == 1 and "lines 2, 3" in err and str(batch) in err


def test_a_utf8_bom_is_not_part_of_the_first_question(mini_knowledge: Path, tmp_path: Path) -> None:
    batch = tmp_path / "bom.txt"
    batch.write_bytes(b"\xef\xbb\xbfwhat is jc-star\n")
    from_file = run_bytes("ask", "--json", "--batch", str(batch), "--knowledge", str(mini_knowledge), tmp_path=tmp_path)
    from_stdin = run_bytes("ask", "--json", "--batch", "-", "--knowledge", str(mini_knowledge),
                           stdin=batch.read_bytes(), tmp_path=tmp_path)
    for result in (from_file, from_stdin):
        [line] = [json.loads(x) for x in assert_answered(result).splitlines()]
        assert line["question"] == "what is jc-star", line
        assert not result.stderr

"""Whole /checkup dialogues, written as data (checkup_*.yaml), run through the console adapter.

Each step sends one line as typed in `secbot chat` (a number clicks that button of the previous
replies) and checks what came back: reply kinds, the question asked, the language, words in
the text, the score, the first knowledge button, and the stored results."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.console.chat import ConsoleSession
from bot.models import Response

DIALOGUES = sorted(Path(__file__).parent.glob("checkup_*.yaml"))


def check(step: dict[str, Any], response: Response, shown: str, records: list[Any]) -> None:
    expect = step.get("expect", {})
    where = f"after sending {step['send']!r}"
    replies = response.replies
    assert replies, where
    last = replies[-1]
    if "kind" in expect:
        assert last.kind.value == expect["kind"], (where, last.kind, last.text)
    if "kinds" in expect:
        assert [r.kind.value for r in replies] == expect["kinds"], (where, [r.text for r in replies])
    if "field" in expect:
        assert last.data.get("field") == expect["field"], (where, last.text)
    if "lang" in expect:
        assert last.lang == expect["lang"], where
    for words in expect.get("text", []):
        assert words in shown, (where, words, shown)
    for words in expect.get("not_text", []):
        assert words not in shown, (where, words)
    if "overall" in expect:
        assert last.data["overall"] == expect["overall"], (where, last.data)
    if "weakest_area" in expect:
        assert last.data["areas"][0]["id"] == expect["weakest_area"], where
    if "button_1" in expect:
        assert last.buttons[0].value == expect["button_1"], where
    if "intent" in expect:
        assert last.intent == expect["intent"], where
    if "stored" in expect:
        assert len(records) == expect["stored"], where
        for key, value in expect.get("stored_record", {}).items():
            assert getattr(records[0], key) == value, (key, records[0])
    assert not response.notifications, where


@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
async def test_dialogue(path: Path, make_bot):
    dialogue = yaml.safe_load(path.read_text(encoding="utf-8"))
    bot = await make_bot(local=True)
    out = io.StringIO()
    session = ConsoleSession(bot, "tester", out)
    for step in dialogue["steps"]:
        start = out.tell()
        response = await session.send(str(step["send"]))
        shown = out.getvalue()[start:]
        check(step, response, shown, await bot.store.list_checkups())

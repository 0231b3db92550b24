"""Whole /incident dialogues, written as data (incident_*.yaml), run through the console adapter.

Each step sends one line exactly as typed in `secbot chat` (a number clicks that button of the
previous replies) and checks what came back: reply kinds, the question asked, the language,
words in the text, the contacts in order, the security team's notice, and the stored record."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.console.chat import ConsoleSession
from bot.models import Response

DIALOGUES = sorted(Path(__file__).parent.glob("incident_*.yaml"))


def check(step: dict[str, Any], response: Response, shown: str, records: list[Any]) -> None:
    expect = step.get("expect", {})
    replies = response.replies
    where = f"after sending {step['send']!r}"
    assert replies, where
    last = replies[-1]
    if "kind" in expect:
        assert last.kind.value == expect["kind"], (where, last.kind, last.text)
    if "not_kind" in expect:
        assert last.kind.value != expect["not_kind"], (where, last.text)
    if "kinds" in expect:
        assert [r.kind.value for r in replies] == expect["kinds"], (where, [r.text for r in replies])
    if "field" in expect:
        assert last.data.get("field") == expect["field"], (where, last.text)
    if "lang" in expect:
        assert last.lang == expect["lang"], where
    if "intent" in expect:
        assert last.intent == expect["intent"], where
    if "button_1" in expect:
        assert last.buttons[0].value == expect["button_1"], where
    for words in expect.get("text", []):
        assert words in shown, (where, words, shown)
    if "contacts" in expect:
        found = [c["id"] for c in last.data["contacts"]]
        assert found[:len(expect["contacts"])] == expect["contacts"], (where, found)
    if "notification" in expect:
        [note] = response.notifications
        assert note.kind == expect["notification"] and note.data["incident_id"] == last.data["incident_id"]
        assert note.data["incident_id"] in shown  # the console shows the notice
    else:
        assert not response.notifications, where
    if "recorded" in expect:
        [record] = [r for r in records if r.id == last.data["incident_id"]]
        for key, value in expect["recorded"].items():
            assert record.answers[key] == str(value), (key, record.answers)
        assert record.status == "open" and record.platform == "console"
    if "recorded_count" in expect:
        assert len(records) == expect["recorded_count"], where


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
        records = await bot.store.list_incidents()
        check(step, response, shown, records)

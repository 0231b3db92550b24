"""Play a dialogue written as data through the console adapter and check each reply.

A dialogue file has `steps`, each `send` (one line exactly as typed in `secbot chat`; a
number clicks that button of the previous replies) and `expect` with any of: kind,
not_kind, kinds, field, lang, intent, button_1, text (words shown), not_text. A feature's
test adds its own checks (contacts, scores, stored records) through `extra`."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml

from adapters.console.chat import ConsoleSession
from bot.engine import Bot
from bot.models import Reply, Response

Extra = Callable[[dict[str, Any], Response, Reply, str, str], Awaitable[None]]


def check_reply(expect: dict[str, Any], response: Response, shown: str, where: str) -> Reply:
    replies = response.replies
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
    for words in expect.get("not_text", []):
        assert words not in shown, (where, words)
    return last


async def play(path: Path, bot: Bot, extra: Extra) -> None:
    dialogue = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = io.StringIO()
    session = ConsoleSession(bot, "tester", out)
    for step in dialogue["steps"]:
        start = out.tell()
        response = await session.send(str(step["send"]))
        shown = out.getvalue()[start:]
        where = f"{path.name}: after sending {step['send']!r}"
        expect = step.get("expect", {})
        last = check_reply(expect, response, shown, where)
        await extra(expect, response, last, shown, where)

"""Whole /incident dialogues, written as data (incident_*.yaml), run through the console adapter.

Besides the common checks (tests/conversations/dialogue.py): the contacts in order, the
security team's notice, and the stored record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.models import Reply, Response
from tests.conversations.dialogue import play

DIALOGUES = sorted(Path(__file__).parent.glob("incident_*.yaml"))


@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
async def test_dialogue(path: Path, make_bot):
    bot = await make_bot(local=True)

    async def incident_checks(expect: dict[str, Any], response: Response, last: Reply, shown: str, where: str) -> None:
        records = await bot.store.list_incidents()
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

    await play(path, bot, incident_checks)

"""Whole /checkup dialogues, written as data (checkup_*.yaml), run through the console adapter.

Besides the common checks (tests/conversations/dialogue.py): the score, the weakest area and
the stored results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.models import Reply, Response
from tests.conversations.dialogue import play

DIALOGUES = sorted(Path(__file__).parent.glob("checkup_*.yaml"))


@pytest.mark.parametrize("path", DIALOGUES, ids=[p.stem for p in DIALOGUES])
async def test_dialogue(path: Path, make_bot):
    bot = await make_bot(local=True)

    async def checkup_checks(expect: dict[str, Any], response: Response, last: Reply, shown: str, where: str) -> None:
        if "overall" in expect:
            assert last.data["overall"] == expect["overall"], (where, last.data)
        if "weakest_area" in expect:
            assert last.data["areas"][0]["id"] == expect["weakest_area"], where
        if "stored" in expect:
            records = await bot.store.list_checkups()
            assert len(records) == expect["stored"], where
            for key, value in expect.get("stored_record", {}).items():
                assert getattr(records[0], key) == value, (key, records[0])
        assert not response.notifications, where

    await play(path, bot, checkup_checks)

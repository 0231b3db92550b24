"""SQLite keeps one connection: a write must never join (and be rolled back with) another
coroutine's failing transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.store.base import StoreError
from bot.store.sqlite import SqliteStore


async def test_plain_writes_survive_another_coroutines_rolled_back_transaction(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'store.db'}")
    await store.open()
    try:
        # Many statements, the last one failing: the transaction is open for a while, then rolls back.
        failing = [("INSERT INTO conversation_state (key, state, updated_at) VALUES (?, '{}', 0)", (f"tx-{n}",))
                   for n in range(200)]
        failing.append(("INSERT INTO conversation_state (key, state, updated_at) VALUES ('tx-0', '{}', 0)", ()))

        async def doomed() -> None:
            with pytest.raises(StoreError):
                await store.transaction(failing)

        async def plain_writes() -> tuple[int, bool]:
            await asyncio.sleep(0)  # let the transaction begin first
            await store.put_state("slack:D1:U1", {"flow": "incident"})
            question = await store.record_question(platform="slack", lang="ja", text="JC-STARとは",
                                                   band="answer", intent="jc_star", score=0.9)
            return question, await store.claim_delivery("slack:Ev1")

        _, (question_id, claimed) = await asyncio.gather(doomed(), plain_writes())
        assert question_id and claimed
    finally:
        await store.close()

    reopened = SqliteStore(store.url)  # what is really in the file
    await reopened.open()
    try:
        assert await reopened.get_state("slack:D1:U1") == {"flow": "incident"}
        assert [q.id for q in await reopened.list_questions()] == [question_id]
        assert await reopened.claim_delivery("slack:Ev1") is False  # the first claim was kept
        assert await reopened.get_state("tx-5") == {}  # and the failed transaction left nothing
    finally:
        await reopened.close()


async def test_writes_sent_together_fail_one_by_one_and_the_others_are_kept(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'store.db'}")
    await store.open()
    try:
        # Sent at the same moment, so they share one transaction: the bad one (text that is not
        # valid Unicode) fails alone.
        first, bad, last = await asyncio.gather(
            store.claim_delivery("ev-1"), store.put_state("slack:D1:U1", {"text": "\ud800"}),
            store.claim_delivery("ev-2"), return_exceptions=True)
        assert first is True and last is True
        assert isinstance(bad, StoreError) and "not valid Unicode" in str(bad)
    finally:
        await store.close()
    reopened = SqliteStore(f"sqlite:///{tmp_path / 'store.db'}")
    await reopened.open()
    try:  # committed: seen again after a restart
        assert await reopened.claim_delivery("ev-1") is False and await reopened.claim_delivery("ev-2") is False
        assert await reopened.get_state("slack:D1:U1") == {}
    finally:
        await reopened.close()

"""Incident records in SQLite: ids, timeline, closing, the append-only audit log, durability."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.store.base import StoreError
from bot.store.incidents import format_incident_id, incident_day
from bot.store.sqlite import SqliteStore

ANSWERS = {"incident_type": "ransomware", "ongoing": "yes", "description": "ファイルが暗号化された"}
RESULT = {"contacts": [{"id": "police", "name": "警察", "why": "…", "how": []}], "steps": ["隔離する"]}


@pytest.fixture
async def store(tmp_path: Path):
    opened = SqliteStore(f"sqlite:///{tmp_path / 'incidents.db'}")
    await opened.open()
    yield opened
    await opened.close()


async def create(store: SqliteStore, **kw: object):
    fields = {"reporter": "U1", "reporter_name": "taro", "platform": "slack", "channel": "C1", "lang": "ja",
              "answers": ANSWERS, "result": RESULT, **kw}
    return await store.create_incident(**fields)


async def test_incident_gets_a_human_friendly_id_per_japan_day(store: SqliteStore):
    # 2026-11-26 23:30 UTC is already 2026-11-27 in Japan
    at = 1795735800.0
    assert incident_day(at) == "20261127"
    first = await create(store, now=at)
    second = await create(store, now=at + 60)
    next_day = await create(store, now=at + 86400)
    assert [first.id, second.id, next_day.id] == ["INC-20261127-0001", "INC-20261127-0002", "INC-20261128-0001"]
    assert format_incident_id("20261127", 12) == "INC-20261127-0012"


async def test_record_keeps_everything_the_reporter_was_given(store: SqliteStore):
    record = await create(store)
    again = await store.get_incident(record.id)
    assert again == record
    assert again.status == "open" and again.reporter == "U1" and again.reporter_name == "taro"
    assert again.platform == "slack" and again.channel == "C1" and again.incident_type == "ransomware"
    assert list(again.answers) == list(ANSWERS)  # form order kept
    assert again.answers["description"] == "ファイルが暗号化された"
    assert again.contacts[0]["id"] == "police" and again.result["steps"] == ["隔離する"]
    assert [e.kind for e in again.timeline] == ["created"]


async def test_notes_and_closing_go_to_the_timeline_and_the_audit_log(store: SqliteStore):
    record = await create(store)
    note = await store.add_note(record.id, actor="slack:U9", text="IPAにメール済み")
    assert note is not None and note.text == "IPAにメール済み"
    closed = await store.close_incident(record.id, actor="slack:U9", note="復旧完了")
    assert closed is not None and closed.status == "closed" and closed.closed_at
    assert [(e.kind, e.text) for e in closed.timeline] == [("created", ""), ("note", "IPAにメール済み"), ("closed", "復旧完了")]
    again = await store.close_incident(record.id, actor="slack:U9")
    assert again is not None and again.closed_at == closed.closed_at  # closing twice changes nothing
    assert await store.add_note("INC-19990101-0001", actor="x", text="y") is None
    assert await store.close_incident("INC-19990101-0001", actor="x") is None
    actions = [(a.action, a.actor) for a in await store.list_audit(record.id)]
    assert actions == [("incident.created", "U1"), ("incident.note", "slack:U9"), ("incident.closed", "slack:U9")]


async def test_list_incidents_by_status_newest_first(store: SqliteStore):
    first = await create(store, now=time.time() - 60)
    second = await create(store)
    await store.close_incident(first.id, actor="a")
    assert [r.id for r in await store.list_incidents()] == [second.id, first.id]
    assert [r.id for r in await store.list_incidents("open")] == [second.id]
    assert [r.id for r in await store.list_incidents("closed")] == [first.id]


async def test_audit_log_is_append_only_even_with_raw_sql(store: SqliteStore):
    await create(store)
    await store.append_audit("cli:root", "incident.exported", "INC-x", {"format": "md"})
    for sql in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises((sqlite3.IntegrityError, StoreError), match="append-only"):
            await store.execute(sql)
    entries = await store.list_audit()
    assert [e.action for e in entries] == ["incident.created", "incident.exported"]
    assert entries[1].details == {"format": "md"}
    # the timeline, by contrast, is editable
    await store.execute("UPDATE incident_timeline SET text = 'edited'")


async def test_concurrent_creations_on_one_connection_get_unique_ids(store: SqliteStore):
    records = await asyncio.gather(*(create(store) for _ in range(20)))
    ids = [r.id for r in records]
    assert len(set(ids)) == 20
    assert sorted(int(i.rsplit("-", 1)[1]) for i in ids) == list(range(1, 21))


WORKER = """
import asyncio, sys
from bot.store.sqlite import SqliteStore
async def main():
    store = SqliteStore(sys.argv[1]); await store.open()
    for _ in range(int(sys.argv[2])):
        r = await store.create_incident(reporter="p", platform="cli", lang="en", answers={}, result={})
        print(r.id, flush=True)
    await store.close()
asyncio.run(main())
"""


def test_ids_stay_unique_across_processes_writing_at_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, "15"], stdout=subprocess.PIPE, text=True)
               for _ in range(4)]
    ids = []
    for worker in workers:
        out, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0
        ids += out.split()
    assert len(ids) == 60 and len(set(ids)) == 60


async def test_records_survive_reopening_the_file(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    first = SqliteStore(url)
    await first.open()
    record = await create(first)
    await first.close()
    second = SqliteStore(url)
    await second.open()
    try:
        assert (await second.get_incident(record.id)) == record
    finally:
        await second.close()
    with sqlite3.connect(tmp_path / "again.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_two_responders_closing_at_once_write_one_closed_entry(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'close.db'}"
    first, second = SqliteStore(url), SqliteStore(url)
    await first.open()
    await second.open()
    try:
        record = await create(first)
        await asyncio.gather(first.close_incident(record.id, actor="U1"), second.close_incident(record.id, actor="U2"),
                             first.close_incident(record.id, actor="U3"))
        assert [e.kind for e in await first.list_timeline(record.id)] == ["created", "closed"]
        assert [a.action for a in await first.list_audit(record.id)] == ["incident.created", "incident.closed"]
    finally:
        await first.close()
        await second.close()

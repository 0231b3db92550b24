"""Storage faults: PostgreSQL going away and coming back (through a cuttable TCP proxy, the shared
server is never stopped), and a full SQLite database (max_page_count): clear StoreErrors, polite
replies, nothing half-written, nothing acknowledged lost."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.messages import say
from bot.models import IncomingMessage, ReplyKind
from bot.settings import Settings
from bot.store.base import StoreError
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from intents.assemble import create_bot
from tests.store.tcp_proxy import CuttableProxy

PASSWORD = "pw-s3cret-do-not-log"  # trust auth ignores it; it must never show up anywhere


def through(url: str, port: int, *, password: str | None = PASSWORD) -> str:
    """The same database reached via 127.0.0.1:port (with a password to check it stays hidden)."""
    parts = urlsplit(url)
    user = parts.username or "postgres"
    credentials = f"{user}:{password}" if password else user
    return urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{port}"))


@pytest.fixture
async def proxy(pg_url: str) -> AsyncIterator[CuttableProxy]:
    parts = urlsplit(pg_url)
    running = await CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
    yield running
    await running.stop()


@pytest.fixture
async def pg_store(pg_url: str, proxy: CuttableProxy) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(through(pg_url, proxy.port), connect_timeout=2)
    await store.open()
    yield store
    await store.close()


async def new_incident(store: PostgresStore | SqliteStore, **answers: str) -> object:
    return await store.create_incident(reporter="U0ALICE", platform="slack", lang="ja",
                                       answers={"incident_type": "malware", **answers},
                                       result={"contacts": [{"name": "CSIRT"}]})


def assert_clear(error: StoreError, proxy: CuttableProxy) -> None:
    message = str(error)
    assert f"127.0.0.1:{proxy.port}/" in message, message
    assert PASSWORD not in message
    assert "Traceback" not in message


# -- PostgreSQL goes away and comes back -------------------------------------------------------
async def test_an_acknowledged_incident_survives_the_database_going_away_and_back(
        pg_store: PostgresStore, proxy: CuttableProxy, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    acknowledged = await new_incident(pg_store)
    await pg_store.put_state("slack:D1:U1", {"flow": "triage", "step": 2})

    proxy.cut()
    started = time.monotonic()
    with pytest.raises(StoreError) as down:
        await pg_store.get_incident(acknowledged.id)
    assert time.monotonic() - started < 5  # a clear error, quickly, not a hang
    assert_clear(down.value, proxy)
    assert "unreachable" in str(down.value)
    with pytest.raises(StoreError) as write_down:
        await new_incident(pg_store)
    assert_clear(write_down.value, proxy)

    proxy.restore()
    assert await pg_store.get_incident(acknowledged.id) == acknowledged
    assert await pg_store.get_state("slack:D1:U1") == {"flow": "triage", "step": 2}
    after = await new_incident(pg_store)
    assert after.id != acknowledged.id
    assert [r.id for r in await pg_store.list_incidents()] == [after.id, acknowledged.id]
    assert PASSWORD not in caplog.text


async def test_the_pool_replaces_connections_dropped_while_idle(pg_store: PostgresStore, proxy: CuttableProxy) -> None:
    await pg_store.put_state("k", {"v": 1})
    proxy.cut()
    proxy.restore()  # the server "restarted" between two requests: the next ones just work
    assert await pg_store.get_state("k") == {"v": 1}
    assert await pg_store.claim_delivery("slack:Ev1") is True
    assert await pg_store.claim_delivery("slack:Ev1") is False
    assert (await new_incident(pg_store)).id.startswith("INC-")


async def test_connections_killed_by_the_server_are_replaced(pg_url: str, pg_store: PostgresStore) -> None:
    await pg_store.put_state("k", {"v": 1})
    database = urlsplit(pg_url).path.lstrip("/")
    admin = await asyncpg.connect(pg_url)
    try:  # what an administrator's restart or a failover does to every session
        killed = await admin.fetchval("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE datname = $1 AND pid <> pg_backend_pid()", database)
    finally:
        await admin.close()
    assert killed >= 1
    assert await pg_store.get_state("k") == {"v": 1}
    assert await pg_store.claim_delivery("slack:Ev-after-kill") is True
    assert await pg_store.claim_delivery("slack:Ev-after-kill") is False


async def test_opening_while_the_database_is_down_is_a_clear_error(pg_url: str, proxy: CuttableProxy) -> None:
    proxy.cut()
    store = PostgresStore(through(pg_url, proxy.port), connect_timeout=2)
    with pytest.raises(StoreError) as error:
        await store.open()
    assert_clear(error.value, proxy)
    proxy.restore()
    await store.open()
    try:
        assert await store.get_state("k") == {}
    finally:
        await store.close()


async def test_nothing_listens_is_a_clear_error_without_the_password() -> None:
    store = PostgresStore(f"postgresql://secbot:{PASSWORD}@127.0.0.1:1/secbot", connect_timeout=2)
    with pytest.raises(StoreError) as error:
        await store.open()
    assert "127.0.0.1:1/secbot" in str(error.value) and PASSWORD not in str(error.value)


async def test_users_get_a_polite_reply_while_the_database_is_down(
        pg_url: str, proxy: CuttableProxy, mini_knowledge: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({}, knowledge_dir=mini_knowledge, database_url=through(pg_url, proxy.port))
    bot = await create_bot(settings)
    try:
        message = IncomingMessage(user_id="U1", conversation_id="D1", text="JC-STARとは", platform="slack")
        assert (await bot.handle(message)).replies[0].kind is ReplyKind.ANSWER
        proxy.cut()
        [reply] = (await bot.handle(message)).replies
        assert reply.kind is ReplyKind.ERROR and reply.text == say("store_error", "ja")
        proxy.restore()
        assert (await bot.handle(message)).replies[0].kind is ReplyKind.ANSWER
    finally:
        await bot.store.close()
    assert PASSWORD not in caplog.text


# -- SQLite: the database file is full ---------------------------------------------------------
@pytest.fixture
async def full_sqlite(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A SQLite store whose file may not grow (max_page_count = its current size)."""
    store = SqliteStore(f"sqlite:///{tmp_path / 'full.db'}")
    await store.open()
    await new_incident(store)  # some data, and the incident tables' pages exist
    [(pages,)] = await store.fetchall("PRAGMA page_count")
    await store.fetchall(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError):  # use up the free space inside the file too
        for n in range(1000):
            await store.put_state(f"filler-{n}", {"x": "y" * 2000})
    yield store
    await store.close()


async def test_a_full_sqlite_database_is_a_clear_error_and_nothing_is_half_written(
        full_sqlite: SqliteStore) -> None:
    store = full_sqlite
    before = await store.list_incidents()
    [(days_before,)] = await store.fetchall("SELECT seq FROM incident_days")
    audit_before = await store.list_audit()

    with pytest.raises(StoreError) as error:
        await new_incident(store, details="x" * 20_000)
    assert "full" in str(error.value) and "nothing was saved" in str(error.value)
    assert "Traceback" not in str(error.value)

    assert await store.list_incidents() == before  # no incident, no counter bump, no audit entry
    assert await store.fetchall("SELECT seq FROM incident_days") == [(days_before,)]
    assert await store.list_audit() == audit_before
    timeline = await store.fetchall("SELECT incident_id FROM incident_timeline")
    assert {row[0] for row in timeline} == {r.id for r in before}

    await store.fetchall("PRAGMA max_page_count = 1000000")  # space freed: it works again
    record = await new_incident(store, details="x" * 20_000)
    assert record.id.endswith("-0002") and await store.get_incident(record.id) == record


async def test_users_get_a_polite_reply_when_the_sqlite_disk_is_full(full_sqlite: SqliteStore,
                                                                    mini_knowledge: Path) -> None:
    settings = Settings.from_env({}, knowledge_dir=mini_knowledge, database_url=full_sqlite.url)
    bot = await create_bot(settings, store=full_sqlite)
    message = IncomingMessage(user_id="U1", conversation_id="D1", text="JC-STARとは", platform="slack")
    [reply] = (await bot.handle(message)).replies
    assert reply.kind is ReplyKind.ERROR and reply.text == say("store_error", "ja")

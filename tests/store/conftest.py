"""One store test suite, two backends: SQLite (a file in tmp_path) always, PostgreSQL when
SECBOT_TEST_DATABASE_URL is set (CI: postgresql://postgres@127.0.0.1:5432/test). Each PostgreSQL
test gets a database of its own (CREATE DATABASE secbot_test_<random>, dropped afterwards)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.store.base import Store, open_store

PG_ENV = "SECBOT_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgres"]


def pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_database(admin_url: str) -> str:
    """A new empty database on the test server; returns its URL."""
    import asyncpg

    name = f"secbot_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    import asyncpg

    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """Create a database of its own for one test, drop it afterwards; skip without a server."""
    admin = pg_admin_url()
    if not admin:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped")
    url = await create_database(admin)
    try:
        yield url
    finally:
        await drop_database(admin, url)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (skips when SECBOT_TEST_DATABASE_URL is not set)."""
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture
async def open_stores(store_url: str) -> AsyncIterator[Callable[[], Awaitable[Store]]]:
    """`await open_another()`: another opened store on the same database (another connection/pool)."""
    opened: list[Store] = []

    async def factory() -> Store:
        store = open_store(store_url)
        await store.open()
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


@pytest.fixture
async def store(open_stores: Callable[[], Awaitable[Store]]) -> Store:
    return await open_stores()


def backend(store: Store) -> str:
    return "postgres" if store.url.startswith(("postgresql:", "postgres:")) else "sqlite"

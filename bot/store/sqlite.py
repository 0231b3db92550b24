"""SQLite store (the default): one file, WAL mode, created on first use."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.base import (
    PROBE_ID,
    DatabaseUrlError,
    ExpertQuestion,
    FeedbackRecord,
    QuestionRecord,
    StoreError,
    default_data_dir,
)
from bot.store.migrations import migrations
from bot.store.retention import PERSONAL_REF_KIND, RAW_QUESTION_KEYS
from bot.store.sqlite_checkups import QUESTION_TEXTS, QUESTIONS_BY_DAY, SqliteCheckupsMixin
from bot.store.sqlite_incidents import SqliteIncidentsMixin


def sqlite_path(url: str) -> str:
    """`sqlite:///relative.db`, `sqlite:////abs/path.db` or `sqlite:///:memory:` -> a path."""
    if not url.startswith("sqlite:///"):
        raise DatabaseUrlError(f"bad SQLite URL {url!r}: expected sqlite:///PATH")
    path = url.removeprefix("sqlite:///")
    if not path:
        raise DatabaseUrlError("bad SQLite URL: no file path")
    return path


def check_folder(path: Path) -> None:
    """The folder of the SQLite file must exist already (the default data folder excepted), so
    that a mistyped path is an error rather than a new empty database somewhere unexpected."""
    folder = path.parent
    if folder.is_dir() or folder.resolve() == default_data_dir().resolve():
        return
    raise DatabaseUrlError(f"the folder {folder} for the SQLite database does not exist: create it first, "
                           "or fix SECBOT_DATABASE_URL / --database-url")


def prepare_folder(path: Path) -> None:
    """Create the default data folder if needed (see `check_folder` for any other)."""
    check_folder(path)
    path.parent.mkdir(parents=True, exist_ok=True)


class SqliteStore(SqliteIncidentsMixin, SqliteCheckupsMixin):
    def __init__(self, url: str):
        self.url = url
        self.path = sqlite_path(url)
        self._db: aiosqlite.Connection | None = None
        self._file_id: tuple[int, int] | None = None  # (device, inode) of the file opened
        # One connection: every statement and transaction takes this lock, so a plain write can
        # never join another coroutine's open transaction and be rolled back with it.
        self._tx_lock = asyncio.Lock()
        self._pending: list[tuple[str, Sequence[Any], asyncio.Future[Written]]] = []
        self._flusher: asyncio.Future[None] | None = None

    async def open(self) -> None:
        if self._db is not None:
            return
        try:
            target = ":memory:" if self.path == ":memory:" else await asyncio.to_thread(_prepared, self.path)
            self._db = await aiosqlite.connect(target, isolation_level=None)
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=FULL")
            await self._db.execute("PRAGMA busy_timeout=5000")
            await self._db.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros: purged text cannot be read back from the file.
            await self._db.execute("PRAGMA secure_delete=ON")
            await self._migrate()
            await self.summarize_saved_checkups()
            self._file_id = self._stat()
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise StoreError(f"cannot open the SQLite database {self.path}: {exc}") from None

    async def close(self) -> None:
        if self._flusher is not None and not self._flusher.done():
            await asyncio.wait({self._flusher})  # the writes already asked for go in first
        if self._db is not None:
            db, self._db = self._db, None
            await db.close()

    async def _migrate(self) -> None:
        db = self._require()
        await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT, applied_at REAL)")
        # The set of applied versions, not the highest: migration numbers are assigned to features
        # that land out of order (0005 before 0004), and a late-landing one must still be applied.
        async with db.execute("SELECT version FROM schema_version") as cur:
            applied = {row[0] for row in await cur.fetchall()}
        for version, name, sql in migrations("sqlite"):
            if version in applied:
                continue
            # One script per migration, version row included, so a crash leaves it unapplied.
            script = f"BEGIN IMMEDIATE;\n{sql}\n;INSERT INTO schema_version VALUES ({version}, '{name}', {time.time()});\nCOMMIT;"
            try:
                await db.executescript(script)
            except BaseException:
                if db.in_transaction:
                    await db.execute("ROLLBACK")
                # Another process opening the same new file may have applied it first.
                async with db.execute("SELECT 1 FROM schema_version WHERE version = ?", (version,)) as cur:
                    if await cur.fetchone() is not None:
                        continue
                raise

    def _stat(self) -> tuple[int, int] | None:
        if self.path == ":memory:":
            return None
        try:
            info = Path(self.path).expanduser().stat()
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def _check_file(self) -> None:
        """SQLite keeps writing to a deleted or replaced file, and all of it vanishes at restart."""
        if self._file_id is not None and self._stat() != self._file_id:
            raise StoreError(f"the database file {self.path} was deleted or replaced while in use: "
                             "restore it and restart secbot (the last writes may be lost)")

    def _require(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("the store is not open")
        return self._db

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Written:
        """Run one writing statement, committed when this returns; SQLite errors become StoreError
        with a readable reason.

        Group commit: the statements that arrive while the connection is busy are run together,
        in one trip to aiosqlite's thread and one transaction (one fsync), each still failing
        on its own (a failed statement is undone, the others commit). A turn makes three or four
        such writes; one thread hop each, every hop waiting for the GIL behind the event loop,
        was what capped replies under load (benchmarks/load.py)."""
        self._require()
        future: asyncio.Future[Written] = asyncio.get_running_loop().create_future()
        self._pending.append((sql, params, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            async with self._tx_lock:
                try:
                    # aiosqlite's own way of running a function on its connection thread.
                    db = self._require()
                    results = await db._execute(_run_batch, db._conn, [(sql, params) for sql, params, _ in batch])
                    self._check_file()
                except (*DRIVER_ERRORS, StoreError) as exc:
                    error = exc if isinstance(exc, StoreError) else StoreError(_explain(exc, self.path))
                    results = [error] * len(batch)
                except BaseException as exc:  # cancelled at shutdown: nobody may wait forever
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(StoreError(f"the write was interrupted: {type(exc).__name__}"))
                    raise
            for (_, _, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, StoreError):
                    future.set_exception(result)
                elif isinstance(result, Exception):
                    future.set_exception(StoreError(_explain(result, self.path)))
                else:
                    future.set_result(result)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        # One hop to the connection's thread: a half-read SELECT would hold a read snapshot while
        # another coroutine's BEGIN IMMEDIATE runs on this connection, which then fails at once
        # with "database is locked" (SQLITE_BUSY_SNAPSHOT) when another process has written.
        db = self._require()
        async with self._tx_lock:
            try:
                return list(await db.execute_fetchall(sql, params))
            except DRIVER_ERRORS as exc:
                raise StoreError(_explain(exc, self.path)) from exc

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int | None]:
        """Run statements atomically; returns each statement's lastrowid."""
        async with self._tx_lock:
            return await self._transaction(statements)

    async def _transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int | None]:
        db = self._require()
        try:  # one trip to the connection's thread for the whole transaction
            ids = await db._execute(_run_transaction, db._conn, list(statements))
        except DRIVER_ERRORS as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        self._check_file()  # only a write to the file that stays is durable: say so before anyone relies on it
        return ids

    # -- conversation state -------------------------------------------------------------
    async def get_state(self, key: str) -> dict[str, Any]:
        row = await self.fetchone("SELECT state FROM conversation_state WHERE key = ?", (key,))
        return json.loads(row[0]) if row else {}

    async def put_state(self, key: str, state: Mapping[str, Any]) -> None:
        await self.execute(
            "INSERT INTO conversation_state (key, state, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (key, json.dumps(state, ensure_ascii=False), time.time()),
        )

    async def delete_state(self, key: str) -> None:
        await self.execute("DELETE FROM conversation_state WHERE key = ?", (key,))

    # -- questions and feedback -----------------------------------------------------------
    async def record_question(self, *, platform: str, lang: str | None, text: str, band: str,
                              intent: str | None, score: float | None) -> int:
        cursor = await self.execute(
            "INSERT INTO questions (asked_at, platform, lang, text, band, intent, score) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), platform, lang, text, band, intent, score),
        )
        return int(cursor.lastrowid or 0)

    async def list_questions(self, *, since: float | None = None, bands: Sequence[str] | None = None,
                             limit: int = 10_000) -> list[QuestionRecord]:
        sql = "SELECT id, asked_at, platform, lang, text, band, intent, score FROM questions WHERE asked_at >= ?"
        params: list[Any] = [since or 0.0]
        if bands:
            sql += f" AND band IN ({', '.join('?' for _ in bands)})"
            params += list(bands)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        return [QuestionRecord(*row) for row in await self.fetchall(sql, params)]

    async def record_feedback(self, *, platform: str, user_id: str, intent: str | None, vote: str,
                              question: str | None) -> int:
        cursor = await self.execute(
            "INSERT INTO feedback (given_at, platform, user_id, intent, vote, question) VALUES (?, ?, ?, ?, ?, ?)",
            (time.time(), platform, user_id, intent, vote, question),
        )
        return int(cursor.lastrowid or 0)

    async def list_feedback(self, *, since: float | None = None, limit: int = 10_000) -> list[FeedbackRecord]:
        rows = await self.fetchall(
            "SELECT id, given_at, platform, user_id, intent, vote, question FROM feedback "
            "WHERE given_at >= ? ORDER BY id LIMIT ?", (since or 0.0, limit))
        return [FeedbackRecord(*row) for row in rows]

    async def count_questions_by_day(self, *, since: float, utc_offset: int) -> list[tuple[int, str, int]]:
        rows = await self.fetchall(QUESTIONS_BY_DAY.format(day="CAST((asked_at + ?) / 86400 AS INTEGER)", p="?"),
                                   (utc_offset, since))
        return [(int(day), band, int(n)) for day, band, n in rows]

    async def count_question_texts(self, *, since: float, bands: Sequence[str]) -> list[tuple[str, str, int, float]]:
        rows = await self.fetchall(QUESTION_TEXTS.format(p="?", bands=", ".join("?" for _ in bands)),
                                   (since, *bands))
        return [(text, band, int(n), float(last)) for text, band, n, last in rows]

    async def purge_questions(self, *, older_than: float) -> int:
        cursor = await self.execute("DELETE FROM questions WHERE asked_at < ?", (older_than,))
        await self.execute("DELETE FROM feedback WHERE given_at < ?", (older_than,))
        return cursor.rowcount

    async def purge_expired(self, *, older_than: float, offers_older_than: float) -> int:
        raw_paths = ", ".join(f"'$.{key}'" for key in RAW_QUESTION_KEYS)
        removed = 0
        for sql, params in (
            ("DELETE FROM questions WHERE asked_at < ?", (older_than,)),
            ("DELETE FROM feedback WHERE given_at < ?", (older_than,)),
            ("DELETE FROM conversation_state WHERE updated_at < ?", (older_than,)),
            ("DELETE FROM deliveries WHERE seen_at < ?", (older_than,)),
            ("DELETE FROM expert_questions WHERE asked_at < ?", (older_than,)),
            ("DELETE FROM conversation_refs WHERE updated_at < ? "
             "AND substr(key, 1, length(platform) + ?) = platform || ?",
             (older_than, len(PERSONAL_REF_KIND) + 2, f":{PERSONAL_REF_KIND}:")),
            (f"UPDATE conversation_state SET state = json_remove(state, {raw_paths}) "
             f"WHERE updated_at < ? AND json_extract(state, '$.{RAW_QUESTION_KEYS[0]}') IS NOT NULL",
             (offers_older_than,)),
        ):  # one statement at a time: each is complete on its own, and a long purge blocks no turn
            cursor = await self.execute(sql, params)
            removed += max(cursor.rowcount, 0)
        # The old page images stay in the write-ahead log until a checkpoint: write them back
        # (zeroed) and empty the log.
        await self.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    # -- ask the security team ------------------------------------------------------------------
    _EXPERT_COLUMNS = "id, asked_at, platform, user_id, conversation_id, lang, question, status, answer, answered_by, answered_at"

    async def create_expert_question(self, *, platform: str, user_id: str, conversation_id: str, lang: str,
                                     question: str) -> ExpertQuestion:
        pending = f"pending-{time.time_ns()}"
        seq, _ = await self.transaction([
            ("INSERT INTO expert_questions (id, asked_at, platform, user_id, conversation_id, lang, question) "
             "VALUES (?, ?, ?, ?, ?, ?, ?)", (pending, time.time(), platform, user_id, conversation_id, lang, question)),
            ("UPDATE expert_questions SET id = 'Q-' || seq WHERE id = ?", (pending,)),
        ])
        row = await self.fetchone(f"SELECT {self._EXPERT_COLUMNS} FROM expert_questions WHERE seq = ?", (seq,))
        return ExpertQuestion(*row)

    async def get_expert_question(self, question_id: str) -> ExpertQuestion | None:
        row = await self.fetchone(f"SELECT {self._EXPERT_COLUMNS} FROM expert_questions WHERE id = ?",
                                  (question_id.upper(),))
        return ExpertQuestion(*row) if row else None

    async def answer_expert_question(self, question_id: str, *, answer: str, answered_by: str) -> ExpertQuestion | None:
        await self.execute("UPDATE expert_questions SET status = 'answered', answer = ?, answered_by = ?, answered_at = ? "
                           "WHERE id = ?", (answer, answered_by, time.time(), question_id.upper()))
        return await self.get_expert_question(question_id)

    async def list_expert_questions(self, *, status: str | None = None, limit: int = 100, platform: str | None = None,
                                    user_id: str | None = None) -> list[ExpertQuestion]:
        where, params = [], []
        for column, value in (("status", status), ("platform", platform), ("user_id", user_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT {self._EXPERT_COLUMNS} FROM expert_questions" + (f" WHERE {' AND '.join(where)}" if where else "")
        rows = await self.fetchall(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit])
        return [ExpertQuestion(*row) for row in rows]

    async def claim_delivery(self, delivery_id: str) -> bool:
        cursor = await self.execute("INSERT OR IGNORE INTO deliveries (id, seen_at) VALUES (?, ?)",
                                    (delivery_id, time.time()))
        return cursor.rowcount == 1

    async def release_delivery(self, delivery_id: str) -> None:
        await self.execute("DELETE FROM deliveries WHERE id = ?", (delivery_id,))

    async def check_writable(self) -> None:
        """A committed write of one scratch row, and the file is still the one that was opened."""
        await self.execute("INSERT INTO deliveries (id, seen_at) VALUES (?, ?) "
                           "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at", (PROBE_ID, time.time()))
        self._check_file()

    # -- conversation references (proactive messages) ---------------------------------------
    async def save_conversation_ref(self, key: str, ref: Mapping[str, Any], *, platform: str) -> None:
        await self.execute(
            "INSERT INTO conversation_refs (key, platform, ref, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET platform = excluded.platform, ref = excluded.ref, "
            "updated_at = excluded.updated_at",
            (key, platform, json.dumps(ref, ensure_ascii=False), time.time()),
        )

    async def get_conversation_ref(self, key: str) -> dict[str, Any] | None:
        row = await self.fetchone("SELECT ref FROM conversation_refs WHERE key = ?", (key,))
        return json.loads(row[0]) if row else None


@dataclass(frozen=True)
class Written:
    """What a write reports back (the cursor's): rows changed, the id of an inserted row."""

    rowcount: int
    lastrowid: int | None


def _run_batch(conn: sqlite3.Connection, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Written | Exception]:
    """In the connection's thread: the statements in one transaction, each failing on its own.

    A statement that fails is undone by SQLite alone (its statement journal) unless the error
    ends the whole transaction (a full disk): then every statement in it fails."""
    results: list[Written | Exception] = []
    with _immediate_transaction(conn):
        for sql, params in statements:
            try:
                cursor = conn.execute(sql, params)
            except DRIVER_ERRORS as exc:
                if not conn.in_transaction:
                    raise
                results.append(exc)
            else:
                results.append(Written(cursor.rowcount, cursor.lastrowid))
                cursor.close()
    return results


def _run_transaction(conn: sqlite3.Connection, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int | None]:
    """In the connection's thread: all the statements or none; each one's lastrowid."""
    ids: list[int | None] = []
    with _immediate_transaction(conn):
        for sql, params in statements:
            cursor = conn.execute(sql, params)
            ids.append(cursor.lastrowid)
            cursor.close()
    return ids


@contextmanager
def _immediate_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error. SQLite may already have rolled back
    (SQLITE_FULL does): then the real error is kept, not a failing ROLLBACK."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# What the driver raises for bad data too: a lone surrogate cannot be encoded (UnicodeEncodeError),
# an integer too large for SQLite (OverflowError).
DRIVER_ERRORS = (sqlite3.Error, UnicodeError, OverflowError)


def _explain(exc: Exception, path: str) -> str:
    message = str(exc)
    if "disk is full" in message or "database or disk is full" in message:
        return f"the disk holding {path} is full: free some space (nothing was saved)"
    if "readonly" in message:
        return f"the database {path} is read-only"
    if "locked" in message:
        return f"the database {path} is busy (locked by another process)"
    if isinstance(exc, UnicodeError):
        return f"text that is not valid Unicode cannot be saved in {path} (nothing was saved)"
    return f"database error on {path}: {message}"


def _prepared(path: str) -> Path:
    """The database file's path with its folder created (blocking: run in a thread)."""
    target = Path(path).expanduser()
    prepare_folder(target)
    return target

"""PostgreSQL store (asyncpg): the same interface and behaviour as SqliteStore, for many replicas.

Several secbot processes can share one database: incident ids come from a row-locked per-day
counter, delivery claims from a primary key, migrations run under an advisory lock, and the
audit log is append-only by trigger. Connections come from a pool that replaces dead ones;
an operation that fails on a lost connection is retried once when a retry cannot double it
(writes that create rows carry a random request token so a retry finds its own first
attempt). When the server is unreachable every method raises StoreError with the host, never
the password.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import asyncpg

from bot.store.base import PROBE_ID, ExpertQuestion, FeedbackRecord, QuestionRecord, StoreError, redact_url
from bot.store.checkups import (
    CheckupFigures,
    CheckupRecord,
    LatestCheckup,
    figures_from_totals,
    org_key,
    summary_items,
    weakest_area,
)
from bot.store.incidents import (
    AuditEntry,
    IncidentRecord,
    TimelineEntry,
    format_incident_id,
    incident_day,
    record_from_row,
)
from bot.store.migrations import migrations
from bot.store.retention import PERSONAL_REF_KIND, RAW_QUESTION_KEYS
from bot.store.sqlite_checkups import (
    LATEST_SQL,
    LATEST_UPSERT,
    QUESTION_TEXTS,
    QUESTIONS_BY_DAY,
    TOTALS_ADD,
    TOTALS_SQL,
    TOTALS_SUBTRACT,
    checkup_record,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Op = Callable[[asyncpg.Connection], Awaitable[T]]

# pg_advisory_lock key held while migrating ("secbot" in hex-ish); per database.
MIGRATION_LOCK_KEY = 0x5EC_B07_D_B
RETRY_PAUSE_SECONDS = 0.2

_SCHEMA_VERSION_DDL = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                       "applied_at DOUBLE PRECISION NOT NULL)")
_INCIDENT_COLUMNS = ("id, created_at, updated_at, closed_at, status, reporter, reporter_name, platform, channel, lang, "
                     "incident_type, answers, result")
_EXPERT_COLUMNS = "id, asked_at, platform, user_id, conversation_id, lang, question, status, answer, answered_by, answered_at"
_QUESTION_COLUMNS = "id, asked_at, platform, lang, text, band, intent, score"
_CHECKUP_COLUMNS = ("id, created_at, respondent, platform, organization, set_id, lang, answers, scores, "
                    "respondent_name")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # key order kept (TEXT, not JSONB): answers stay in form order


def _token() -> str:
    return uuid.uuid4().hex


def _rowcount(status: str) -> int:
    """asyncpg's command status ('DELETE 3', 'INSERT 0 1') -> the row count."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except (ValueError, IndexError):
        return 0


def describe_server(url: str) -> str:
    """'host:port/database' for messages (never the password)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port or 5432
    except ValueError:
        return redact_url(url)
    if not host:
        return redact_url(url)
    database = unquote(parts.path.lstrip("/")) or unquote(parts.username or "") or "postgres"
    return f"{host}:{port}/{database}"


def is_connection_error(exc: BaseException, conn: asyncpg.Connection | None = None) -> bool:
    """Errors meaning 'the server or the network went away', as opposed to a bad query."""
    if isinstance(exc, (OSError, asyncio.TimeoutError, asyncpg.PostgresConnectionError,
                        asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError, asyncpg.CrashShutdownError,
                        asyncpg.TooManyConnectionsError)):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return conn is None or conn.is_closed() or "closed" in str(exc)
    return False


@dataclass(frozen=True)
class _Lost:
    """A connection lost during one try; `sent`: the operation may have reached the server."""

    error: BaseException
    sent: bool


class PostgresStore:
    """Store on PostgreSQL via an asyncpg pool. `url` is a libpq-style postgresql:// URL."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10, connect_timeout: float = 5.0,
                 command_timeout: float = 30.0, acquire_timeout: float = 30.0):
        self.url = url
        self.where = describe_server(url)
        self.min_size = min_size
        self.max_size = max_size
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.acquire_timeout = acquire_timeout
        self.applied_now: list[int] = []  # migrations this process applied when it opened the store
        self._pool: asyncpg.Pool | None = None

    # -- lifecycle ------------------------------------------------------------------------
    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=self.min_size, max_size=self.max_size, timeout=self.connect_timeout,
                command_timeout=self.command_timeout, server_settings={"application_name": "secbot"})
        except Exception as exc:  # noqa: BLE001 - any failure to connect becomes one clear message
            raise StoreError(self._cannot_connect(exc)) from None
        try:
            self.applied_now = await self._migrate()
            await self.summarize_saved_checkups()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        try:
            await asyncio.wait_for(pool.close(), timeout=10)
        except (TimeoutError, Exception):  # noqa: BLE001 - the server may be gone: drop the sockets
            pool.terminate()

    def _require(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreError("the store is not open")
        return self._pool

    def _cannot_connect(self, exc: BaseException) -> str:
        user = urlsplit(self.url).username if "://" in self.url else None
        if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
            return f"cannot log in to the PostgreSQL database at {self.where}{f' as {user}' if user else ''}: {exc}"
        if isinstance(exc, asyncpg.InvalidCatalogNameError):
            return f"the PostgreSQL database at {self.where} does not exist: {exc} (create it first)"
        return f"cannot reach the PostgreSQL database at {self.where}: {_reason(exc)}"

    def _unreachable(self, exc: BaseException) -> str:
        return (f"the PostgreSQL database at {self.where} is unreachable ({_reason(exc)}); "
                "nothing was changed by this request, try again shortly")

    def _failed(self, exc: asyncpg.PostgresError) -> str:
        if isinstance(exc, asyncpg.DiskFullError):
            return f"the PostgreSQL server for {self.where} is out of disk space: nothing was saved"
        if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
            return f"the PostgreSQL database at {self.where} is read-only (a standby?): nothing was saved"
        return f"database error on {self.where}: {exc}"

    # -- running operations -----------------------------------------------------------------
    async def _run(self, op: Op[T], *, retry: bool = True) -> T:
        """Run `op` on a pooled connection; connection failures become StoreError.

        A failure before the operation was sent (no connection) is always retried once; one during
        it only when `retry` says the operation is safe to run twice."""
        pool = self._require()
        outcome = await self._attempt(pool, op)
        if not isinstance(outcome, _Lost):
            return outcome
        if retry or not outcome.sent:
            log.warning("postgres: connection to %s lost (%s); retrying once", self.where, _reason(outcome.error))
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            outcome = await self._attempt(pool, op)
            if not isinstance(outcome, _Lost):
                return outcome
        if outcome.sent and not retry:
            raise StoreError(f"the connection to the PostgreSQL database at {self.where} was lost during a write "
                             f"({_reason(outcome.error)}); it may not have been saved") from None
        raise StoreError(self._unreachable(outcome.error)) from None

    async def _attempt(self, pool: asyncpg.Pool, op: Op[T]) -> T | _Lost:
        """One try of `op`: its result, or the lost connection (any other failure is a StoreError)."""
        try:
            conn = await pool.acquire(timeout=self.acquire_timeout)
        except Exception as exc:  # noqa: BLE001
            if not is_connection_error(exc):
                raise StoreError(self._failed(exc) if isinstance(exc, asyncpg.PostgresError)
                                 else f"database error on {self.where}: {exc}") from None
            return _Lost(exc, sent=False)
        try:
            return await op(conn)
        except asyncpg.PostgresError as exc:
            if not is_connection_error(exc, conn):
                raise StoreError(self._failed(exc)) from exc
            return _Lost(exc, sent=True)
        except asyncpg.InternalClientError as exc:
            # The server ended the session while the connection sat idle (a restart, a
            # failover, pg_terminate_backend): asyncpg refuses to start the operation,
            # so nothing was sent. Drop the connection; the pool opens a new one.
            conn.terminate()
            return _Lost(exc, sent=False)
        except Exception as exc:
            if not is_connection_error(exc, conn):
                # Bad data the driver refuses (a lone surrogate, a NUL): a clear StoreError.
                raise StoreError(f"database error on {self.where}: {type(exc).__name__}: {exc}") from exc
            return _Lost(exc, sent=True)
        finally:
            await self._release(pool, conn)

    @staticmethod
    async def _release(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
        try:
            await pool.release(conn)
        except Exception:  # noqa: BLE001 - a dead connection is terminated and replaced by the pool
            conn.terminate()

    # -- generic helpers (`$1` placeholders), like SqliteStore's --------------------------------
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> str:
        """Run one statement (not retried after it was sent); returns the command status."""
        return await self._run(lambda c: c.execute(sql, *params), retry=False)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        return await self._run(lambda c: c.fetch(sql, *params), retry=False)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        return await self._run(lambda c: c.fetchrow(sql, *params), retry=False)

    async def transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[str]:
        """Run statements atomically; returns each statement's command status."""
        async def op(conn: asyncpg.Connection) -> list[str]:
            async with conn.transaction():
                return [await conn.execute(sql, *params) for sql, params in statements]
        return await self._run(op, retry=False)

    # -- migrations -------------------------------------------------------------------------
    async def _migrate(self) -> list[int]:
        """Apply every migration not yet recorded, one transaction each, under an advisory lock."""
        async def op(conn: asyncpg.Connection) -> list[int]:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            try:
                await conn.execute(_SCHEMA_VERSION_DDL)
                applied = {row[0] for row in await conn.fetch("SELECT version FROM schema_version")}
                done: list[int] = []
                for version, name, sql in migrations("postgres"):
                    if version in applied:
                        continue
                    try:
                        async with conn.transaction():
                            await conn.execute(sql)
                            await conn.execute("INSERT INTO schema_version (version, name, applied_at) "
                                               "VALUES ($1, $2, $3)", version, name, time.time())
                    except asyncpg.PostgresError as exc:
                        if is_connection_error(exc, conn):
                            raise
                        raise StoreError(f"migration {version:04d}_{name} failed on {self.where}: {exc}") from None
                    log.info("postgres: applied migration %04d_%s", version, name)
                    done.append(version)
                return done
            finally:
                if not conn.is_closed():
                    try:
                        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
                    except Exception:  # noqa: BLE001 - the lock dies with the session anyway
                        conn.terminate()
        return await self._run(op)

    async def schema_versions(self) -> list[tuple[int, str, float]]:
        """(version, name, applied_at) of every applied migration, in order."""
        rows = await self._run(lambda c: c.fetch("SELECT version, name, applied_at FROM schema_version ORDER BY version"))
        return [(row[0], row[1], row[2]) for row in rows]

    # -- conversation state -------------------------------------------------------------
    async def get_state(self, key: str) -> dict[str, Any]:
        raw = await self._run(lambda c: c.fetchval("SELECT state FROM conversation_state WHERE key = $1", key))
        return json.loads(raw) if raw else {}

    async def put_state(self, key: str, state: Mapping[str, Any]) -> None:
        text = json.dumps(state, ensure_ascii=False)
        await self._run(lambda c: c.execute(
            "INSERT INTO conversation_state (key, state, updated_at) VALUES ($1, $2, $3) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            key, text, time.time()))

    async def delete_state(self, key: str) -> None:
        await self._run(lambda c: c.execute("DELETE FROM conversation_state WHERE key = $1", key))

    # -- questions and feedback -----------------------------------------------------------
    async def record_question(self, *, platform: str, lang: str | None, text: str, band: str,
                              intent: str | None, score: float | None) -> int:
        return int(await self._run(lambda c: c.fetchval(
            "INSERT INTO questions (asked_at, platform, lang, text, band, intent, score) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            time.time(), platform, lang, text, band, intent, score), retry=False))

    async def list_questions(self, *, since: float | None = None, bands: Sequence[str] | None = None,
                             limit: int = 10_000) -> list[QuestionRecord]:
        sql = f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE asked_at >= $1"
        params: list[Any] = [since or 0.0]
        if bands:
            sql += " AND band = ANY($2::text[])"
            params.append(list(bands))
        sql += f" ORDER BY id LIMIT ${len(params) + 1}"
        params.append(limit)
        rows = await self._run(lambda c: c.fetch(sql, *params))
        return [QuestionRecord(*row) for row in rows]

    async def record_feedback(self, *, platform: str, user_id: str, intent: str | None, vote: str,
                              question: str | None) -> int:
        return int(await self._run(lambda c: c.fetchval(
            "INSERT INTO feedback (given_at, platform, user_id, intent, vote, question) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            time.time(), platform, user_id, intent, vote, question), retry=False))

    async def list_feedback(self, *, since: float | None = None, limit: int = 10_000) -> list[FeedbackRecord]:
        rows = await self._run(lambda c: c.fetch(
            "SELECT id, given_at, platform, user_id, intent, vote, question FROM feedback "
            "WHERE given_at >= $1 ORDER BY id LIMIT $2", since or 0.0, limit))
        return [FeedbackRecord(*row) for row in rows]

    async def count_questions_by_day(self, *, since: float, utc_offset: int) -> list[tuple[int, str, int]]:
        rows = await self.fetchall(QUESTIONS_BY_DAY.format(day="FLOOR((asked_at + $1) / 86400)::BIGINT", p="$2"),
                                   (utc_offset, since))
        return [(int(day), band, int(n)) for day, band, n in rows]

    async def count_question_texts(self, *, since: float, bands: Sequence[str]) -> list[tuple[str, str, int, float]]:
        rows = await self.fetchall(QUESTION_TEXTS.format(p="$1", bands="SELECT unnest($2::text[])"),
                                   (since, list(bands)))
        return [(text, band, int(n), float(last)) for text, band, n, last in rows]

    async def purge_questions(self, *, older_than: float) -> int:
        async def op(conn: asyncpg.Connection) -> int:
            async with conn.transaction():
                status = await conn.execute("DELETE FROM questions WHERE asked_at < $1", older_than)
                await conn.execute("DELETE FROM feedback WHERE given_at < $1", older_than)
            return _rowcount(status)
        return await self._run(op)

    async def purge_expired(self, *, older_than: float, offers_older_than: float) -> int:
        deletes = (("questions", "asked_at"), ("feedback", "given_at"), ("conversation_state", "updated_at"),
                   ("deliveries", "seen_at"), ("expert_questions", "asked_at"))

        async def op(conn: asyncpg.Connection) -> int:
            async with conn.transaction():
                statuses = [await conn.execute(f"DELETE FROM {table} WHERE {column} < $1", older_than)
                            for table, column in deletes]
                statuses.append(await conn.execute(
                    "DELETE FROM conversation_refs WHERE updated_at < $1 AND starts_with(key, platform || $2)",
                    older_than, f":{PERSONAL_REF_KIND}:"))
                statuses.append(await conn.execute(
                    "UPDATE conversation_state SET state = ((state::jsonb) - $2::text[])::text "
                    "WHERE updated_at < $1 AND (state::jsonb) ? $3",
                    offers_older_than, list(RAW_QUESTION_KEYS), RAW_QUESTION_KEYS[0]))
            return sum(_rowcount(status) for status in statuses)
        return await self._run(op)

    # -- ask the security team ------------------------------------------------------------------
    async def create_expert_question(self, *, platform: str, user_id: str, conversation_id: str, lang: str,
                                     question: str) -> ExpertQuestion:
        token = _token()

        async def op(conn: asyncpg.Connection) -> asyncpg.Record:
            row = await conn.fetchrow(
                "WITH s AS (SELECT nextval(pg_get_serial_sequence('expert_questions', 'seq')) AS n) "
                "INSERT INTO expert_questions (seq, id, asked_at, platform, user_id, conversation_id, lang, question, "
                "request_token) SELECT n, 'Q-' || n, $1, $2, $3, $4, $5, $6, $7 FROM s "
                f"ON CONFLICT (request_token) DO NOTHING RETURNING {_EXPERT_COLUMNS}",
                time.time(), platform, user_id, conversation_id, lang, question, token)
            if row is None:  # a retry: the first attempt was committed
                row = await conn.fetchrow(f"SELECT {_EXPERT_COLUMNS} FROM expert_questions WHERE request_token = $1",
                                          token)
            return row
        return ExpertQuestion(*await self._run(op))

    async def get_expert_question(self, question_id: str) -> ExpertQuestion | None:
        row = await self._run(lambda c: c.fetchrow(
            f"SELECT {_EXPERT_COLUMNS} FROM expert_questions WHERE id = $1", question_id.upper()))
        return ExpertQuestion(*row) if row else None

    async def answer_expert_question(self, question_id: str, *, answer: str, answered_by: str) -> ExpertQuestion | None:
        row = await self._run(lambda c: c.fetchrow(
            "UPDATE expert_questions SET status = 'answered', answer = $1, answered_by = $2, answered_at = $3 "
            f"WHERE id = $4 RETURNING {_EXPERT_COLUMNS}", answer, answered_by, time.time(), question_id.upper()))
        return ExpertQuestion(*row) if row else None

    async def list_expert_questions(self, *, status: str | None = None, limit: int = 100, platform: str | None = None,
                                    user_id: str | None = None) -> list[ExpertQuestion]:
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("status", status), ("platform", platform), ("user_id", user_id)):
            if value:
                params.append(value)
                where.append(f"{column} = ${len(params)}")
        sql = (f"SELECT {_EXPERT_COLUMNS} FROM expert_questions" + (f" WHERE {' AND '.join(where)}" if where else "")
               + f" ORDER BY seq DESC LIMIT ${len(params) + 1}")
        rows = await self._run(lambda c: c.fetch(sql, *params, limit))
        return [ExpertQuestion(*row) for row in rows]

    # -- delivery de-duplication ------------------------------------------------------------
    async def claim_delivery(self, delivery_id: str) -> bool:
        """True for exactly one claim of an id across every process sharing the database."""
        token = _token()
        # If our first attempt was committed but its answer lost, the retry finds our own token.
        claimant = await self._run(lambda c: c.fetchval(
            "WITH ins AS (INSERT INTO deliveries (id, seen_at, claimant) VALUES ($1, $2, $3) "
            "ON CONFLICT (id) DO NOTHING RETURNING claimant) "
            "SELECT claimant FROM ins UNION ALL SELECT claimant FROM deliveries WHERE id = $1 LIMIT 1",
            delivery_id, time.time(), token))
        return claimant == token

    async def release_delivery(self, delivery_id: str) -> None:
        await self._run(lambda c: c.execute("DELETE FROM deliveries WHERE id = $1", delivery_id))

    async def check_writable(self) -> None:
        """A committed write of one scratch row: a read-only standby or a full disk fails it."""
        await self._run(lambda c: c.execute(
            "INSERT INTO deliveries (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            PROBE_ID, time.time()))

    # -- conversation references (proactive messages) ---------------------------------------
    async def save_conversation_ref(self, key: str, ref: Mapping[str, Any], *, platform: str) -> None:
        text = json.dumps(ref, ensure_ascii=False)
        await self._run(lambda c: c.execute(
            "INSERT INTO conversation_refs (key, platform, ref, updated_at) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (key) DO UPDATE SET platform = excluded.platform, ref = excluded.ref, "
            "updated_at = excluded.updated_at", key, platform, text, time.time()))

    async def get_conversation_ref(self, key: str) -> dict[str, Any] | None:
        raw = await self._run(lambda c: c.fetchval("SELECT ref FROM conversation_refs WHERE key = $1", key))
        return json.loads(raw) if raw else None

    # -- incidents --------------------------------------------------------------------------
    async def create_incident(self, *, reporter: str, platform: str, lang: str, answers: Mapping[str, str],
                              result: Mapping[str, Any], reporter_name: str | None = None,
                              channel: str | None = None, now: float | None = None) -> IncidentRecord:
        """Record a completed triage (incident, first timeline entry, audit entry) in one transaction."""
        at = time.time() if now is None else now
        day = incident_day(at)
        incident_type = answers.get("incident_type")
        token = _token()

        async def op(conn: asyncpg.Connection) -> IncidentRecord:
            async with conn.transaction():
                incident_id = await conn.fetchval("SELECT id FROM incidents WHERE request_token = $1", token)
                if incident_id is None:
                    # The counter row stays locked until commit: concurrent creators queue here.
                    seq = await conn.fetchval(
                        "INSERT INTO incident_days (day, seq) VALUES ($1, 1) "
                        "ON CONFLICT (day) DO UPDATE SET seq = incident_days.seq + 1 RETURNING seq", day)
                    incident_id = format_incident_id(day, seq)
                    await conn.execute(
                        f"INSERT INTO incidents ({_INCIDENT_COLUMNS}, request_token) "
                        "VALUES ($1, $2, $2, NULL, 'open', $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        incident_id, at, reporter, reporter_name, platform, channel, lang, incident_type,
                        _json(dict(answers)), _json(dict(result)), token)
                    await conn.execute("INSERT INTO incident_timeline (incident_id, at, actor, kind, text) "
                                       "VALUES ($1, $2, $3, 'created', '')", incident_id, at, reporter)
                    await conn.execute(
                        "INSERT INTO audit_log (at, actor, action, target, details) "
                        "VALUES ($1, $2, 'incident.created', $3, $4)", at, reporter, incident_id,
                        _json({"platform": platform, "channel": channel, "incident_type": incident_type}))
            record = await _fetch_incident(conn, incident_id)
            assert record is not None
            return record
        return await self._run(op)

    async def get_incident(self, incident_id: str) -> IncidentRecord | None:
        return await self._run(lambda c: _fetch_incident(c, incident_id))

    async def list_incidents(self, status: str | None = None, *, limit: int = 100) -> list[IncidentRecord]:
        """Newest first; `status` is 'open', 'closed' or None for all."""
        if status:
            rows = await self._run(lambda c: c.fetch(
                f"SELECT {_INCIDENT_COLUMNS} FROM incidents WHERE status = $1 "
                "ORDER BY created_at DESC, id DESC LIMIT $2", status, limit))
        else:
            rows = await self._run(lambda c: c.fetch(
                f"SELECT {_INCIDENT_COLUMNS} FROM incidents ORDER BY created_at DESC, id DESC LIMIT $1", limit))
        return [record_from_row(row, ()) for row in rows]

    async def list_timeline(self, incident_id: str) -> list[TimelineEntry]:
        return await self._run(lambda c: _fetch_timeline(c, incident_id))

    async def add_note(self, incident_id: str, *, actor: str, text: str, now: float | None = None) -> TimelineEntry | None:
        """None if there is no such incident."""
        at = time.time() if now is None else now
        token = _token()

        async def op(conn: asyncpg.Connection) -> TimelineEntry | None:
            async with conn.transaction():
                entry_id = await conn.fetchval("SELECT id FROM incident_timeline WHERE request_token = $1", token)
                if entry_id is None:
                    found = await conn.fetchval("UPDATE incidents SET updated_at = $1 WHERE id = $2 RETURNING id",
                                                at, incident_id)
                    if found is None:
                        return None
                    entry_id = await conn.fetchval(
                        "INSERT INTO incident_timeline (incident_id, at, actor, kind, text, request_token) "
                        "VALUES ($1, $2, $3, 'note', $4, $5) RETURNING id", incident_id, at, actor, text, token)
                    await conn.execute("INSERT INTO audit_log (at, actor, action, target, details) "
                                       "VALUES ($1, $2, 'incident.note', $3, $4)",
                                       at, actor, incident_id, _json({"length": len(text)}))
            return TimelineEntry(int(entry_id), incident_id, at, actor, "note", text)
        return await self._run(op)

    async def close_incident(self, incident_id: str, *, actor: str, note: str | None = None,
                             now: float | None = None) -> IncidentRecord | None:
        """Close an open incident (a closed one is returned unchanged); None if there is none."""
        at = time.time() if now is None else now

        async def op(conn: asyncpg.Connection) -> IncidentRecord | None:
            async with conn.transaction():
                closed = await conn.fetchval(
                    "UPDATE incidents SET status = 'closed', closed_at = $1, updated_at = $1 "
                    "WHERE id = $2 AND status = 'open' RETURNING id", at, incident_id)
                if closed is not None:  # only the first closer writes the timeline and the audit entry
                    await conn.execute("INSERT INTO incident_timeline (incident_id, at, actor, kind, text) "
                                       "VALUES ($1, $2, $3, 'closed', $4)", incident_id, at, actor, note or "")
                    await conn.execute("INSERT INTO audit_log (at, actor, action, target, details) "
                                       "VALUES ($1, $2, 'incident.closed', $3, '{}')", at, actor, incident_id)
            return await _fetch_incident(conn, incident_id)
        return await self._run(op)

    async def append_audit(self, actor: str, action: str, target: str | None = None,
                           details: Mapping[str, Any] | None = None) -> int:
        token = _token()
        text = _json(dict(details or {}))

        async def op(conn: asyncpg.Connection) -> int:
            entry_id = await conn.fetchval(
                "INSERT INTO audit_log (at, actor, action, target, details, request_token) "
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_token) DO NOTHING RETURNING id",
                time.time(), actor, action, target, text, token)
            if entry_id is None:  # a retry: the first attempt was committed
                entry_id = await conn.fetchval("SELECT id FROM audit_log WHERE request_token = $1", token)
            return int(entry_id)
        return await self._run(op)

    async def list_audit(self, target: str | None = None, *, limit: int = 1000) -> list[AuditEntry]:
        if target is not None:
            rows = await self._run(lambda c: c.fetch(
                "SELECT id, at, actor, action, target, details FROM audit_log WHERE target = $1 ORDER BY id LIMIT $2",
                target, limit))
        else:
            rows = await self._run(lambda c: c.fetch(
                "SELECT id, at, actor, action, target, details FROM audit_log ORDER BY id LIMIT $1", limit))
        return [AuditEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5] or "{}")) for row in rows]

    # -- checkup results (issue 8) and their summary rows (issue 15) -------------------------------
    async def save_checkup(self, *, respondent: str, platform: str, organization: str, set_id: str, lang: str,
                           answers: Mapping[str, str], scores: Mapping[str, Any], respondent_name: str | None = None,
                           now: float | None = None) -> CheckupRecord:
        """Store one completed checkup and its summary rows; a retry after a lost connection finds its first attempt."""
        at = time.time() if now is None else now
        token = _token()

        async def op(conn: asyncpg.Connection) -> asyncpg.Record:
            async with conn.transaction():
                row = await conn.fetchrow(
                    f"INSERT INTO checkup_results ({_CHECKUP_COLUMNS.removeprefix('id, ')}, request_token, org_key) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                    f"ON CONFLICT (request_token) DO NOTHING RETURNING {_CHECKUP_COLUMNS}",
                    at, respondent, platform, organization, set_id, lang, _json(dict(answers)), _json(dict(scores)),
                    respondent_name, token, org_key(organization))
                if row is None:  # a retry: the first attempt was committed, summary rows included
                    return await conn.fetchrow(f"SELECT {_CHECKUP_COLUMNS} FROM checkup_results "
                                               "WHERE request_token = $1", token)
                await _write_summary(conn, checkup_record(row))
                return row
        return checkup_record(await self._run(op))

    async def summarize_saved_checkups(self) -> None:
        """Summary rows for results saved before migration 0007 (run at open; usually finds none)."""
        async def op(conn: asyncpg.Connection) -> None:
            rows = await conn.fetch(f"SELECT {_CHECKUP_COLUMNS} FROM checkup_results WHERE org_key IS NULL ORDER BY id")
            for row in rows:
                record = checkup_record(row)
                async with conn.transaction():
                    status = await conn.execute("UPDATE checkup_results SET org_key = $1 WHERE id = $2 "
                                                "AND org_key IS NULL", org_key(record.organization), record.id)
                    if _rowcount(status):  # another process opening at once did not take this one
                        await _write_summary(conn, record)
        await self._run(op)

    async def list_checkups(self, *, respondent: str | None = None, platform: str | None = None,
                            set_id: str | None = None, since: float | None = None,
                            limit: int = 10_000) -> list[CheckupRecord]:
        """Newest first; `respondent` with `platform` gives one person's own results."""
        where: list[str] = ["created_at >= $1"]
        params: list[Any] = [since or 0.0]
        for column, value in (("respondent", respondent), ("platform", platform), ("set_id", set_id)):
            if value is not None:
                params.append(value)
                where.append(f"{column} = ${len(params)}")
        sql = (f"SELECT {_CHECKUP_COLUMNS} FROM checkup_results WHERE {' AND '.join(where)} "
               f"ORDER BY created_at DESC, id DESC LIMIT ${len(params) + 1}")
        rows = await self._run(lambda c: c.fetch(sql, *params, limit))
        return [checkup_record(row) for row in rows]

    async def checkup_counts(self) -> dict[str, int]:
        """Stored results per checkup set."""
        rows = await self.fetchall("SELECT set_id, COUNT(*) FROM checkup_results GROUP BY set_id")
        return {row[0]: int(row[1]) for row in rows}

    async def checkup_figures(self, set_id: str) -> CheckupFigures:
        async def op(conn: asyncpg.Connection) -> CheckupFigures:
            async with conn.transaction(isolation="repeatable_read", readonly=True):  # one snapshot for both
                results = await conn.fetchval("SELECT COUNT(*) FROM checkup_results WHERE set_id = $1", set_id)
                totals = await conn.fetch(TOTALS_SQL.format(p="$1"), set_id)
            return figures_from_totals(set_id, int(results), [tuple(row) for row in totals])
        return await self._run(op)

    async def list_latest_checkups(self, set_id: str, *, offset: int = 0, limit: int = 500) -> list[LatestCheckup]:
        # COLLATE "C": code point order, as SQLite and Python sort, whatever the database's locale.
        rows = await self.fetchall(LATEST_SQL.format(p1="$1", p2="$2", p3="$3", collate=' COLLATE "C"'),
                                   (set_id, limit, offset))
        return [LatestCheckup(*row) for row in rows]


async def _write_summary(conn: asyncpg.Connection, record: CheckupRecord) -> None:
    """The result's items, the set's totals and the organisation's latest row (in the caller's transaction)."""
    items = summary_items(record.answers, record.scores)
    if items:
        await conn.executemany("INSERT INTO checkup_result_items (result_id, kind, key, value) VALUES ($1, $2, $3, $4)",
                               [(record.id, *item) for item in items])
    keys = (record.set_id, org_key(record.organization), record.created_at, record.id)
    numbered = {"s": "$1", "k": "$2", "t": "$3", "new": "$4"}
    await conn.execute(TOTALS_SUBTRACT.format(**numbered), *keys)
    await conn.execute(TOTALS_ADD.format(**numbered), *keys)
    await conn.execute(LATEST_UPSERT.format(values="$1, $2, $3, $4, $5, $6, $7, $8, $9"),
                       record.set_id, org_key(record.organization), record.id, record.created_at, record.organization,
                       record.overall, weakest_area(record.scores), record.respondent, record.platform)


async def _fetch_timeline(conn: asyncpg.Connection, incident_id: str) -> list[TimelineEntry]:
    rows = await conn.fetch("SELECT id, incident_id, at, actor, kind, text FROM incident_timeline "
                            "WHERE incident_id = $1 ORDER BY at, id", incident_id)
    return [TimelineEntry(*row) for row in rows]


async def _fetch_incident(conn: asyncpg.Connection, incident_id: str) -> IncidentRecord | None:
    row = await conn.fetchrow(f"SELECT {_INCIDENT_COLUMNS} FROM incidents WHERE id = $1", incident_id)
    if row is None:
        return None
    return record_from_row(row, tuple(await _fetch_timeline(conn, incident_id)))



def _reason(exc: BaseException) -> str:
    """A short cause without the URL: 'connection refused', 'timed out', the server's words."""
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]

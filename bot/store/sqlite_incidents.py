"""Incident records on SQLite (mixed into SqliteStore; tables in migrations/0002_incidents.sql).

Every write is one `BEGIN IMMEDIATE` transaction on a WAL database with synchronous=FULL,
so when a method returns the record is on disk: a crash right after loses nothing. The id
counter is bumped in the same transaction as the insert, so ids stay unique even when
several processes create incidents at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.store.incidents import (
    ID_PREFIX,
    AuditEntry,
    IncidentRecord,
    TimelineEntry,
    incident_day,
    record_from_row,
)

_COLUMNS = ("id, created_at, updated_at, closed_at, status, reporter, reporter_name, platform, channel, lang, "
            "incident_type, answers, result")
# The id being created, computed inside the transaction from the day's counter.
_NEW_ID = "(SELECT ? || '-' || ? || '-' || printf('%04d', seq) FROM incident_days WHERE day = ?)"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # key order kept: answers stay in form order


class SqliteIncidentsMixin:
    """Needs `transaction`, `fetchone` and `fetchall` from SqliteStore."""

    if TYPE_CHECKING:  # provided by SqliteStore
        async def transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int | None]: ...
        async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
        async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    async def create_incident(self, *, reporter: str, platform: str, lang: str, answers: Mapping[str, str],
                              result: Mapping[str, Any], reporter_name: str | None = None,
                              channel: str | None = None, now: float | None = None) -> IncidentRecord:
        """Record a completed triage (incident, first timeline entry, audit entry) in one transaction."""
        at = time.time() if now is None else now
        day = incident_day(at)
        new_id = (ID_PREFIX, day, day)
        incident_type = answers.get("incident_type")
        ids = await self.transaction([
            ("INSERT INTO incident_days (day, seq) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET seq = seq + 1", (day,)),
            (f"INSERT INTO incidents ({_COLUMNS}) VALUES ({_NEW_ID}, ?, ?, NULL, 'open', ?, ?, ?, ?, ?, ?, ?, ?)",
             (*new_id, at, at, reporter, reporter_name, platform, channel, lang, incident_type, _json(dict(answers)),
              _json(dict(result)))),
            (f"INSERT INTO incident_timeline (incident_id, at, actor, kind, text) VALUES ({_NEW_ID}, ?, ?, 'created', '')",
             (*new_id, at, reporter)),
            (f"INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, 'incident.created', {_NEW_ID}, ?)",
             (at, reporter, *new_id, _json({"platform": platform, "channel": channel, "incident_type": incident_type}))),
        ])
        row = await self.fetchone("SELECT id FROM incidents WHERE rowid = ?", (ids[1],))
        record = await self.get_incident(row[0])
        assert record is not None
        return record

    async def get_incident(self, incident_id: str) -> IncidentRecord | None:
        row = await self.fetchone(f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            return None
        return record_from_row(row, tuple(await self.list_timeline(incident_id)))

    async def list_incidents(self, status: str | None = None, *, limit: int = 100) -> list[IncidentRecord]:
        """Newest first; `status` is 'open', 'closed' or None for all."""
        sql = f"SELECT {_COLUMNS} FROM incidents"
        params: list[Any] = []
        if status:
            sql += " WHERE status = ?"
            params.append(status)
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        params.append(limit)
        return [record_from_row(row, ()) for row in await self.fetchall(sql, params)]

    async def list_timeline(self, incident_id: str) -> list[TimelineEntry]:
        rows = await self.fetchall("SELECT id, incident_id, at, actor, kind, text FROM incident_timeline "
                                   "WHERE incident_id = ? ORDER BY at, id", (incident_id,))
        return [TimelineEntry(*row) for row in rows]

    async def add_note(self, incident_id: str, *, actor: str, text: str, now: float | None = None) -> TimelineEntry | None:
        """None if there is no such incident."""
        if await self.fetchone("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)) is None:
            return None
        at = time.time() if now is None else now
        ids = await self.transaction([
            ("INSERT INTO incident_timeline (incident_id, at, actor, kind, text) VALUES (?, ?, ?, 'note', ?)",
             (incident_id, at, actor, text)),
            ("UPDATE incidents SET updated_at = ? WHERE id = ?", (at, incident_id)),
            ("INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, 'incident.note', ?, ?)",
             (at, actor, incident_id, _json({"length": len(text)}))),
        ])
        return TimelineEntry(int(ids[0] or 0), incident_id, at, actor, "note", text)

    async def close_incident(self, incident_id: str, *, actor: str, note: str | None = None,
                             now: float | None = None) -> IncidentRecord | None:
        """Close an open incident (a closed one is returned unchanged); None if there is none.

        The status check is inside the transaction (`changes()` of the UPDATE), so two
        responders closing at once write one 'closed' entry."""
        at = time.time() if now is None else now
        await self.transaction([
            ("UPDATE incidents SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ? AND status = 'open'",
             (at, at, incident_id)),
            ("INSERT INTO incident_timeline (incident_id, at, actor, kind, text) SELECT ?, ?, ?, 'closed', ? "
             "WHERE changes() = 1", (incident_id, at, actor, note or "")),
            ("INSERT INTO audit_log (at, actor, action, target, details) SELECT ?, ?, 'incident.closed', ?, '{}' "
             "WHERE changes() = 1", (at, actor, incident_id)),
        ])
        return await self.get_incident(incident_id)

    async def append_audit(self, actor: str, action: str, target: str | None = None,
                           details: Mapping[str, Any] | None = None) -> int:
        ids = await self.transaction([
            ("INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)",
             (time.time(), actor, action, target, _json(dict(details or {})))),
        ])
        return int(ids[0] or 0)

    async def list_audit(self, target: str | None = None, *, limit: int = 1000) -> list[AuditEntry]:
        sql = "SELECT id, at, actor, action, target, details FROM audit_log"
        params: list[Any] = []
        if target is not None:
            sql += " WHERE target = ?"
            params.append(target)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        return [AuditEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5] or "{}"))
                for row in await self.fetchall(sql, params)]


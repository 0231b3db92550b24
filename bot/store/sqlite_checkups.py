"""Checkup results on SQLite (mixed into SqliteStore; table in migrations/sqlite/0004_checkup.sql)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.store.checkups import CheckupRecord

_COLUMNS = "id, created_at, respondent, platform, organization, set_id, lang, answers, scores, respondent_name"


class SqliteCheckupsMixin:
    """Needs `transaction` and `fetchall` from SqliteStore."""

    if TYPE_CHECKING:  # provided by SqliteStore
        async def transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int | None]: ...
        async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    async def save_checkup(self, *, respondent: str, platform: str, organization: str, set_id: str, lang: str,
                           answers: Mapping[str, str], scores: Mapping[str, Any], respondent_name: str | None = None,
                           now: float | None = None) -> CheckupRecord:
        """Store one completed checkup (committed when this returns)."""
        at = time.time() if now is None else now
        [row_id] = await self.transaction([(
            f"INSERT INTO checkup_results ({_COLUMNS.removeprefix('id, ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, respondent, platform, organization, set_id, lang, json.dumps(dict(answers), ensure_ascii=False),
             json.dumps(dict(scores), ensure_ascii=False), respondent_name))])
        return CheckupRecord(id=int(row_id or 0), created_at=at, respondent=respondent, platform=platform,
                             organization=organization, set_id=set_id, lang=lang, answers=dict(answers),
                             scores=dict(scores), respondent_name=respondent_name)

    async def list_checkups(self, *, respondent: str | None = None, platform: str | None = None,
                            set_id: str | None = None, since: float | None = None,
                            limit: int = 10_000) -> list[CheckupRecord]:
        """Newest first; `respondent` with `platform` gives one person's own results."""
        where: list[str] = ["created_at >= ?"]
        params: list[Any] = [since or 0.0]
        for column, value in (("respondent", respondent), ("platform", platform), ("set_id", set_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        rows = await self.fetchall(f"SELECT {_COLUMNS} FROM checkup_results WHERE {' AND '.join(where)} "
                                   "ORDER BY created_at DESC, id DESC LIMIT ?", [*params, limit])
        return [checkup_record(row) for row in rows]


def checkup_record(row: Sequence[Any]) -> CheckupRecord:
    (row_id, created_at, respondent, platform, organization, set_id, lang, answers, scores, respondent_name) = row
    return CheckupRecord(id=int(row_id), created_at=created_at, respondent=respondent, platform=platform,
                         organization=organization, set_id=set_id, lang=lang, answers=json.loads(answers),
                         scores=json.loads(scores), respondent_name=respondent_name)

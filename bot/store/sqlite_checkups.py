"""Checkup results on SQLite (mixed into SqliteStore; tables in migrations/sqlite/0004 and 0007)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.store.checkups import (
    CheckupFigures,
    CheckupRecord,
    LatestCheckup,
    figures_from_totals,
    org_key,
    summary_items,
    weakest_area,
)

_COLUMNS = "id, created_at, respondent, platform, organization, set_id, lang, answers, scores, respondent_name"
Statement = tuple[str, Sequence[Any]]
# The newer result wins; (created_at, id) orders two saved in the same instant.
LATEST_UPSERT = ("INSERT INTO checkup_latest (set_id, org_key, result_id, created_at, organization, overall, weakest, "
                 "respondent, platform) VALUES ({values}) ON CONFLICT (set_id, org_key) DO UPDATE SET "
                 "result_id = excluded.result_id, created_at = excluded.created_at, organization = excluded.organization, "
                 "overall = excluded.overall, weakest = excluded.weakest, respondent = excluded.respondent, "
                 "platform = excluded.platform WHERE (excluded.created_at, excluded.result_id) > "
                 "(checkup_latest.created_at, checkup_latest.result_id)")
# Keeping checkup_totals the sum of the latest results' items (both dialects: {s} set, {k} org key,
# {t} created_at, {new} the new result's id). Run after the new items, before the latest row moves:
# a newer round takes the replaced round's items out and puts its own in; an older one changes nothing.
TOTALS_SUBTRACT = ("UPDATE checkup_totals SET n = checkup_totals.n - 1, "
                   "scored = checkup_totals.scored - CASE WHEN i.value IS NULL THEN 0 ELSE 1 END, "
                   "total = checkup_totals.total - COALESCE(i.value, 0) "
                   "FROM checkup_latest l JOIN checkup_result_items i ON i.result_id = l.result_id "
                   "WHERE l.set_id = {s} AND l.org_key = {k} AND (l.created_at, l.result_id) < ({t}, {new}) "
                   "AND checkup_totals.set_id = l.set_id AND checkup_totals.kind = i.kind AND checkup_totals.key = i.key")
TOTALS_ADD = ("INSERT INTO checkup_totals (set_id, kind, key, n, scored, total) "
              "SELECT CAST({s} AS TEXT), kind, key, 1, CASE WHEN value IS NULL THEN 0 ELSE 1 END, COALESCE(value, 0) "
              "FROM checkup_result_items WHERE result_id = {new} AND NOT EXISTS (SELECT 1 FROM checkup_latest "
              "WHERE set_id = {s} AND org_key = {k} AND (created_at, result_id) > ({t}, {new})) "
              "ON CONFLICT (set_id, kind, key) DO UPDATE SET n = checkup_totals.n + excluded.n, "
              "scored = checkup_totals.scored + excluded.scored, total = checkup_totals.total + excluded.total")
TOTALS_SQL = "SELECT kind, key, n, scored, total FROM checkup_totals WHERE set_id = {p} AND n > 0"
LATEST_SQL = ("SELECT organization, overall, weakest, created_at, respondent, platform FROM checkup_latest "
              "WHERE set_id = {p1} ORDER BY overall IS NULL, overall, organization{collate}, result_id "
              "LIMIT {p2} OFFSET {p3}")

# The dashboard's question figures (both dialects; {day} is the dialect's day arithmetic).
QUESTIONS_BY_DAY = "SELECT {day} AS day, band, COUNT(*) FROM questions WHERE asked_at >= {p} GROUP BY day, band"
QUESTION_TEXTS = ("SELECT text, band, COUNT(*), MAX(asked_at) FROM questions WHERE asked_at >= {p} "
                  "AND band IN ({bands}) GROUP BY text, band ORDER BY MIN(id)")


class SqliteCheckupsMixin:
    """Needs `transaction`, `fetchall` and `fetchone` from SqliteStore."""

    if TYPE_CHECKING:  # provided by SqliteStore
        async def transaction(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[int | None]: ...
        async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    async def save_checkup(self, *, respondent: str, platform: str, organization: str, set_id: str, lang: str,
                           answers: Mapping[str, str], scores: Mapping[str, Any], respondent_name: str | None = None,
                           now: float | None = None) -> CheckupRecord:
        """Store one completed checkup and its summary rows (committed when this returns)."""
        at = time.time() if now is None else now
        record = CheckupRecord(id=0, created_at=at, respondent=respondent, platform=platform, organization=organization,
                               set_id=set_id, lang=lang, answers=dict(answers), scores=dict(scores),
                               respondent_name=respondent_name)
        [row_id, *_] = await self.transaction([(
            f"INSERT INTO checkup_results ({_COLUMNS.removeprefix('id, ')}, org_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, respondent, platform, organization, set_id, lang, json.dumps(dict(answers), ensure_ascii=False),
             json.dumps(dict(scores), ensure_ascii=False), respondent_name, org_key(organization))),
            *_summary_statements(record, "last_insert_rowid()")])
        return CheckupRecord(**{**record.__dict__, "id": int(row_id or 0)})

    async def summarize_saved_checkups(self) -> None:
        """Summary rows for results saved before migration 0007 (run at open; usually finds none)."""
        rows = await self.fetchall(f"SELECT {_COLUMNS} FROM checkup_results WHERE org_key IS NULL ORDER BY id")
        for row in rows:
            record = checkup_record(row)
            await self.transaction([("UPDATE checkup_results SET org_key = ? WHERE id = ?",
                                     (org_key(record.organization), record.id)),
                                    *_summary_statements(record, str(int(record.id)))])

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

    async def checkup_counts(self) -> dict[str, int]:
        """Stored results per checkup set."""
        return {row[0]: int(row[1]) for row in
                await self.fetchall("SELECT set_id, COUNT(*) FROM checkup_results GROUP BY set_id")}

    async def checkup_figures(self, set_id: str) -> CheckupFigures:
        [(results,)] = await self.fetchall("SELECT COUNT(*) FROM checkup_results WHERE set_id = ?", (set_id,))
        totals = await self.fetchall(TOTALS_SQL.format(p="?"), (set_id,))
        return figures_from_totals(set_id, int(results), [tuple(row) for row in totals])

    async def list_latest_checkups(self, set_id: str, *, offset: int = 0, limit: int = 500) -> list[LatestCheckup]:
        rows = await self.fetchall(LATEST_SQL.format(p1="?", p2="?", p3="?", collate=""), (set_id, limit, offset))
        return [LatestCheckup(*row) for row in rows]


def _summary_statements(record: CheckupRecord, result_id: str) -> list[Statement]:
    """The summary rows of a result whose id is the SQL expression `result_id`."""
    items = summary_items(record.answers, record.scores)
    keys = (record.set_id, org_key(record.organization), record.created_at)
    numbered = {"s": "?1", "k": "?2", "t": "?3", "new": result_id}
    statements: list[Statement] = []
    if items:
        statements.append(("INSERT OR IGNORE INTO checkup_result_items (result_id, kind, key, value) VALUES "
                           + ", ".join(f"({result_id}, ?, ?, ?)" for _ in items),
                           [part for item in items for part in item]))
    statements += [(TOTALS_SUBTRACT.format(**numbered), keys), (TOTALS_ADD.format(**numbered), keys),
                   (LATEST_UPSERT.format(values=f"?, ?, {result_id}, ?, ?, ?, ?, ?, ?"),
                    (*keys[:2], record.created_at, record.organization, record.overall, weakest_area(record.scores),
                     record.respondent, record.platform))]
    return statements


def checkup_record(row: Sequence[Any]) -> CheckupRecord:
    (row_id, created_at, respondent, platform, organization, set_id, lang, answers, scores, respondent_name) = row
    return CheckupRecord(id=int(row_id), created_at=created_at, respondent=respondent, platform=platform,
                         organization=organization, set_id=set_id, lang=lang, answers=json.loads(answers),
                         scores=json.loads(scores), respondent_name=respondent_name)

"""Review dates: which intents and contacts are due for a fresh check against their sources.

Every intent and contact carries `reviewed: YYYY-MM-DD` (the day a person last checked it)
and optionally `review_by` (check again by then; facts that change every year, such as
subsidies and prices, set it short). Without `review_by` an entry is due a year after it was
reviewed. Overdue entries are warnings, not errors: the knowledge still serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.knowledge_base import KnowledgeBase
from bot.yaml_source import Problem

DEFAULT_REVIEW_INTERVAL = timedelta(days=365)


@dataclass(frozen=True)
class ReviewEntry:
    kind: str  # "intent" | "contact"
    id: str
    reviewed: date | None
    review_by: date | None
    file: str
    line: int | None

    @property
    def due(self) -> date | None:
        if self.review_by:
            return self.review_by
        return self.reviewed + DEFAULT_REVIEW_INTERVAL if self.reviewed else None

    def overdue(self, today: date) -> bool:
        return self.due is None or today > self.due


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:  # the schema checks the shape; an impossible date such as 2026-02-30 lands here
        return None


def review_entries(kb: KnowledgeBase) -> list[ReviewEntry]:
    """Every intent and contact with its review dates, oldest (or never) reviewed first."""
    entries = [ReviewEntry("intent", i.id, _day(i.reviewed), _day(i.review_by), i.file, i.line)
               for i in kb.intents.values()]
    for doc in kb.docs("contacts"):
        for index, raw in enumerate(doc.data["contacts"]):
            entries.append(ReviewEntry("contact", raw["id"], _day(raw.get("reviewed")), _day(raw.get("review_by")),
                                       str(doc.path), doc.line_of(("contacts", index, "id"))))
    return sorted(entries, key=lambda e: (e.reviewed or date.min, e.kind, e.id))


def review_warnings(kb: KnowledgeBase, today: date) -> list[Problem]:
    """A warning for each entry never reviewed or past its review date."""
    warnings = []
    for entry in review_entries(kb):
        if entry.reviewed is None:
            warnings.append(Problem(entry.file, entry.line, f"{entry.kind} '{entry.id}' has no `reviewed: YYYY-MM-DD` date"))
        elif entry.overdue(today):
            by = "its review_by date" if entry.review_by else "a year since it was reviewed"
            warnings.append(Problem(entry.file, entry.line, f"{entry.kind} '{entry.id}' is due for review: last reviewed "
                                    f"{entry.reviewed.isoformat()}, {by} ({entry.due}) has passed"))
    return warnings


def as_of(reviewed: str | None) -> str | None:
    """The month shown beside an answer's source ("2026-12"), from its `reviewed` date."""
    day = _day(reviewed)
    return f"{day.year:04d}-{day.month:02d}" if day else None


def review_rows(kb: KnowledgeBase, today: date) -> list[dict[str, str | bool | None]]:
    """The entries for `secbot kb stats`, oldest review first."""
    return [{"kind": e.kind, "id": e.id, "reviewed": e.reviewed.isoformat() if e.reviewed else None,
             "due": e.due.isoformat() if e.due else None, "overdue": e.overdue(today)}
            for e in review_entries(kb)]


def format_reviews(rows: list[dict[str, str | bool | None]]) -> str:
    overdue = sum(1 for r in rows if r["overdue"])
    lines = [f"Review dates, oldest first ({len(rows)} entries, {overdue} due for review):"]
    for row in rows:
        flag = "  DUE" if row["overdue"] else ""
        lines.append(f"- {row['reviewed'] or 'never':<10}  {row['kind']:<7}  {row['id']}  "
                     f"(review by {row['due'] or '-'}){flag}")
    return "\n".join(lines)

"""Checkup results as every store returns them (SQLite, PostgreSQL)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckupRecord:
    id: int
    created_at: float
    respondent: str  # platform user id (or the login name for the CLI)
    platform: str
    organization: str  # as entered
    set_id: str
    lang: str
    answers: Mapping[str, str]
    scores: Mapping[str, Any]  # {"overall", "areas": [{id, score, answered}], "gaps": [...]}
    respondent_name: str | None = None

    @property
    def overall(self) -> int | None:
        return self.scores.get("overall")


# -- summary rows (issue 15): what the dashboard and the report aggregate in SQL ------------------
# Each saved result also gets one row per scored area, answered question and gap
# (checkup_result_items), and each (set, organisation) one row pointing at its latest result
# (checkup_latest), both written in the same transaction as the result. The report's figures are
# then GROUP BY queries over the latest results, exact at every request. `figures_of` computes the
# same figures in Python from whole records: the reference the stores are tested against.

Item = tuple[str, str, int | None]  # (kind: area | answered | gap, key: area or question id, score)


def org_key(name: str) -> str:
    """An organisation's identity: names compared ignoring case, width and spacing."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def summary_items(answers: Mapping[str, str], scores: Mapping[str, Any]) -> list[Item]:
    items: list[Item] = [("area", str(a["id"]), a.get("score")) for a in scores.get("areas", ()) if a.get("id")]
    items += [("answered", str(q), None) for q in answers]
    items += [("gap", str(g["question"]), None) for g in scores.get("gaps", ()) if g.get("question")]
    return list({(kind, key): (kind, key, value) for kind, key, value in items}.values())


def weakest_area(scores: Mapping[str, Any]) -> str | None:
    """The lowest-scoring area (the first of equals, as stored), None at full marks or unscored."""
    scored = [a for a in scores.get("areas", ()) if a.get("score") is not None]
    lowest = min(scored, key=lambda a: a["score"]) if scored else None
    return str(lowest["id"]) if lowest is not None and lowest["score"] < 100 else None


@dataclass(frozen=True)
class ItemStats:
    rows: int  # latest results with this item
    scored: int  # of them with a score
    total: int  # sum of the scores
    lowest: int | None


@dataclass(frozen=True)
class CheckupFigures:
    """One checkup set's aggregate over the latest result of each organisation."""

    set_id: str
    results: int  # every stored result of the set, earlier rounds included
    overall: Mapping[int | None, int]  # overall score -> organisations
    items: Mapping[tuple[str, str], ItemStats]

    @property
    def organizations(self) -> int:
        return sum(self.overall.values())


@dataclass(frozen=True)
class LatestCheckup:
    """One organisation's latest result, without its answers (a row of the report's table)."""

    organization: str
    overall: int | None
    weakest: str | None  # area id
    created_at: float
    respondent: str
    platform: str


def latest_per_organization(records: Sequence[CheckupRecord]) -> list[CheckupRecord]:
    latest: dict[str, CheckupRecord] = {}
    for record in records:
        key = org_key(record.organization)
        if key not in latest or (record.created_at, record.id) > (latest[key].created_at, latest[key].id):
            latest[key] = record
    return list(latest.values())


def figures_of(records: Sequence[CheckupRecord], set_id: str) -> CheckupFigures:
    mine = [r for r in records if r.set_id == set_id]
    latest = latest_per_organization(mine)
    overall: Counter[int | None] = Counter(r.overall for r in latest)
    found: dict[tuple[str, str], list[int | None]] = {}
    for record in latest:
        for kind, key, value in summary_items(record.answers, record.scores):
            found.setdefault((kind, key), []).append(value)
    items: dict[tuple[str, str], ItemStats] = {}
    for item, values in found.items():
        scores = [v for v in values if v is not None]
        items[item] = ItemStats(len(values), len(scores), sum(scores), min(scores) if scores else None)
    return CheckupFigures(set_id, len(mine), dict(overall), items)


def sorted_latest(records: Sequence[CheckupRecord]) -> list[LatestCheckup]:
    """The report's rows in the stores' order: lowest overall first, unscored last, then by name."""
    rows = [LatestCheckup(r.organization, r.overall, weakest_area(r.scores), r.created_at, r.respondent, r.platform)
            for r in latest_per_organization(records)]
    return sorted(rows, key=lambda o: (o.overall is None, o.overall or 0, o.organization))

"""Checkup results as every store returns them (SQLite, PostgreSQL)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
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


# -- summary rows (issue 15): what the dashboard and the report read instead of every record ------
# Each saved result also gets its items (checkup_result_items: one row per scored area, area
# score, answered question, gap, and its overall score), and each (set, organisation) a row
# pointing at its latest result (checkup_latest). checkup_totals sums the items of those latest
# results per set: saving a newer round subtracts the replaced round's items and adds the new
# ones, in the same transaction. The report's figures are then a read of a few dozen rows, exact
# at every request. `figures_of` computes the same figures in Python from whole records: the
# reference the stores are tested against.

Item = tuple[str, str, int | None]  # (kind, key, value)
Total = tuple[str, str, int, int, int]  # (kind, key, results with it, results with a value, sum of values)


def org_key(name: str) -> str:
    """An organisation's identity: names compared ignoring case, width and spacing."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def summary_items(answers: Mapping[str, str], scores: Mapping[str, Any]) -> list[Item]:
    areas = [a for a in scores.get("areas", ()) if a.get("id")]
    items: list[Item] = [("area", str(a["id"]), a.get("score")) for a in areas]
    items += [("area_score", f"{a['id']}:{a['score']}", None) for a in areas if a.get("score") is not None]
    items += [("answered", str(q), None) for q in answers]
    items += [("gap", str(g["question"]), None) for g in scores.get("gaps", ()) if g.get("question")]
    overall = scores.get("overall")
    items.append(("overall", "" if overall is None else str(overall), None))
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


def totals_of(records: Sequence[CheckupRecord]) -> list[Total]:
    """What checkup_totals holds for these records: their latest rounds' items, summed."""
    found: dict[tuple[str, str], list[int]] = {}
    for record in latest_per_organization(records):
        for kind, key, value in summary_items(record.answers, record.scores):
            total = found.setdefault((kind, key), [0, 0, 0])
            total[0] += 1
            if value is not None:
                total[1] += 1
                total[2] += value
    return [(kind, key, *total) for (kind, key), total in found.items()]  # type: ignore[misc]


def figures_from_totals(set_id: str, results: int, totals: Iterable[Total]) -> CheckupFigures:
    overall: dict[int | None, int] = {}
    items: dict[tuple[str, str], ItemStats] = {}
    lowest: dict[str, int] = {}
    rows = [row for row in totals if row[2] > 0]  # a replaced round leaves zeros behind
    for kind, key, n, _, _ in rows:
        if kind == "overall":
            overall[int(key) if key else None] = n
        elif kind == "area_score":
            area, _, value = key.rpartition(":")
            lowest[area] = min(lowest.get(area, int(value)), int(value))
    for kind, key, n, scored, total in rows:
        if kind in ("area", "answered", "gap"):
            items[(kind, key)] = ItemStats(n, scored, total, lowest.get(key) if kind == "area" else None)
    return CheckupFigures(set_id, results, overall, items)


def figures_of(records: Sequence[CheckupRecord], set_id: str) -> CheckupFigures:
    mine = [r for r in records if r.set_id == set_id]
    return figures_from_totals(set_id, len(mine), totals_of(mine))


def sorted_latest(records: Sequence[CheckupRecord]) -> list[LatestCheckup]:
    """The report's rows in the stores' order: lowest overall first, unscored last, then by name."""
    rows = [LatestCheckup(r.organization, r.overall, weakest_area(r.scores), r.created_at, r.respondent, r.platform)
            for r in latest_per_organization(records)]
    return sorted(rows, key=lambda o: (o.overall is None, o.overall or 0, o.organization))

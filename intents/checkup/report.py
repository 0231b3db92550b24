"""Summaries across respondents (`secbot checkup report`, `/checkup report` for responders).

The latest result of each organisation counts (an organisation that answers again replaces
its earlier result; names are compared ignoring case and width). Area averages are over the
organisations with a score in that area; a gap's count is how many organisations have it."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.store.checkups import CheckupRecord
from intents.checkup.model import CheckupSet
from intents.checkup.render import when
from intents.checkup.texts import t


@dataclass(frozen=True)
class AreaSummary:
    id: str
    title: str
    average: float | None
    lowest: int | None
    count: int


@dataclass(frozen=True)
class GapSummary:
    question: str
    area: str
    text: str
    count: int
    share: float  # of the organisations that answered it
    intents: tuple[str, ...]


@dataclass(frozen=True)
class OrgSummary:
    organization: str
    overall: int | None
    weakest: str | None
    answered_at: float
    respondent: str
    platform: str


@dataclass(frozen=True)
class Summary:
    set_id: str
    title: str
    results: int
    organizations: tuple[OrgSummary, ...]  # lowest overall first
    overall: float | None
    areas: tuple[AreaSummary, ...]  # lowest average first
    gaps: tuple[GapSummary, ...]  # most common first


def org_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def latest_per_organization(records: Sequence[CheckupRecord]) -> list[CheckupRecord]:
    latest: dict[str, CheckupRecord] = {}
    for record in records:
        key = org_key(record.organization)
        if key not in latest or (record.created_at, record.id) > (latest[key].created_at, latest[key].id):
            latest[key] = record
    return list(latest.values())


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def summarize(checkup: CheckupSet, records: Sequence[CheckupRecord], lang: str) -> Summary:
    mine = [r for r in records if r.set_id == checkup.id]
    latest = latest_per_organization(mine)
    areas = []
    for area in checkup.areas:
        scores = [a["score"] for r in latest for a in r.scores.get("areas", ())
                  if a.get("id") == area.id and a.get("score") is not None]
        areas.append(AreaSummary(area.id, area.title.get(lang), _mean(scores), min(scores) if scores else None, len(scores)))
    areas.sort(key=lambda a: (a.average is None, a.average or 0.0))
    gaps = []
    for question in checkup.questions:
        answered = [r for r in latest if question.id in r.answers]
        count = sum(1 for r in latest for g in r.scores.get("gaps", ()) if g.get("question") == question.id)
        if count:
            gaps.append(GapSummary(question.id, question.area, question.text.get(lang), count,
                                   round(count / max(len(answered), 1), 3), question.gap.intents))
    gaps.sort(key=lambda g: (-g.count, -g.share))
    titles = {a.id: a.title.get(lang) for a in checkup.areas}
    orgs = []
    for r in latest:
        scored = [a for a in r.scores.get("areas", ()) if a.get("score") is not None]
        lowest = min(scored, key=lambda a: a["score"]) if scored else None
        weakest = lowest["id"] if lowest is not None and lowest["score"] < 100 else None  # full marks: none
        orgs.append(OrgSummary(r.organization, r.overall, titles.get(weakest or "", weakest), r.created_at,
                               r.respondent, r.platform))
    orgs.sort(key=lambda o: (o.overall is None, o.overall or 0, o.organization))
    overall = _mean([o.overall for o in orgs if o.overall is not None])
    return Summary(checkup.id, checkup.title.get(lang), len(mine), tuple(orgs), overall, tuple(areas), tuple(gaps))


def _fmt(value: float | int | None) -> str:
    return "-" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def markdown(summary: Summary, lang: str, *, top_gaps: int = 10) -> str:
    lines = [f"# {t('report_title', lang, title=summary.title)}", ""]
    if not summary.results:
        return "\n".join([*lines, t("report_empty", lang), ""])
    lines += [t("report_counts", lang, organizations=len(summary.organizations), results=summary.results),
              t("report_overall", lang, score=_fmt(summary.overall)), "",
              f"## {t('report_areas', lang)}", "",
              f"| {t('col_area', lang)} | {t('col_average', lang)} | {t('col_lowest', lang)} |", "|---|---:|---:|"]
    lines += [f"| {_cell(a.title)} | {_fmt(a.average)} | {_fmt(a.lowest)} |" for a in summary.areas]
    lines += ["", f"## {t('report_gaps', lang)}", ""]
    if summary.gaps:
        lines += [f"| {t('col_question', lang)} | {t('col_count', lang)} | {t('col_share', lang)} | {t('col_next', lang)} |",
                  "|---|---:|---:|---|"]
        lines += [f"| {_cell(g.text)} | {g.count} | {g.share:.0%} | {', '.join(g.intents)} |"
                  for g in summary.gaps[:top_gaps]]
    else:
        lines.append("-")
    lines += ["", f"## {t('report_orgs', lang)}", "",
              f"| {t('col_org', lang)} | {t('col_overall', lang)} | {t('col_weakest', lang)} | {t('col_date', lang)} |",
              "|---|---:|---|---|"]
    lines += [f"| {_cell(o.organization)} | {_fmt(o.overall)} | {_cell(o.weakest or '-')} | {when(o.answered_at)} |"
              for o in summary.organizations]
    return "\n".join(lines) + "\n"


def to_csv(summary: Summary) -> str:
    """One table, one row per fact: section (summary|area|gap|organization), id, label, value, count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "set", "id", "label", "value", "count"])
    writer.writerow(["summary", summary.set_id, "organizations", "", "", len(summary.organizations)])
    writer.writerow(["summary", summary.set_id, "results", "", "", summary.results])
    writer.writerow(["summary", summary.set_id, "overall_average", "", _fmt(summary.overall), len(summary.organizations)])
    for a in summary.areas:
        writer.writerow(["area", summary.set_id, a.id, a.title, _fmt(a.average), a.count])
    for g in summary.gaps:
        writer.writerow(["gap", summary.set_id, g.question, g.text, f"{g.share:.3f}", g.count])
    for o in summary.organizations:
        writer.writerow(["organization", summary.set_id, o.organization, o.weakest or "", _fmt(o.overall), 1])
    return out.getvalue()

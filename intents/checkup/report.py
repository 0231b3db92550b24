"""Summaries across respondents (`secbot checkup report`, `/checkup report` for responders).

The latest result of each organisation counts (an organisation that answers again replaces
its earlier result; names are compared ignoring case and width). Area averages are over the
organisations with a score in that area; a gap's count is how many organisations have it."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.store.checkups import CheckupFigures, CheckupRecord, LatestCheckup, figures_of, sorted_latest
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
    organization_count: int = 0  # also when `organizations` is left empty (the dashboard)
    overall_scores: Mapping[int | None, int] = field(default_factory=dict)  # overall score -> organisations


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 1) if count else None


def summary_from(checkup: CheckupSet, figures: CheckupFigures, lang: str,
                 organizations: Sequence[LatestCheckup] = ()) -> Summary:
    """The report from the set's aggregates (`organizations`: the rows of its table, when wanted)."""
    items = figures.items
    areas = []
    for area in checkup.areas:
        stats = items.get(("area", area.id))
        areas.append(AreaSummary(area.id, area.title.get(lang), _mean(stats.total, stats.scored) if stats else None,
                                 stats.lowest if stats else None, stats.scored if stats else 0))
    areas.sort(key=lambda a: (a.average is None, a.average or 0.0))
    gaps = []
    for question in checkup.questions:
        count = items[("gap", question.id)].rows if ("gap", question.id) in items else 0
        answered = items[("answered", question.id)].rows if ("answered", question.id) in items else 0
        if count:
            gaps.append(GapSummary(question.id, question.area, question.text.get(lang), count,
                                   round(count / max(answered, 1), 3), question.gap.intents))
    gaps.sort(key=lambda g: (-g.count, -g.share))
    orgs = organization_rows(checkup, organizations, lang)
    scored = {value: n for value, n in figures.overall.items() if value is not None}
    overall = _mean(sum(value * n for value, n in scored.items()), sum(scored.values()))
    return Summary(checkup.id, checkup.title.get(lang), figures.results, orgs, overall, tuple(areas), tuple(gaps),
                   organization_count=figures.organizations, overall_scores=dict(figures.overall))


def organization_rows(checkup: CheckupSet, organizations: Sequence[LatestCheckup], lang: str) -> tuple[OrgSummary, ...]:
    """The report's table rows, with the weakest area's title in `lang`."""
    titles = {a.id: a.title.get(lang) for a in checkup.areas}
    return tuple(OrgSummary(o.organization, o.overall, titles.get(o.weakest or "", o.weakest), o.created_at,
                            o.respondent, o.platform) for o in organizations)


def summarize(checkup: CheckupSet, records: Sequence[CheckupRecord], lang: str) -> Summary:
    """The report from whole records (the CLI, chat); the dashboard reads the same figures from the store."""
    mine = [r for r in records if r.set_id == checkup.id]
    return summary_from(checkup, figures_of(mine, checkup.id), lang, sorted_latest(mine))


def _fmt(value: float | int | None) -> str:
    return "-" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def markdown(summary: Summary, lang: str, *, top_gaps: int = 10) -> str:
    lines = [f"# {t('report_title', lang, title=summary.title)}", ""]
    if not summary.results:
        return "\n".join([*lines, t("report_empty", lang), ""])
    lines += [t("report_counts", lang, organizations=summary.organization_count, results=summary.results),
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
    writer.writerow(["summary", summary.set_id, "organizations", "", "", summary.organization_count])
    writer.writerow(["summary", summary.set_id, "results", "", "", summary.results])
    writer.writerow(["summary", summary.set_id, "overall_average", "", _fmt(summary.overall), summary.organization_count])
    for a in summary.areas:
        writer.writerow(["area", summary.set_id, a.id, a.title, _fmt(a.average), a.count])
    for g in summary.gaps:
        writer.writerow(["gap", summary.set_id, g.question, g.text, f"{g.share:.3f}", g.count])
    return out.getvalue() + csv_rows(summary.set_id, summary.organizations)


def csv_rows(set_id: str, organizations: Sequence[OrgSummary]) -> str:
    """The CSV's organisation rows (written after `to_csv`'s, a page at a time for a download)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for o in organizations:
        writer.writerow(["organization", set_id, o.organization, o.weakest or "", _fmt(o.overall), 1])
    return out.getvalue()

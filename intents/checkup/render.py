"""Checkup results as text (chat reply, CLI) and the buttons to the related knowledge answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.knowledge_base import KnowledgeBase
from bot.models import JST, Button, Source
from bot.store.checkups import CheckupRecord
from intents.checkup.model import CheckupSet
from intents.checkup.scoring import Score
from intents.checkup.texts import t

MAX_GAPS_SHOWN: int | None = None  # every gap: each one carries its risk and next step
MAX_BUTTONS = 6


def _score(value: int | None, lang: str) -> str:
    return t("not_scored", lang) if value is None else str(value)


def _source(source: Source, lang: str) -> dict[str, Any]:
    return {"title": source.title, "url": source.url,
            "label": t("unofficial_source", lang) if source.unofficial else None}


def result_dict(checkup: CheckupSet, result: Score, lang: str) -> dict[str, Any]:
    """The result with its texts in one language (reply data, `secbot checkup --json`)."""
    areas = []
    for item in result.areas:
        area = checkup.area(item.id)
        areas.append({"id": item.id, "title": area.title.get(lang) if area else item.id, "score": item.score,
                      "answered": item.answered})
    gaps = []
    for gap in result.gaps:
        question = checkup.question(gap.question)
        if question is None:
            continue
        choice = question.choice(gap.answer)
        gaps.append({"question": gap.question, "area": gap.area, "text": question.text.get(lang), "answer": gap.answer,
                     "answer_label": choice.label.get(lang) if choice else gap.answer,
                     "risk": question.gap.risk.get(lang), "next_step": question.gap.next_step.get(lang),
                     "intents": list(question.gap.intents),
                     "source": _source(question.source, lang) if question.source else None})
    return {"set": checkup.id, "overall": result.overall, "areas": areas, "gaps": gaps}


def result_text(checkup: CheckupSet, result: Score, lang: str, organization: str, result_id: int | None,
                *, max_gaps: int | None = MAX_GAPS_SHOWN) -> str:
    data = result_dict(checkup, result, lang)
    head = (t("result_for", lang, organization=organization, result_id=result_id) if result_id is not None
            else t("result_for_dry", lang, organization=organization))
    lines = [head, t("overall", lang, score=_score(result.overall, lang)), "", t("areas_heading", lang)]
    lines += [f"- {t('area_line', lang, title=a['title'], score=_score(a['score'], lang))}" for a in data["areas"]]
    lines += ["", t("gaps_heading", lang)]
    gaps = data["gaps"]
    if not gaps:
        lines.append(t("no_gaps", lang))
    shown = gaps if max_gaps is None else gaps[:max_gaps]
    for index, gap in enumerate(shown, 1):
        lines.append(t("gap_line", lang, index=index, text=gap["text"], label=gap["answer_label"]))
        lines.append(f"   {t('risk', lang)}: {gap['risk']}")
        lines.append(f"   {t('next_step', lang)}: {gap['next_step']}")
        if gap["source"]:
            label = t("source_label", lang, label=gap["source"]["label"]) if gap["source"]["label"] else ""
            lines.append(f"   {t('source', lang)}: {gap['source']['title']}{label} "
                         f"{gap['source']['url']}")
    if len(shown) < len(gaps):
        lines.append(t("more_gaps", lang, count=len(gaps) - len(shown)))
    return "\n".join(lines)


def gap_buttons(kb: KnowledgeBase, checkup: CheckupSet, result: Score, lang: str) -> tuple[Button, ...]:
    """"answer:<intent>" buttons for the gaps' knowledge answers, weakest gaps first, no repeats."""
    seen: dict[str, None] = {}
    for gap in result.gaps:
        question = checkup.question(gap.question)
        for intent in question.gap.intents if question else ():
            seen.setdefault(intent, None)
    buttons = [Button(kb.intents[i].title.get(lang), f"answer:{i}") for i in seen if i in kb.intents]
    return tuple(buttons[:MAX_BUTTONS])


def when(at: float) -> str:
    return datetime.fromtimestamp(at, JST).strftime("%Y-%m-%d %H:%M")


def history_text(records: Sequence[CheckupRecord], titles: Mapping[str, str], lang: str) -> str:
    if not records:
        return t("history_empty", lang)
    lines = [t("history_heading", lang)]
    for r in records:
        lines.append("- " + t("history_line", lang, id=r.id, date=when(r.created_at), organization=r.organization,
                              set=titles.get(r.set_id, r.set_id), overall=_score(r.overall, lang)))
    return "\n".join(lines)

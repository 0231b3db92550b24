"""Check a set of checkup answers and score them: per area and overall, 0-100.

A question scores the chosen choice's points divided by its best choice's points; an area is
the weighted average of its answered questions, the overall score that of every answered
question. "Does not apply" answers are left out. Gaps are the answers short of the best
choice, the weakest areas first and within an area the biggest shortfall first."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intents.checkup.model import ORG_FIELD, CheckupSet, Question
from intents.checkup.texts import t
from intents.forms import error_params

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class AnswerError:
    field: str
    code: str  # unknown_field | unknown_value | required | too_long | not_text
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def text(self, lang: str, *, ids: bool = False) -> str:
        """`ids`: name the choices by id (an answers file), not by their labels in `lang`."""
        return t(f"err_{self.code}", lang, **error_params(self.params, lang, ids=ids))


@dataclass(frozen=True)
class Checked:
    organization: str
    answers: dict[str, str]  # question id -> choice value, in set order
    errors: tuple[AnswerError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, lang: str) -> dict[str, str]:
        return {e.field: e.text(lang) for e in self.errors}


def clean_organization(raw: Any) -> tuple[str | None, AnswerError | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None, AnswerError(ORG_FIELD, "not_text")
    value = " ".join(_CONTROL.sub(" ", str(raw)).split())
    if len(value) > 200:
        return None, AnswerError(ORG_FIELD, "too_long", {"length": len(value), "limit": 200})
    return value or None, None


def check_value(question: Question, raw: Any) -> tuple[str | None, AnswerError | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if not isinstance(raw, str):
        return None, AnswerError(question.id, "not_text")
    value = raw.strip()
    if value not in question.values:
        return None, AnswerError(question.id, "unknown_value", {"value": value[:40], "choices": question.choices})
    return value, None


def check_answers(checkup: CheckupSet, values: Mapping[str, Any]) -> Checked:
    """Every question must be answered with one of its values, and the organisation named."""
    errors: list[AnswerError] = []
    known = {q.id for q in checkup.questions} | {ORG_FIELD}
    errors += [AnswerError(str(name)[:40], "unknown_field") for name in values if name not in known]
    organization, error = clean_organization(values.get(ORG_FIELD))
    if error:
        errors.append(error)
    elif organization is None:
        errors.append(AnswerError(ORG_FIELD, "required"))
    answers: dict[str, str] = {}
    for question in checkup.questions:
        value, error = check_value(question, values.get(question.id))
        if error:
            errors.append(error)
        elif value is None:
            errors.append(AnswerError(question.id, "required"))
        else:
            answers[question.id] = value
    return Checked(organization=organization or "", answers=answers, errors=tuple(errors))


@dataclass(frozen=True)
class GapItem:
    question: str
    area: str
    answer: str
    ratio: float  # 0..1 of the best choice
    weight: float

    @property
    def shortfall(self) -> float:
        return self.weight * (1 - self.ratio)


@dataclass(frozen=True)
class AreaScore:
    id: str
    score: int | None  # None when every answer was "does not apply"
    answered: int


@dataclass(frozen=True)
class Score:
    set_id: str
    overall: int | None
    areas: tuple[AreaScore, ...]  # weakest first
    gaps: tuple[GapItem, ...]  # weakest area first, then the biggest shortfall

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_id, "overall": self.overall,
            "areas": [{"id": a.id, "score": a.score, "answered": a.answered} for a in self.areas],
            "gaps": [{"question": g.question, "area": g.area, "answer": g.answer, "ratio": round(g.ratio, 3)}
                     for g in self.gaps],
        }


def _percent(points: float, weights: float) -> int | None:
    return None if weights == 0 else int(points / weights * 100 + 0.5)


def score(checkup: CheckupSet, answers: Mapping[str, str]) -> Score:
    """Score checked answers (unanswered questions are left out, like "does not apply")."""
    areas: list[AreaScore] = []
    gaps: list[GapItem] = []
    total_points = total_weight = 0.0
    for area in checkup.areas:
        points = weight = 0.0
        answered = 0
        for question in area.questions:
            choice = question.choice(answers.get(question.id, ""))
            if choice is None or choice.not_applicable or choice.score is None:
                continue
            ratio = choice.score / question.best
            points += ratio * question.weight
            weight += question.weight
            answered += 1
            if ratio < 1:
                gaps.append(GapItem(question.id, area.id, choice.value, ratio, question.weight))
        total_points += points
        total_weight += weight
        areas.append(AreaScore(area.id, _percent(points, weight), answered))
    order = {a.id: i for i, a in enumerate(checkup.areas)}
    areas.sort(key=lambda a: (a.score is None, a.score if a.score is not None else 0, order[a.id]))
    rank = {a.id: i for i, a in enumerate(areas)}
    position = {q.id: i for i, q in enumerate(checkup.questions)}
    gaps.sort(key=lambda g: (rank[g.area], -g.shortfall, position[g.question]))
    return Score(checkup.id, _percent(total_points, total_weight), tuple(areas), tuple(gaps))

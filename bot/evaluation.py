"""Accuracy of the matcher on a labelled question set (`secbot kb eval`, and the floor test)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.yaml_source import YamlError, load_yaml
from intents.matcher import Band, Matcher

# Shipped inside the package (bot/eval/), so `secbot kb eval` works after a normal install.
DEFAULT_EVAL_FILE = Path(__file__).resolve().parent / "eval" / "questions.yaml"


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    intent: str | None  # None: out of scope


@dataclass
class IntentReport:
    total: int = 0
    correct: int = 0
    suggested: int = 0  # the right intent was among the suggestions (not counted as correct)
    confusions: Counter[str] = field(default_factory=Counter)


@dataclass
class EvalReport:
    in_scope: int = 0
    top1_correct: int = 0
    in_suggestions: int = 0
    out_of_scope: int = 0
    rejected: int = 0
    per_intent: dict[str, IntentReport] = field(default_factory=lambda: defaultdict(IntentReport))
    false_answers: list[tuple[str, str, float]] = field(default_factory=list)  # off-topic answered
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # text, expected, got, band

    @property
    def accuracy(self) -> float:
        return self.top1_correct / self.in_scope if self.in_scope else 0.0

    @property
    def rejection(self) -> float:
        return self.rejected / self.out_of_scope if self.out_of_scope else 0.0


def load_questions(path: Path) -> list[LabelledQuestion]:
    doc = load_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    items = data.get("questions")
    if not isinstance(items, list):
        raise YamlError(doc.problem((), "expected `questions:` with a list of {text, intent}"))
    questions = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "intent" not in item:
            raise YamlError(doc.problem(("questions", index), "each question needs `text` and `intent` (null for off-topic)"))
        questions.append(LabelledQuestion(item["text"], item["intent"]))
    return questions


def evaluate(matcher: Matcher, questions: list[LabelledQuestion]) -> EvalReport:
    """Top-1 counts only confident answers; an off-topic question counts as rejected unless answered."""
    report = EvalReport()
    for q in questions:
        match = matcher.match(q.text)
        best = match.best
        answered = best.intent if best and match.band is Band.ANSWER else None
        if q.intent is None:
            report.out_of_scope += 1
            if answered is None:
                report.rejected += 1
            else:
                report.false_answers.append((q.text, answered, best.score if best else 0.0))
            continue
        report.in_scope += 1
        entry = report.per_intent[q.intent]
        entry.total += 1
        if answered == q.intent:
            report.top1_correct += 1
            entry.correct += 1
            continue
        if match.band is Band.SUGGEST and any(c.intent == q.intent for c in match.candidates[:3]):
            report.in_suggestions += 1
            entry.suggested += 1
        got = answered or (f"suggest:{best.intent}" if best and match.band is Band.SUGGEST else "unknown")
        entry.confusions[got] += 1
        report.misses.append((q.text, q.intent, got, f"{best.score:.2f}" if best else "-"))
    return report


def format_report(report: EvalReport, *, verbose: bool = False) -> str:
    lines = [
        f"in-scope questions:     {report.in_scope}",
        f"top-1 accuracy:         {report.accuracy:.1%} ({report.top1_correct}/{report.in_scope})"
        f"  [+{report.in_suggestions} more had the right topic among the suggestions]",
        f"off-topic questions:    {report.out_of_scope}",
        f"off-topic rejected:     {report.rejection:.1%} ({report.rejected}/{report.out_of_scope})",
        "",
        "per intent (correct/total, confusions):",
    ]
    for intent in sorted(report.per_intent):
        entry = report.per_intent[intent]
        mark = "  " if entry.correct == entry.total else "! "
        confused = ", ".join(f"{k} x{v}" for k, v in entry.confusions.most_common())
        lines.append(f"{mark}{intent:34s} {entry.correct:3d}/{entry.total:<3d} {confused}")
    if report.false_answers:
        lines += ["", "off-topic questions that got an answer:"]
        lines += [f"  {text!r} -> {intent} ({score:.2f})" for text, intent, score in report.false_answers]
    if verbose and report.misses:
        lines += ["", "missed in-scope questions (text, expected, got, score):"]
        lines += [f"  {t!r}: {e} -> {g} ({s})" for t, e, g, s in report.misses]
    return "\n".join(lines)

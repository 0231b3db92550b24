"""Accuracy of the matcher on a labelled question set (`secbot kb eval`, and the floor test).

Two file formats: the project's own (`questions: [{text, intent}]`, tests/dev and intents/eval)
and the realistic-questions one (a list of `{q, lang, expect, facts}`, see
../shared/data/realistic-questions/README.md), where a right answer must also contain one
string of each `facts` group.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.lang import detect_language
from bot.yaml_source import YamlError, load_yaml
from intents.matcher import Band, Matcher

# Shipped inside the package (intents/eval/), so `secbot kb eval` works after a normal install.
DEFAULT_EVAL_FILE = Path(__file__).resolve().parent / "eval" / "questions.yaml"


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    intent: str | None  # None: out of scope
    lang: str = ""  # "" : detected from the text
    facts: tuple[tuple[str, ...], ...] = ()  # each group: one alternative must be in the answer
    kind: str = ""  # "realistic": long, situational questions (reported and floored on their own)

    @property
    def language(self) -> str:
        return self.lang or detect_language(self.text) or "en"


# Outcomes, per language (OUTCOMES for in-scope questions, OFF_OUTCOMES for must-not-answer).
RIGHT, FACTS_MISSING, WRONG, SUGGESTED_RIGHT, SUGGESTED_OTHER, REFUSED = (
    "answered right", "right intent, facts missing", "answered wrong", "did you mean: right intent in it",
    "did you mean: without it", "refused")
OUTCOMES = (RIGHT, FACTS_MISSING, WRONG, SUGGESTED_RIGHT, SUGGESTED_OTHER, REFUSED)
OFF_REFUSED, OFF_SUGGESTED, OFF_ANSWERED = "refused", "suggested", "answered"
OFF_OUTCOMES = (OFF_REFUSED, OFF_SUGGESTED, OFF_ANSWERED)


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
    by_lang: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # in scope
    off_by_lang: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def share(self, lang: str, *outcomes: str) -> float:
        counts = self.by_lang.get(lang, Counter())
        total = sum(counts.values())
        return sum(counts[o] for o in outcomes) / total if total else 0.0

    @property
    def helped(self) -> float:
        """Answered right, or the right intent among the suggestions."""
        return (self.top1_correct + self.in_suggestions) / self.in_scope if self.in_scope else 0.0

    @property
    def accuracy(self) -> float:
        return self.top1_correct / self.in_scope if self.in_scope else 0.0

    @property
    def rejection(self) -> float:
        return self.rejected / self.out_of_scope if self.out_of_scope else 0.0


def load_questions(path: Path) -> list[LabelledQuestion]:
    doc = load_yaml(path)
    if isinstance(doc.data, list):
        return _realistic_questions(doc)
    data = doc.data if isinstance(doc.data, dict) else {}
    items = data.get("questions")
    if not isinstance(items, list):
        raise YamlError(doc.problem((), "expected `questions:` with a list of {text, intent}, "
                                        "or a list of {q, lang, expect, facts}"))
    questions = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "intent" not in item:
            raise YamlError(doc.problem(("questions", index), "each question needs `text` and `intent` (null for off-topic)"))
        questions.append(LabelledQuestion(item["text"], item["intent"], kind=str(item.get("kind") or "")))
    return questions


def _realistic_questions(doc) -> list[LabelledQuestion]:
    questions = []
    for index, item in enumerate(doc.data):
        facts = item.get("facts", []) if isinstance(item, dict) else None
        if (not isinstance(item, dict) or not isinstance(item.get("q"), str) or "expect" not in item
                or not (item["expect"] is None or isinstance(item["expect"], str))
                or not isinstance(facts, list) or not all(isinstance(g, list) for g in facts)):
            raise YamlError(doc.problem((index,), "each question needs `q`, `expect` (null: must not be answered) "
                                                  "and optionally `lang` and `facts` (a list of lists of strings)"))
        questions.append(LabelledQuestion(item["q"], item["expect"], str(item.get("lang") or ""),
                                          tuple(tuple(str(a) for a in group) for group in facts), "realistic"))
    return questions


def _folded(text: str) -> str:
    """As score.py compares facts: NFKC, case-folded, without spaces and commas."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch not in " ,、\u3000\n\t")


def has_facts(answer: str, facts: tuple[tuple[str, ...], ...]) -> bool:
    folded = _folded(answer)
    return all(any(_folded(alt) in folded for alt in group) for group in facts)


def evaluate(matcher: Matcher, questions: list[LabelledQuestion],
             answer_text: Callable[[str, str], str] | None = None) -> EvalReport:
    """Top-1 counts only confident answers; an off-topic question counts as rejected unless answered.

    `answer_text(intent, lang)` gives the reply shown for an intent; with it, a question with
    `facts` is answered right only if the reply contains them."""
    report = EvalReport()
    for q in questions:
        match = matcher.match(q.text)
        best = match.best
        answered = best.intent if best and match.band is Band.ANSWER else None
        suggested = [c.intent for c in match.candidates[: matcher.thresholds.max_suggestions]] \
            if match.band is Band.SUGGEST else []
        lang = q.language
        if q.intent is None:
            report.out_of_scope += 1
            if answered is None:
                report.rejected += 1
                report.off_by_lang[lang][OFF_SUGGESTED if suggested else OFF_REFUSED] += 1
            else:
                report.off_by_lang[lang][OFF_ANSWERED] += 1
                report.false_answers.append((q.text, answered, best.score if best else 0.0))
            continue
        report.in_scope += 1
        entry = report.per_intent[q.intent]
        entry.total += 1
        if answered == q.intent:
            if q.facts and answer_text is not None and not has_facts(answer_text(q.intent, lang), q.facts):
                report.by_lang[lang][FACTS_MISSING] += 1
                entry.confusions["facts missing"] += 1
                report.misses.append((q.text, q.intent, "facts missing", f"{best.score:.2f}" if best else "-"))
                continue
            report.top1_correct += 1
            entry.correct += 1
            report.by_lang[lang][RIGHT] += 1
            continue
        if answered is not None:
            outcome = WRONG
        elif suggested:
            outcome = SUGGESTED_RIGHT if q.intent in suggested else SUGGESTED_OTHER
        else:
            outcome = REFUSED
        report.by_lang[lang][outcome] += 1
        if outcome == SUGGESTED_RIGHT:
            report.in_suggestions += 1
            entry.suggested += 1
        got = answered or (f"suggest:{best.intent}" if best and match.band is Band.SUGGEST else "unknown")
        entry.confusions[got] += 1
        report.misses.append((q.text, q.intent, got, f"{best.score:.2f}" if best else "-"))
    return report


def reply_text(kb) -> Callable[[str, str], str]:
    """The text a user sees when `intent` is answered in `lang` (what the facts are checked in)."""
    from bot.render_text import render_replies
    from intents.answers import answer_reply

    return lambda intent, lang: render_replies([answer_reply(kb, kb.intents[intent], lang)])


def format_languages(report: EvalReport) -> list[str]:
    """Per language: what happened to the in-scope and to the must-not-answer questions."""
    lines = []
    for lang in sorted(set(report.by_lang) | set(report.off_by_lang)):
        counts = report.by_lang.get(lang, Counter())
        total = sum(counts.values())
        if total:
            parts = ", ".join(f"{name} {counts[name]}" for name in OUTCOMES if counts[name] or name != FACTS_MISSING)
            helped = report.share(lang, RIGHT, SUGGESTED_RIGHT)
            lines.append(f"{lang} in scope ({total}): {parts}  "
                         f"[right {report.share(lang, RIGHT):.1%}, helped {helped:.1%}]")
        off = report.off_by_lang.get(lang, Counter())
        off_total = sum(off.values())
        if off_total:
            lines.append(f"{lang} must not answer ({off_total}): " + ", ".join(f"{n} {off[n]}" for n in OFF_OUTCOMES)
                         + f"  [never answered {1 - off[OFF_ANSWERED] / off_total:.1%}]")
    return lines


def format_report(report: EvalReport, *, verbose: bool = False) -> str:
    lines = [
        f"in-scope questions:     {report.in_scope}",
        f"top-1 accuracy:         {report.accuracy:.1%} ({report.top1_correct}/{report.in_scope})"
        f"  [+{report.in_suggestions} more had the right topic among the suggestions]",
        f"off-topic questions:    {report.out_of_scope}",
        f"off-topic rejected:     {report.rejection:.1%} ({report.rejected}/{report.out_of_scope})",
        "",
        *format_languages(report),
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

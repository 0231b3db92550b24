"""Checks of a knowledge base with the question matcher, for `secbot kb validate`: duplicate
examples and examples that match another intent better than their own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.knowledge_base import KnowledgeBase, KnowledgeError
from bot.review import review_warnings
from bot.yaml_source import Problem
from intents.assemble import build_snapshot
from intents.matcher import OFF_TOPIC, Matcher

# An example "belongs to another intent" when, left out of the index, another intent
# beats its own by this much and scores at least CONFUSION_SCORE (the examples alone, without
# the answer texts: what the bands were tuned at before the in-domain detector, issue #11).
CONFUSION_MARGIN = 0.05
CONFUSION_SCORE = 0.25


def duplicate_examples(kb: KnowledgeBase, matcher: Matcher) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for intent in kb.intents.values():
        mine: set[str] = set()
        for _, example in intent.all_examples():
            key = matcher.prepare(example)
            owner = seen.get(key)
            if owner and owner != intent.id:
                problems.append(Problem(intent.file, intent.line,
                                        f"example {example!r} of '{intent.id}' is also an example of '{owner}'"))
            elif key in mine:
                problems.append(Problem(intent.file, intent.line, f"example {example!r} appears twice in '{intent.id}'"))
            seen.setdefault(key, intent.id)
            mine.add(key)
    for doc in kb.docs("off_topic"):
        for lang in ("ja", "en"):
            for index, example in enumerate(doc.data["off_topic"][lang]):
                owner = seen.get(matcher.prepare(example))
                if owner:
                    problems.append(doc.problem(("off_topic", lang, index),
                                                f"off-topic example {example!r} is also an example of '{owner}'"))
    return problems


def confusions(kb: KnowledgeBase, matcher: Matcher) -> list[Problem]:
    """Examples that, left out, match another intent (or the off-topic examples) better than their own."""
    problems = []
    for index in range(matcher.example_count):
        own = matcher.example_owner(index)
        if own == OFF_TOPIC:  # off-topic examples are meant to be unlike each other
            continue
        _, candidates = matcher.scores(matcher.example_text(index), exclude=index, limit=10)
        if not candidates or candidates[0].intent == own:
            continue
        best = candidates[0]
        own_score = next((c.score for c in candidates if c.intent == own), 0.0)
        if best.score - own_score >= CONFUSION_MARGIN and best.score >= max(CONFUSION_SCORE, matcher.thresholds.suggest):
            intent = kb.intents[own]
            problems.append(Problem(
                intent.file, intent.line,
                f"example {matcher.example_text(index)!r} of '{own}' matches '{best.intent}' better "
                f"({best.score:.2f} vs {own_score:.2f}; closest: {best.example!r})"))
    return problems


def validate_knowledge(directory: Path | str) -> list[Problem]:
    """Every problem in a knowledge folder: schema, references, duplicates, confusions."""
    return check_knowledge(directory)[0]


def check_knowledge(directory: Path | str, today: date | None = None) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings): problems stop the knowledge from serving; warnings (entries past
    their review date) do not."""
    try:
        snapshot = build_snapshot(directory)
    except KnowledgeError as exc:
        return list(exc.problems), []
    problems = list(snapshot.skipped)  # served without them, but `kb validate` insists they are finished
    problems += duplicate_examples(snapshot.kb, snapshot.matcher)
    problems += confusions(snapshot.kb, snapshot.matcher)
    return problems, review_warnings(snapshot.kb, today or date.today())

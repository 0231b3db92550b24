"""Checks across a whole knowledge base that must pass before it is served (see also
intents/kb_checks.py, the checks `secbot kb validate` adds with the question matcher)."""

from __future__ import annotations

from dataclasses import replace

from bot.knowledge_base import KnowledgeBase, KnowledgeError
from bot.yaml_source import Problem


def check_references(kb: KnowledgeBase) -> None:
    """Raise KnowledgeError for a `related` id that does not exist."""
    problems = []
    for intent in kb.intents.values():
        for other in intent.related:
            if other not in kb.intents:
                problems.append(Problem(intent.file, intent.line, f"intent '{intent.id}': related intent '{other}' does not exist"))
            elif other == intent.id:
                problems.append(Problem(intent.file, intent.line, f"intent '{intent.id}' lists itself as related"))
    if problems:
        raise KnowledgeError(problems)


def unfinished(kb: KnowledgeBase) -> dict[str, Problem]:
    """Scaffolded entries whose TODO placeholders were not filled in must never be served."""
    problems = {}
    for intent in kb.intents.values():
        texts = [intent.title.ja, intent.title.en, intent.answer.ja, intent.answer.en, intent.source.title]
        texts += [e for _, e in intent.all_examples()]
        if any(t.startswith("TODO") for t in texts):
            problems[intent.id] = Problem(intent.file, intent.line, f"intent '{intent.id}' still has TODO placeholders")
    return problems


def without_unfinished(kb: KnowledgeBase) -> tuple[KnowledgeBase, list[Problem]]:
    """The knowledge base without unfinished scaffolds, and what was left out: a scaffold just
    added by `secbot kb new-intent` must neither be served nor stop chat and serve from starting."""
    problems = unfinished(kb)
    if not problems:
        return kb, []
    return replace(kb, intents={k: v for k, v in kb.intents.items() if k not in problems}), list(problems.values())

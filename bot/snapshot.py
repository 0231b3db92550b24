"""An immutable, fully built knowledge snapshot and the holder that swaps it atomically.

A turn takes `holder.current` once and uses only that snapshot, so a reload in the middle
of a conversation turn can never mix old and new knowledge.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge_base import START_HINT, KnowledgeBase, NotKnowledgeFolder, load_knowledge
from bot.yaml_source import Problem
from intents.features import DEFAULT_ANALYZER, Analyzer
from intents.matcher import OFF_TOPIC, Matcher, Thresholds

log = logging.getLogger(__name__)

# Builders of the other parts of a snapshot (triage form and rules, checkups...), keyed by
# name. Each takes the knowledge base and returns its built model or raises KnowledgeError.
ComponentBuilder = Callable[[KnowledgeBase], Any]


def component_builders() -> dict[str, ComponentBuilder]:
    from intents.checkup.model import build_checkup  # noqa: PLC0415
    from intents.incident.model import build_triage  # noqa: PLC0415

    return {"triage": build_triage, "checkup": build_checkup}


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    matcher: Matcher
    components: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    skipped: tuple[Problem, ...] = ()  # unfinished scaffolds left out (not served)

    def component(self, name: str) -> Any:
        return self.components[name]


def build_matcher(kb: KnowledgeBase, analyzer: Analyzer = DEFAULT_ANALYZER) -> Matcher:
    m = kb.matching
    examples = [(intent.id, example) for intent in kb.intents.values() for _, example in intent.all_examples()]
    examples += [(OFF_TOPIC, example) for lang in ("ja", "en") for example in kb.off_topic.get(lang, ())]
    documents = [(intent.id, text) for intent in kb.intents.values()
                 for text in (intent.title.ja, intent.title.en, intent.answer.ja, intent.answer.en)]
    return Matcher(
        examples,
        documents=documents,
        synonyms=[(s.canonical, s.variants) for s in kb.synonyms],
        thresholds=Thresholds(m.answer_threshold, m.suggest_threshold, m.margin, m.sure_threshold, m.max_suggestions,
                              m.relative_margin, m.domain_weight, m.off_topic_weight, m.domain_sure_threshold),
        analyzer=analyzer,
    )


def build_snapshot(directory: Path | str, *, version: int = 1) -> Snapshot:
    """Load, check and index a knowledge folder; raise KnowledgeError on any problem."""
    from bot.kb_checks import check_references, without_unfinished  # noqa: PLC0415

    kb, skipped = without_unfinished(load_knowledge(directory))
    if skipped and not kb.intents:  # only scaffolds (`kb new-intent` into an empty folder): nothing to serve
        raise NotKnowledgeFolder([*skipped, Problem(str(directory), None,
                                                    f"no finished intents to serve: {START_HINT}")])
    for problem in skipped:
        log.warning("not served until its TODOs are filled in: %s", problem)
    check_references(kb)
    components = {name: build(kb) for name, build in component_builders().items()}
    return Snapshot(kb=kb, matcher=build_matcher(kb), components=components, version=version,
                    skipped=tuple(skipped))


class KnowledgeHolder:
    """Holds the current snapshot; `reload` swaps it only if the new one builds cleanly."""

    def __init__(self, snapshot: Snapshot):
        self._snapshot = snapshot
        self._lock = threading.Lock()

    @classmethod
    def load(cls, directory: Path | str) -> KnowledgeHolder:
        return cls(build_snapshot(directory))

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    def reload(self, directory: Path | str | None = None) -> Snapshot:
        with self._lock:
            target = directory or self._snapshot.kb.directory
            fresh = build_snapshot(target, version=self._snapshot.version + 1)
            self._snapshot = fresh
            return fresh

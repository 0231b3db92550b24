"""An immutable, fully built knowledge snapshot and the holder that swaps it atomically.

A turn takes `holder.current` once and uses only that snapshot, so a reload in the middle
of a conversation turn can never mix old and new knowledge.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.kb_checks import check_references, without_unfinished
from bot.knowledge_base import START_HINT, KnowledgeBase, NotKnowledgeFolder, load_knowledge
from bot.memory import bound_heap, release_free_memory
from bot.yaml_source import Problem

log = logging.getLogger(__name__)

# Builders of the parts of a snapshot that skills need (the question matcher, the triage form
# and rules, checkups...), keyed by name; the skills register them (intents/assemble.py). Each
# takes the knowledge base and returns its built model or raises KnowledgeError.
ComponentBuilder = Callable[[KnowledgeBase], Any]
Builders = Mapping[str, ComponentBuilder]


@dataclass(frozen=True)
class Snapshot:
    kb: KnowledgeBase
    components: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    skipped: tuple[Problem, ...] = ()  # unfinished scaffolds left out (not served)

    def component(self, name: str) -> Any:
        return self.components[name]

    @property
    def matcher(self) -> Any:
        """The Q&A skill's matcher (intents.matcher.Matcher)."""
        return self.components["matcher"]


def build_snapshot(directory: Path | str, builders: Builders, *, version: int = 1) -> Snapshot:
    """Load, check and index a knowledge folder; raise KnowledgeError on any problem."""
    bound_heap()
    kb, skipped = without_unfinished(load_knowledge(directory))
    if skipped and not kb.intents:  # only scaffolds (`kb new-intent` into an empty folder): nothing to serve
        raise NotKnowledgeFolder([*skipped, Problem(str(directory), None,
                                                    f"no finished intents to serve: {START_HINT}")])
    for problem in skipped:
        log.warning("not served until its TODOs are filled in: %s", problem)
    check_references(kb)
    components = {name: build(kb) for name, build in builders.items()}
    return Snapshot(kb=kb, components=components, version=version, skipped=tuple(skipped))


class KnowledgeHolder:
    """Holds the current snapshot; `reload` swaps it only if the new one builds cleanly."""

    def __init__(self, snapshot: Snapshot, builders: Builders):
        self._snapshot = snapshot
        self._builders = builders
        self._lock = threading.Lock()

    @classmethod
    def load(cls, directory: Path | str, builders: Builders) -> KnowledgeHolder:
        holder = cls(build_snapshot(directory, builders), builders)
        release_free_memory()
        return holder

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    def reload(self, directory: Path | str | None = None) -> Snapshot:
        with self._lock:
            target = directory or self._snapshot.kb.directory
            try:
                fresh = build_snapshot(target, self._builders, version=self._snapshot.version + 1)
                # The previous snapshot is freed here, or when the last turn using it ends.
                self._snapshot = fresh
            finally:
                release_free_memory()  # what the build (or a failed one) and the old snapshot freed
            return fresh

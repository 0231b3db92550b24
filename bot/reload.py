"""Hot reload: watch the knowledge folder and swap in a new snapshot when it builds cleanly.

A broken edit never replaces the serving knowledge: the problems (file and line) are logged
and kept in `last_problems` for the admin `reload` command and `/readyz` to show.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from bot.knowledge_base import KnowledgeError
from bot.metrics import RELOADS
from bot.snapshot import KnowledgeHolder, Snapshot
from bot.yaml_source import Problem

log = logging.getLogger(__name__)


class Reloader:
    def __init__(self, holder: KnowledgeHolder, *, on_reload: Callable[[Snapshot | None, list[Problem]], None] | None = None):
        self.holder = holder
        self.last_problems: list[Problem] = []
        self.on_reload = on_reload
        self._lock = asyncio.Lock()

    @property
    def directory(self) -> Path:
        return Path(self.holder.current.kb.directory)

    async def reload(self) -> tuple[Snapshot | None, list[Problem]]:
        """Rebuild in a worker thread (matching indexes take a moment); swap only on success."""
        async with self._lock:
            failure: KnowledgeError | None = None
            try:
                snapshot = await asyncio.to_thread(self.holder.reload)
            except KnowledgeError as exc:
                failure = exc
            if failure is not None:  # an expected outcome (a YAML mistake), logged without a traceback
                RELOADS.labels("failed").inc()
                self.last_problems = list(failure.problems)
                log.error("knowledge reload failed; still serving the previous version",
                          extra={"problems": [str(p) for p in failure.problems],
                                 "version": self.holder.current.version})
                result: tuple[Snapshot | None, list[Problem]] = (None, self.last_problems)
            else:
                RELOADS.labels("ok").inc()
                self.last_problems = []
                log.info("knowledge reloaded", extra={"version": snapshot.version, "intents": len(snapshot.kb.intents)})
                result = (snapshot, [])
        if self.on_reload:
            self.on_reload(*result)
        return result

    async def watch(self, *, debounce_ms: int = 400, stop_event: asyncio.Event | None = None) -> None:
        """Reload whenever a YAML file under the knowledge folder changes (until cancelled)."""
        from watchfiles import awatch

        def relevant(_: object, path: str) -> bool:
            return path.endswith((".yaml", ".yml"))

        async for _changes in awatch(self.directory, watch_filter=relevant, debounce=debounce_ms,
                                     stop_event=stop_event, recursive=True):
            await self.reload()


def start_watching(reloader: Reloader) -> asyncio.Task[None]:
    """Run the watcher in the background of the current event loop."""
    return asyncio.get_running_loop().create_task(reloader.watch(), name="secbot-knowledge-watch")

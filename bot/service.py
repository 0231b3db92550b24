"""Running secbot as a long-lived service: signals, hot reload, retention, graceful stop.

Platform front ends are coroutines `run(stop_event)` that serve until the event is set and
then finish their in-flight work. This module owns what every server shares.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot.engine import Bot
from bot.reload import start_watching
from bot.settings import Settings
from bot.store.base import StoreError
from bot.store.retention import OFFER_SECONDS

log = logging.getLogger(__name__)

FrontEnd = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
PURGE_INTERVAL_SECONDS = 3600  # a question kept for the "ask the team" offer lives at most ~2 h
# The store's statements run in a worker thread (aiosqlite) and come back through the GIL. With
# Python's default 5 ms switch interval each hop can wait that long behind the event loop's CPU
# work, and a turn makes several: under load the replies queued for seconds at 40% CPU
# (benchmarks/load.py: reply p99 4.1 s at 200 req/s; 0.13 s with 0.5 ms).
SWITCH_INTERVAL_SECONDS = 0.0005


async def purge_expired_data(bot: Bot, retention_days: int, *, now: float | None = None) -> int:
    """Delete what people typed and their ids after the retention period (see Store.purge_expired),
    and questions kept as typed for an offer that has expired."""
    now = time.time() if now is None else now
    return await bot.store.purge_expired(older_than=now - retention_days * 86_400,
                                         offers_older_than=now - OFFER_SECONDS)


async def _retention_loop(bot: Bot, retention_days: int) -> None:
    while True:
        try:
            removed = await purge_expired_data(bot, retention_days)
            if removed:
                log.info("purged expired data", extra={"removed": removed, "retention_days": retention_days})
        except StoreError as exc:
            log.warning("could not purge expired data", extra={"error": str(exc)})
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)


async def run_service(bot: Bot, settings: Settings, front_ends: Sequence[FrontEnd], *,
                      stop: asyncio.Event | None = None, watch_knowledge: bool = True) -> None:
    """Run the front ends until SIGTERM/SIGINT (or `stop`), then stop them and close the store."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL_SECONDS))
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    background = [loop.create_task(_retention_loop(bot, settings.question_retention_days), name="secbot-retention")]
    if watch_knowledge:
        background.append(start_watching(bot.reloader))
    servers = [loop.create_task(front_end(stop)) for front_end in front_ends]
    try:
        # A front end that fails to start (port taken) stops the others too.
        done, _ = await asyncio.wait(servers, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                stop.set()
                raise task.exception()  # type: ignore[misc]
    finally:
        stop.set()
        await asyncio.gather(*servers, return_exceptions=True)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await bot.store.close()
        sys.setswitchinterval(switch_interval)

"""/healthz, /readyz and /metrics for every aiohttp server secbot runs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from bot.engine import Bot
from bot.metrics import exposition

log = logging.getLogger(__name__)

ReadyCheck = Callable[[], Awaitable[str | None]]  # None when ready, else the reason


def add_ops_routes(app: web.Application, bot: Bot, *extra_checks: ReadyCheck,
                   info: Mapping[str, str] | None = None) -> None:
    """Liveness (the process answers), readiness (knowledge loaded, store reachable), metrics.

    `info` is added to the /healthz body (e.g. which front end, which mode)."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **(info or {})})

    async def readyz(_: web.Request) -> web.Response:
        problems = []
        try:
            await bot.store.check_writable()  # reads alone pass on a deleted, read-only or full database
        except Exception as exc:  # noqa: BLE001 - any store failure means not ready
            log.warning("readyz: the store cannot write: %s", exc)
            problems.append(f"store: {type(exc).__name__}")
        for check in extra_checks:
            reason = await check()
            if reason:
                problems.append(reason)
        snapshot = bot.knowledge.current
        body = {"status": "ok" if not problems else "unavailable", "knowledge_version": snapshot.version,
                "intents": len(snapshot.kb.intents), "problems": problems}
        return web.json_response(body, status=200 if not problems else 503)

    async def metrics(_: web.Request) -> web.Response:
        payload, content_type = exposition()
        return web.Response(body=payload, headers={"Content-Type": content_type})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)

"""/healthz for every public server; /readyz and /metrics on the operator port.

/healthz only says that the process answers, so load balancers may ask it on the public port.
/readyz and /metrics tell what the bot is doing (an incident of which type was just reported):
they are served on a port of their own (SECBOT_OPS_PORT), bound to loopback by default.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from bot.engine import Bot
from bot.http_limits import start_server
from bot.metrics import exposition
from bot.service import FrontEnd
from bot.settings import Settings

log = logging.getLogger(__name__)

ReadyCheck = Callable[[], Awaitable[str | None]]  # None when ready, else the reason


def add_health_route(app: web.Application, info: Mapping[str, str] | None = None) -> None:
    """Liveness (the process answers); `info` is added to the body (e.g. which front end, which mode)."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **(info or {})})

    app.router.add_get("/healthz", healthz)


def add_ops_routes(app: web.Application, bot: Bot, *extra_checks: ReadyCheck,
                   info: Mapping[str, str] | None = None) -> None:
    """Liveness, readiness (knowledge loaded, store reachable) and metrics."""

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

    add_health_route(app, info)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


def ops_front_end(bot: Bot, settings: Settings) -> FrontEnd:
    """The operator server as a front end of `bot.service.run_service`."""

    async def serve(stop: asyncio.Event) -> None:
        app = web.Application()
        add_ops_routes(app, bot, info={"service": "secbot-ops"})
        try:
            runner = await start_server(app, settings.ops_host, settings.ops_port, access_log=None)
        except OSError as exc:  # name the setting: the public port is not the one that is taken
            raise OSError(exc.errno, f"{exc.strerror or exc} (operator port {settings.ops_host}:{settings.ops_port}: "
                                     "set SECBOT_OPS_PORT)") from None
        try:
            where = ", ".join(f"{a[0]}:{a[1]}" for a in runner.addresses if isinstance(a, tuple))
            print(f"secbot: operator endpoints (/readyz, /metrics) on http://{where}", file=sys.stderr, flush=True)
            await stop.wait()
        finally:
            await runner.cleanup()

    return serve

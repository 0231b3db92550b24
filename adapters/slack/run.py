"""Run the Slack app as a front end of `bot.service.run_service`: HTTP mode or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable

from aiohttp import web

from adapters.slack.app import build_slack_app
from adapters.slack.server import EVENTS_PATH, SHUTDOWN_GRACE_SECONDS, build_server
from bot.engine import Bot
from bot.http_limits import start_server
from bot.service import FrontEnd
from bot.settings import Settings

log = logging.getLogger(__name__)


def slack_front_end(bot: Bot, settings: Settings, *, host: str, port: int, socket_mode: bool = False,
                    ready: Callable[[str], None] | None = None) -> FrontEnd:
    async def serve(stop: asyncio.Event) -> None:
        """Serve until `stop` is set; then stop accepting and finish acknowledged work."""
        slack = build_slack_app(bot, settings, socket_mode=socket_mode)
        await slack.warm_up()
        socket_handler = None
        runner: web.AppRunner | None = None
        try:
            runner = await start_server(build_server(slack, socket_mode=socket_mode), host, port,
                                        shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
            bound = _bound_port(runner) or port
            if socket_mode:
                from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

                socket_handler = AsyncSocketModeHandler(slack.bolt, settings.slack_app_token.reveal())
                await socket_handler.connect_async()
                message = f"Slack app connected in Socket Mode; health check on http://{host}:{bound}/healthz"
            else:
                message = f"Slack app listening on http://{host}:{bound}{EVENTS_PATH} (health: /healthz)"
            (ready or _print)(message)
            await stop.wait()
        finally:
            if socket_handler is not None:
                await socket_handler.close_async()
            if runner is not None:
                await runner.cleanup()  # HTTP mode: stops accepting, then drains the app's tasks
            await slack.drain(timeout=SHUTDOWN_GRACE_SECONDS)
            await slack.close()

    return serve


def _bound_port(runner: web.AppRunner) -> int | None:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return None


def _print(message: str) -> None:
    print(f"secbot: {message}", file=sys.stderr, flush=True)

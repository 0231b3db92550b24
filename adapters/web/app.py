"""The web application: every page of `secbot serve web` on one aiohttp app."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from pathlib import Path

from aiohttp import web

from adapters.web import admin, chat, supplier
from adapters.web.context import BOT_KEY, CONFIG_KEY, INVITE_LIMIT_KEY, LOGIN_LIMIT_KEY, NOTIFY_KEY, WebConfig
from adapters.web.notify import Notify, security_notifier
from adapters.web.pages import not_found_page, setup_templates
from adapters.web.security import CSRF_SECRET_KEY, IDENTITY_KEY, SECURE_KEY, RateLimiter, security_middleware
from bot.engine import Bot
from bot.http_limits import Limits, start_server
from bot.service import FrontEnd
from bot.settings import Settings

log = logging.getLogger(__name__)
FAVICON = Path(__file__).parent / "static" / "favicon.svg"


async def healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok")


async def favicon(_: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico whatever the page links: the same small SVG as /static/favicon.svg."""
    return web.FileResponse(FAVICON, headers={"Content-Type": "image/svg+xml"})


def create_app(bot: Bot, config: WebConfig | None = None, *, notify: Notify | None = None) -> web.Application:
    config = config or WebConfig.from_env()
    app = web.Application(middlewares=[security_middleware, not_found_page], client_max_size=256 * 1024)
    app[BOT_KEY] = bot
    app[CONFIG_KEY] = config
    app[NOTIFY_KEY] = notify
    app[SECURE_KEY] = config.secure_cookies
    app[CSRF_SECRET_KEY] = config.secret.encode() if config.secret else secrets.token_bytes(32)
    app[IDENTITY_KEY] = admin.signed_in_as
    app[INVITE_LIMIT_KEY] = RateLimiter()
    app[LOGIN_LIMIT_KEY] = RateLimiter()
    setup_templates(app)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/favicon.ico", favicon)
    supplier.routes(app)
    chat.routes(app)
    admin.routes(app)
    return app


def web_front_end(bot: Bot, settings: Settings, *, host: str, port: int, config: WebConfig | None = None) -> FrontEnd:
    """A front end for bot.service.run_service: serve the pages until `stop` is set."""

    async def run(stop: asyncio.Event) -> None:
        notifier = security_notifier(settings, bot)
        if notifier is None:
            log.warning("web: no security channel configured (Slack: SLACK_BOT_TOKEN + SECBOT_SECURITY_CHANNEL; Teams: "
                        "SECBOT_TEAMS_SECURITY_CHANNEL + MicrosoftAppId/Password): incidents reported on the web are "
                        "recorded but nobody is notified (see docs/web.md)")
        app = create_app(bot, config or WebConfig.from_env(knowledge_dir=settings.knowledge_dir), notify=notifier)
        runner = await start_server(app, host, port, limits=Limits())
        bound = runner.addresses[0][1] if runner.addresses else port
        print(f"secbot: web pages on http://{host}:{bound}/chat (admin: /admin; supplier links: "
              "`secbot checkup invite`)", file=sys.stderr, flush=True)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            if notifier is not None:
                await notifier.close()

    return run

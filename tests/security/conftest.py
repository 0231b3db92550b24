"""The real Slack and Teams servers on 127.0.0.1:0, each on its own event loop in a thread, so that
hypothesis (whose tests are synchronous) can send them thousands of requests with a plain client.

Every log record with a traceback from the app is collected: a hostile request must not make the
server fail even after the acknowledgement (in the background work).
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web

from adapters.slack.app import build_slack_app
from adapters.slack.server import build_server
from adapters.teams.app import build_teams_app
from adapters.teams.server import make_web_app
from bot.engine import Bot
from bot.settings import Settings
from intents.assemble import create_bot
from knowledge import SHIPPED_DIR
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.teams.fake_connector import FakeConnector
from tests.faults.serve_process import TEAMS_SECURITY_CHANNEL

T = TypeVar("T")


class Tracebacks(logging.Handler):
    """Collects the log records that carry an exception."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[0] is not None:
            self.records.append(record)

    def take(self) -> list[str]:
        found = [f"{r.name}: {r.getMessage()} ({r.exc_info[0].__name__})" for r in self.records]  # type: ignore[index]
        self.records.clear()
        return found


@dataclass
class ServerThread:
    """An event loop in a thread, running one server; `request` talks to it synchronously."""

    __test__ = False
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    port: int = 0
    bot: Bot | None = None
    fake: Any = None
    cleanups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self.loop.run_forever, name="secbot-fuzz-server", daemon=True)
        self._thread.start()

    def run(self, coroutine: Awaitable[T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]

    async def serve(self, app: web.Application) -> None:
        self.port = await self.start_app(app)

    async def start_app(self, app: web.Application) -> int:
        """Serve `app` on 127.0.0.1:0 until stop(); returns its port."""
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self.cleanups.append(runner.cleanup)
        return int(runner.addresses[0][1])

    def request(self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None,
                *, chunked: bool = False) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            if chunked:
                connection.putrequest(method, path)
                for name, value in (headers or {}).items():
                    connection.putheader(name, value)
                connection.putheader("Transfer-Encoding", "chunked")
                connection.endheaders()
                for start in range(0, len(body), 65536):
                    piece = body[start:start + 65536]
                    try:
                        connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        break  # the server refused the rest: its answer is what counts
                else:
                    connection.send(b"0\r\n\r\n")
            else:
                connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def settle(self) -> None:
        """Wait for the work started after acknowledgements (Slack's background tasks)."""
        slack = getattr(self, "slack", None)
        if slack is not None:
            self.run(slack.drain(timeout=20))

    def stop(self) -> None:
        async def close() -> None:
            for cleanup in reversed(self.cleanups):
                await cleanup()

        self.run(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def tracebacks() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    loggers = [logging.getLogger(name) for name in ("adapters", "bot", "intents", "slack_bolt", "aiohttp", "botbuilder")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture(scope="module")
def slack_server(tracebacks: Tracebacks) -> Iterator[ServerThread]:
    """The Slack app with the shipped knowledge (the real incident flow) and a fake Web API."""
    server = ServerThread()
    with tempfile.TemporaryDirectory(prefix="secbot-fuzz-slack-") as tmp:
        async def start() -> None:
            fake = await FakeSlack().start()
            server.fake = fake
            server.cleanups.append(fake.stop)
            settings = slack_settings(Path(tmp), SHIPPED_DIR, slack_api_url=fake.api_url)
            bot = await create_bot(settings)
            server.bot = bot
            server.cleanups.append(bot.store.close)
            slack = build_slack_app(bot, settings)
            server.slack = slack  # type: ignore[attr-defined]
            await server.serve(build_server(slack))

        server.run(start())
        yield server
        server.settle()
        server.stop()


@pytest.fixture(scope="module")
def teams_server(tracebacks: Tracebacks) -> Iterator[ServerThread]:
    """The Teams app in local mode with the shipped knowledge and a fake Bot Connector."""
    server = ServerThread()
    with tempfile.TemporaryDirectory(prefix="secbot-fuzz-teams-") as tmp:
        async def start() -> None:
            connector = FakeConnector()
            connector.url = f"http://127.0.0.1:{await server.start_app(connector.app())}"
            server.fake = connector
            settings = Settings.from_env({}, knowledge_dir=SHIPPED_DIR, database_url=f"sqlite:///{tmp}/teams.db",
                                         teams_security_channel=TEAMS_SECURITY_CHANNEL)
            bot = await create_bot(settings)
            server.bot = bot
            server.cleanups.append(bot.store.close)
            await server.serve(make_web_app(build_teams_app(bot, settings)))

        server.run(start())
        yield server
        server.stop()

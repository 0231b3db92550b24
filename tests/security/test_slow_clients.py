"""Slow and idle clients cannot hold the servers (issue 13, point 10): a connection that does not
finish its headers or its body in time is closed, connections are capped, and /healthz keeps
answering meanwhile. Real servers on 127.0.0.1:0, raw sockets for the slow clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from adapters.slack.app import build_slack_app
from adapters.slack.server import build_server
from adapters.teams.app import build_teams_app
from adapters.teams.server import make_web_app
from bot.http_limits import Limits, start_server
from bot.settings import Settings
from intents.assemble import create_bot
from tests.adapters.slack.conftest import slack_settings

FAST = Limits(header_seconds=0.5, body_seconds=0.5, max_connections=64)
Server = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve(tmp_path: Path, mini_knowledge: Path) -> AsyncIterator[Server]:
    """`await serve("slack" | "teams", limits, **settings)` -> the server's base URL."""
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def start(platform: str, limits: Limits = FAST, **overrides: object) -> str:
        if platform == "slack":
            settings = slack_settings(tmp_path, mini_knowledge, slack_api_url="http://127.0.0.1:9/api/", **overrides)
        else:
            settings = Settings.from_env({}, knowledge_dir=mini_knowledge, **overrides,
                                         database_url=f"sqlite:///{tmp_path / 'teams.db'}")
        bot = await create_bot(settings)
        cleanups.append(bot.store.close)
        app = build_server(build_slack_app(bot, settings)) if platform == "slack" \
            else make_web_app(build_teams_app(bot, settings))
        runner = await start_server(app, "127.0.0.1", 0, limits=limits)
        cleanups.append(runner.cleanup)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for cleanup in reversed(cleanups):
        await cleanup()


async def open_raw(url: str, data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    if data:
        writer.write(data)
        await writer.drain()
    return reader, writer


async def closed_by_server(reader: asyncio.StreamReader, within: float) -> bytes:
    """What the server said before closing (b"" if nothing); fails if it is still open after `within` s."""
    received = b""
    async with asyncio.timeout(within):
        while chunk := await reader.read(4096):
            received += chunk
    return received


async def healthy(url: str) -> bool:
    async with aiohttp.ClientSession() as session, session.get(url + "/healthz",
                                                               timeout=aiohttp.ClientTimeout(total=2)) as response:
        return response.status == 200


@pytest.mark.parametrize("platform,path", [("slack", "/slack/events"), ("teams", "/api/messages")])
async def test_connections_that_never_finish_their_headers_are_closed(serve: Server, platform: str, path: str) -> None:
    url = await serve(platform)
    slow = [await open_raw(url, f"POST {path} HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".encode()) for _ in range(40)]
    assert await healthy(url)  # answered while 40 clients dawdle
    for reader, writer in slow:
        await closed_by_server(reader, within=5)
        writer.close()
    assert await healthy(url)


@pytest.mark.parametrize("platform,path", [("slack", "/slack/events"), ("teams", "/api/messages")])
async def test_connections_that_never_finish_their_body_are_closed(serve: Server, platform: str, path: str) -> None:
    url = await serve(platform)
    head = (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Content-Length: 200000\r\n\r\n{\"type\": ").encode()
    slow = [await open_raw(url, head) for _ in range(20)]
    assert await healthy(url)
    for reader, writer in slow:
        answer = await closed_by_server(reader, within=5)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
        writer.close()
    assert await healthy(url)


async def test_connections_beyond_the_limit_are_refused_until_slots_free_up(serve: Server) -> None:
    url = await serve("teams", Limits(header_seconds=1.0, body_seconds=1.0, max_connections=8))
    idle = [await open_raw(url, b"") for _ in range(8)]
    await asyncio.sleep(0.1)
    reader, writer = await open_raw(url, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert (await closed_by_server(reader, within=2)).startswith(b"HTTP/1.1 503")
    writer.close()
    for reader, writer in idle:  # the idle ones time out ...
        await closed_by_server(reader, within=5)
        writer.close()
    assert await healthy(url)  # ... and the server answers again


async def test_slack_checks_the_signature_before_reading_the_body(serve: Server) -> None:
    url = await serve("slack")
    async with aiohttp.ClientSession() as session:
        for body in (b"[[[[[[", b"{\"type\": 5}", b"payload=%7B"):
            async with session.post(url + "/slack/events", data=body, headers={
                    "Content-Type": "application/json", "X-Slack-Request-Timestamp": "1700000000",
                    "X-Slack-Signature": "v0=" + "0" * 64}) as response:
                assert response.status == 401
                assert "JSON" not in await response.text() and "type" not in await response.text()


async def test_teams_with_an_app_id_wants_a_token_before_explaining_a_bad_body(serve: Server) -> None:
    url = await serve("teams", microsoft_app_id="00000000-0000-0000-0000-0000000000a1")
    async with aiohttp.ClientSession() as session:
        for body in (b"[[[[", json.dumps({"type": "message"}).encode()):
            async with session.post(url + "/api/messages", data=body,
                                    headers={"Content-Type": "application/json"}) as response:
                assert response.status == 401
                assert "serviceUrl" not in await response.text() and "JSON" not in await response.text()

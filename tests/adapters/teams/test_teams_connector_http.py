"""Bot Connector calls go through one aiohttp session with the same bearer token botframework sends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials

from adapters.teams.sdk.connector_http import use_aiohttp

from .fake_connector import FakeConnector


class IssuedToken(MicrosoftAppCredentials):
    """App credentials whose token comes from here instead of Azure AD (no network in tests)."""

    __test__ = False

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "token-from-azure-ad"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_replies_carry_the_bots_bearer_token(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    credentials = IssuedToken("00000000-0000-0000-0000-000000000001", "not-a-real-password")
    client = use_aiohttp(ConnectorClient(credentials, base_url=connector.url), http)
    await client.conversations.send_to_conversation("19:chat", Activity(type="message", text="こんにちは"))
    [call] = connector.messages()
    assert call.authorization == "Bearer token-from-azure-ad"
    assert call.body["text"] == "こんにちは" and call.conversation_id == "19:chat"


async def test_local_mode_sends_no_token(connector: FakeConnector, http: aiohttp.ClientSession) -> None:
    client = use_aiohttp(ConnectorClient(MicrosoftAppCredentials("", ""), base_url=connector.url), http)
    await client.conversations.send_to_conversation("19:chat", Activity(type="message", text="hi"))
    [call] = connector.messages()
    assert call.authorization is None


async def test_a_busy_connector_is_retried_then_answered_once(http: aiohttp.ClientSession) -> None:
    statuses = [503, 429, 201]
    seen: list[int] = []

    async def send(request: web.Request) -> web.Response:
        status = statuses[len(seen)]
        seen.append(status)
        headers = {"Retry-After": "0"} if status == 429 else {}
        return web.json_response({"id": "sent-1"} if status == 201 else {"error": {"code": "busy"}},
                                 status=status, headers=headers)

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation_id}/activities", send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        client = use_aiohttp(ConnectorClient(MicrosoftAppCredentials("", ""), base_url=f"http://127.0.0.1:{port}"), http)
        result = await client.conversations.send_to_conversation("19:chat", Activity(type="message", text="hi"))
    finally:
        await runner.cleanup()
    assert seen == [503, 429, 201] and result.id == "sent-1"


async def test_a_retried_call_carries_the_bearer_token_again(http: aiohttp.ClientSession) -> None:
    """A call retried after 503 is sent with its own headers, not with the busy answer's."""
    tokens: list[str | None] = []

    async def send(request: web.Request) -> web.Response:
        tokens.append(request.headers.get("Authorization"))
        if len(tokens) == 1:
            return web.json_response({"error": {"code": "busy"}}, status=503)
        return web.json_response({"id": "sent-1"}, status=201)

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation_id}/activities", send)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    credentials = IssuedToken("00000000-0000-0000-0000-000000000001", "not-a-real-password")
    try:
        client = use_aiohttp(ConnectorClient(credentials, base_url=f"http://127.0.0.1:{port}"), http)
        result = await client.conversations.send_to_conversation("19:chat", Activity(type="message", text="hi"))
    finally:
        await runner.cleanup()
    assert result.id == "sent-1"
    assert tokens == ["Bearer token-from-azure-ad", "Bearer token-from-azure-ad"]


class SlowAzureAd(MicrosoftAppCredentials):
    """MSAL's token fetch is a blocking HTTP call: here, a slow one."""

    __test__ = False

    def get_access_token(self, force_refresh: bool = False) -> str:
        import time

        time.sleep(0.5)
        return "slow-token"


async def test_the_token_fetch_does_not_block_the_event_loop(connector: FakeConnector,
                                                            http: aiohttp.ClientSession) -> None:
    import asyncio

    client = use_aiohttp(ConnectorClient(SlowAzureAd("00000000-0000-0000-0000-000000000001", "x"),
                                         base_url=connector.url), http)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    await client.conversations.send_to_conversation("19:chat", Activity(type="message", text="hi"))
    ticker.cancel()
    [call] = connector.messages()
    assert call.authorization == "Bearer slow-token"
    assert ticks > 10  # other coroutines ran while the token was fetched

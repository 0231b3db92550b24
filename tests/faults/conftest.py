"""Fault fixtures: the Slack and Teams fakes of tests/adapters, taught to stall and to fail.

`fake_slack` and `connector` override the fixtures of the same name that the adapters' harnesses
(`make_harness`, `start_server`, imported below) depend on, so those harnesses talk to these.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from tests.adapters.slack.conftest import make_harness  # noqa: F401 - fixture, used by the tests
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.teams.conftest import _start, start_server  # noqa: F401 - fixture, used by the tests
from tests.adapters.teams.fake_connector import FakeConnector


class FlakySlack(FakeSlack):
    """FakeSlack that can also stall: a stalled call is held past the client's timeout and then lost
    (never recorded), as when the request or its answer is dropped on the way."""

    __test__ = False

    def __init__(self) -> None:
        super().__init__()
        self.stalls: dict[str, list[float]] = {}
        self.delay = 0.0  # every call answers after this many seconds (slow but fine)

    def stall(self, method: str, seconds: float, *, times: int = 1) -> None:
        self.stalls.setdefault(method, []).extend([seconds] * times)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        queued = self.stalls.get(method)
        if queued:
            seconds = queued.pop(0)
            self.attempts.setdefault(method, []).append(asyncio.get_running_loop().time())
            await asyncio.sleep(seconds)
            return web.json_response({"ok": False, "error": "stalled"}, status=504)
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super()._api(request)


@dataclass
class FlakyConnector(FakeConnector):
    """FakeConnector whose sends to some conversations answer an HTTP error."""

    __test__ = False
    failing: dict[str, int] = field(default_factory=dict)  # conversation id -> status
    refused: list[str] = field(default_factory=list)

    async def send(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation_id"]
        status = self.failing.get(conversation)
        if status:
            self.refused.append(conversation)
            await request.read()
            return web.json_response({"error": {"code": "ServiceError", "message": "upstream failed"}}, status=status)
        return await super().send(request)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FlakySlack]:
    fake = FlakySlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def connector() -> AsyncIterator[FlakyConnector]:
    fake = FlakyConnector()
    runner, url = await _start(fake.app())
    fake.url = url
    yield fake
    await runner.cleanup()

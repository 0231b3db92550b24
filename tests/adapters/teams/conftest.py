"""Real HTTP on loopback: secbot's Teams server on port 0, a fake Bot Connector on port 0."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.teams.app import TeamsApp, build_teams_app
from adapters.teams.server import make_web_app
from bot.engine import Bot
from bot.settings import Settings

from .fake_connector import FakeConnector
from .fake_flow import FakeIncidentFlow

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads" / "teams"
_ids = itertools.count(1)


async def _start(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    runner, url = await _start(fake.app())
    fake.url = url
    yield fake
    await runner.cleanup()


@dataclass
class TeamsServer:
    __test__ = False
    url: str
    teams: TeamsApp
    connector: FakeConnector
    session: aiohttp.ClientSession

    @property
    def bot(self) -> Bot:
        return self.teams.bot

    def payload(self, fixture: str, **changes: Any) -> dict[str, Any]:
        """A fixture Activity pointing at the fake connector, with a fresh id; `changes` replace top-level keys."""
        activity = json.loads((PAYLOADS / f"{fixture}.json").read_text(encoding="utf-8"))
        activity["serviceUrl"] = self.connector.url + "/"
        activity["id"] = f"{activity['id']}-{next(_ids)}"
        activity.update(copy.deepcopy(changes))
        return activity

    async def post(self, activity: Mapping[str, Any] | str | bytes, *, headers: Mapping[str, str] | None = None,
                   content_type: str = "application/json") -> aiohttp.ClientResponse:
        data = activity if isinstance(activity, str | bytes) else json.dumps(activity)
        response = await self.session.post(f"{self.url}/api/messages", data=data,
                                           headers={"Content-Type": content_type, **(headers or {})})
        await response.read()
        return response


@pytest.fixture
async def start_server(connector: FakeConnector, make_bot: Callable[..., Any], mini_knowledge: Path
                       ) -> AsyncIterator[Callable[..., Any]]:
    """`await start_server(knowledge_dir=..., fake_flow=True, **settings)` -> TeamsServer."""
    runners: list[web.AppRunner] = []
    session = aiohttp.ClientSession()

    async def factory(*, knowledge_dir: Path | None = None, fake_flow: bool = True, **overrides: Any) -> TeamsServer:
        bot = await make_bot(knowledge_dir or mini_knowledge, **overrides)
        if fake_flow:
            flow = FakeIncidentFlow()
            bot.skills[flow.name] = flow
        settings = Settings.from_env({}, knowledge_dir=knowledge_dir or mini_knowledge,
                                     database_url=bot.store.url, **overrides)
        teams = build_teams_app(bot, settings)
        runner, url = await _start(make_web_app(teams))
        runners.append((runner, teams))
        return TeamsServer(url=url, teams=teams, connector=connector, session=session)

    yield factory
    await session.close()
    for runner, teams in runners:
        await runner.cleanup()
        await teams.close()


@pytest.fixture
async def server(start_server: Callable[..., Any]) -> TeamsServer:
    return await start_server(teams_security_channel="19:securityChannel@thread.tacv2")

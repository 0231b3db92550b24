"""Two real `secbot serve slack` processes on one PostgreSQL database, behind an imaginary load
balancer: a Slack retry landing on the other replica is handled once, and a conversation or a
triage started on one replica continues on the other (all state is in the database)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.store.postgres import PostgresStore
from knowledge import SHIPPED_DIR
from tests.adapters.slack.conftest import (
    BOT_TOKEN,
    SECURITY_CHANNEL,
    SIGNING_SECRET,
    opened_view,
    payload,
    sign,
)
from tests.adapters.slack.fake_slack import FakeSlack

REPO = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"listening on (http://[\d.]+:\d+)(/\S*)")


@dataclass
class Replica:
    name: str
    process: asyncio.subprocess.Process
    events_url: str = ""
    log: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    async def start(self) -> Replica:
        assert self.process.stderr is not None
        deadline = time.monotonic() + 60
        while not self.events_url:
            line = await asyncio.wait_for(self.process.stderr.readline(), timeout=max(0.1, deadline - time.monotonic()))
            if not line:
                raise AssertionError(f"replica {self.name} exited: {''.join(self.log)}")
            self.log.append(line.decode(errors="replace"))
            found = LISTENING.search(self.log[-1])
            if found:
                self.events_url = found.group(1) + found.group(2)
        self._reader = asyncio.create_task(self._drain())
        return self

    async def _drain(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.log.append(line.decode(errors="replace"))

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, timeout=5)


async def start_replica(name: str, database_url: str, fake: FakeSlack) -> Replica:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECBOT_")) or k == "SECBOT_CACHE_DIR"}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SECBOT_SECURITY_CHANNEL=SECURITY_CHANNEL,
               SECBOT_SLACK_API_URL=fake.api_url, SECBOT_DATABASE_URL=database_url, PYTHONUNBUFFERED="1",
               SECBOT_OPS_PORT="0")  # two replicas on one host: an operator port each
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "serve", "slack", "--host", "127.0.0.1", "--port", "0",
        "--knowledge", str(SHIPPED_DIR), cwd=REPO, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    return await Replica(name, process).start()


@pytest.fixture
async def replicas(pg_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[Replica, Replica]]:
    # Both start at once on an empty database: the migrations' advisory lock keeps them apart.
    started = await asyncio.gather(start_replica("a", pg_url, fake_slack), start_replica("b", pg_url, fake_slack),
                                   return_exceptions=True)
    running = [r for r in started if isinstance(r, Replica)]
    try:
        for result in started:
            if isinstance(result, BaseException):
                raise result
        yield running[0], running[1]
    finally:
        for replica in running:
            await replica.stop()


@pytest.fixture
async def db(pg_url: str) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(pg_url)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(http: aiohttp.ClientSession, replica: Replica, body: str, content_type: str,
               headers: Mapping[str, str] | None = None) -> tuple[int, str]:
    all_headers = {"Content-Type": content_type, **sign(body), **(headers or {})}
    async with http.post(replica.events_url, data=body.encode(), headers=all_headers) as response:
        return response.status, await response.text()


async def post_json(http: aiohttp.ClientSession, replica: Replica, data: Mapping[str, Any],
                    headers: Mapping[str, str] | None = None) -> tuple[int, str]:
    return await post(http, replica, json.dumps(data, ensure_ascii=False), "application/json", headers)


async def post_payload(http: aiohttp.ClientSession, replica: Replica, data: Mapping[str, Any]) -> tuple[int, str]:
    return await post(http, replica, urlencode({"payload": json.dumps(data, ensure_ascii=False)}),
                      "application/x-www-form-urlencoded")


def dm_event(text: str, event_id: str, *, user: str = "U0ALICE") -> dict[str, Any]:
    body = payload("event_message_im")
    body["event_id"] = event_id
    body["event"].update(user=user, text=text, ts=f"{time.time():.6f}", event_ts=f"{time.time():.6f}")
    return body


def posts_to(fake: FakeSlack, channel: str) -> list[Any]:
    return [c for c in fake.called("chat.postMessage") if c.get("channel") == channel]


async def settle(fake: FakeSlack, seconds: float = 1.5) -> None:
    """Give a wrongly duplicated delivery time to show up."""
    await asyncio.sleep(seconds)


RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


async def test_an_event_retried_on_the_other_replica_gets_one_reply(
        replicas: tuple[Replica, Replica], fake_slack: FakeSlack, http: aiohttp.ClientSession,
        db: PostgresStore) -> None:
    a, b = replicas
    event = dm_event("JC-STARとは", "Ev0REPLICA0001")
    results = await asyncio.gather(post_json(http, a, event), post_json(http, b, event, RETRY))
    assert [status for status, _ in results] == [200, 200]
    await fake_slack.wait_for("chat.postMessage", 1, timeout=20)
    await settle(fake_slack)
    [reply] = fake_slack.called("chat.postMessage")
    assert reply["channel"] == "D0ALICE" and "JC-STAR" in reply.rendered()
    assert await db.fetchall("SELECT id FROM deliveries") == [("slack:Ev0REPLICA0001",)]


async def test_many_events_each_sent_to_both_replicas_get_one_reply_each(
        replicas: tuple[Replica, Replica], fake_slack: FakeSlack, http: aiohttp.ClientSession) -> None:
    a, b = replicas
    events = [dm_event("JC-STARとは", f"Ev0MANY{n:04d}", user=f"U0USER{n}") for n in range(10)]
    await asyncio.gather(*(post_json(http, replica, event, RETRY if replica is b else None)
                           for event in events for replica in (a, b)))
    await fake_slack.wait_for("chat.postMessage", 10, timeout=30)
    await settle(fake_slack)
    channels = [c["channel"] for c in fake_slack.called("chat.postMessage")]
    assert len(channels) == 10  # one reply per event, whichever replica won the claim


async def test_a_conversation_started_on_one_replica_continues_on_the_other(
        replicas: tuple[Replica, Replica], fake_slack: FakeSlack, http: aiohttp.ClientSession,
        db: PostgresStore) -> None:
    a, b = replicas
    question = "社内の観葉植物の水やり当番表はどこですか"  # nothing in the knowledge answers this
    await post_json(http, a, dm_event(question, "Ev0CONV0001"))
    [unknown] = await fake_slack.wait_for("chat.postMessage", 1, timeout=20)
    assert "expert:ask" in unknown.button_values(), unknown.rendered()

    click = payload("block_actions_button")  # "ask the security team", clicked on the other replica
    click["container"]["channel_id"] = click["channel"]["id"] = "D0ALICE"
    click["response_url"] = fake_slack.response_url("actions-U0ALICE")
    click["actions"][0].update(value="expert:ask", action_id="secbot_button_0", action_ts=f"{time.time_ns()}")
    status, _ = await post_payload(http, b, click)
    assert status == 200

    deadline = time.monotonic() + 20
    while not posts_to(fake_slack, SECURITY_CHANNEL) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    [forwarded] = posts_to(fake_slack, SECURITY_CHANNEL)
    assert question in forwarded.rendered()  # replica b read what replica a kept in the database
    [record] = await db.list_expert_questions()
    assert record.question == question and record.id == "Q-1"


async def test_a_triage_opened_on_one_replica_and_submitted_twice_across_both_makes_one_incident(
        replicas: tuple[Replica, Replica], fake_slack: FakeSlack, http: aiohttp.ClientSession,
        db: PostgresStore) -> None:
    a, b = replicas
    command = payload("command_incident")
    command.update(command="/incident", text="", user_id="U0ALICE", channel_id="C0GENERAL",
                   response_url=fake_slack.response_url("commands-U0ALICE"), trigger_id=f"{time.time_ns()}.trigger")
    status, _ = await post(http, a, urlencode(command), "application/x-www-form-urlencoded")
    assert status == 200
    [opened] = await fake_slack.wait_for("views.open", 1, timeout=20)

    view = opened.view
    values = answers_for(view)
    submission = payload("view_submission")
    submission["view"] = opened_view(view, view_id="V0REPLICA01", values=values)
    body = urlencode({"payload": json.dumps(submission, ensure_ascii=False)})
    results = await asyncio.gather(post(http, b, body, "application/x-www-form-urlencoded"),
                                   post(http, a, body, "application/x-www-form-urlencoded"))
    assert [status for status, _ in results] == [200, 200], results
    for _, text in results:
        assert "errors" not in text, text

    deadline = time.monotonic() + 20
    while not posts_to(fake_slack, SECURITY_CHANNEL) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await settle(fake_slack)
    [incident] = await db.list_incidents()
    assert incident.reporter == "U0ALICE"
    notices = posts_to(fake_slack, SECURITY_CHANNEL)
    assert len(notices) == 1 and incident.id in notices[0].rendered()


def answers_for(view: Mapping[str, Any]) -> dict[str, str]:
    """A plausible answer for every input of the modal: the first choice, or some text."""
    values: dict[str, str] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        if element.get("options"):
            values[block["block_id"]] = element["options"][0]["value"]
        elif block["block_id"].endswith("_at"):  # a date and time: "now" is accepted
            values[block["block_id"]] = "今"
        else:
            values[block["block_id"]] = "不審なメールの添付ファイルを開いてしまった"
    return values

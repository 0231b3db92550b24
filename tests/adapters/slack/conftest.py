"""The Slack app on loopback, a fake Slack Web API, and signed requests shaped like Slack's."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from adapters.slack.app import SlackApp, build_slack_app
from adapters.slack.server import EVENTS_PATH, build_server
from bot.engine import Bot
from bot.settings import Secret, Settings
from bot.skills import Flow
from intents.assemble import create_bot
from knowledge import SHIPPED_DIR
from tests.adapters.slack.fake_slack import FakeSlack

PAYLOADS = Path(__file__).resolve().parents[2] / "fixtures" / "payloads" / "slack"
SIGNING_SECRET = "test-signing-secret-not-a-real-one"  # fixtures hold no real secrets
BOT_TOKEN = "xoxb-test-token-not-a-real-one"
SECURITY_CHANNEL = "C0SECURITY"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


class SlackHarness:
    """Sends what Slack would send to the real app and waits for the work after the ack."""

    __test__ = False

    def __init__(self, slack: SlackApp, fake: FakeSlack, base_url: str, session: aiohttp.ClientSession):
        self.slack = slack
        self.bot = slack.bot
        self.fake = fake
        self.url = base_url + EVENTS_PATH
        self.base_url = base_url
        self.session = session
        self._events = 0

    async def post(self, body: str, content_type: str, *, headers: Mapping[str, str] | None = None,
                   signed: bool = True, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   ) -> tuple[int, str, float]:
        all_headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        if signed:
            all_headers |= sign(body, secret=secret, timestamp=timestamp)
        all_headers |= dict(headers or {})
        started = time.monotonic()
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as response:
            text = await response.text()
            return response.status, text, time.monotonic() - started

    async def post_json(self, data: Mapping[str, Any], **kwargs: Any) -> tuple[int, str, float]:
        return await self.post(json.dumps(data, ensure_ascii=False), "application/json", **kwargs)

    async def post_form(self, fields: Mapping[str, str], **kwargs: Any) -> tuple[int, str, float]:
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    async def post_payload(self, data: Mapping[str, Any], **kwargs: Any) -> tuple[int, str, float]:
        return await self.post_form({"payload": json.dumps(data, ensure_ascii=False)}, **kwargs)

    # -- what users do ------------------------------------------------------------------------
    def event_body(self, kind: str, text: str, *, user: str = "U0ALICE", channel: str | None = None,
                   event_id: str | None = None, thread_ts: str | None = None) -> dict[str, Any]:
        body = payload("event_app_mention" if kind == "mention" else "event_message_im")
        self._events += 1
        body["event_id"] = event_id or f"Ev0TEST{self._events:06d}"
        event = body["event"]
        event["user"] = user
        event["text"] = f"<@U0SECBOT> {text}" if kind == "mention" else text
        event["ts"] = event["event_ts"] = f"1700001000.{self._events:06d}"
        if channel:
            event["channel"] = channel
        if thread_ts:
            event["thread_ts"] = thread_ts
        return body

    async def dm(self, text: str, **kwargs: Any) -> tuple[int, str, float]:
        return await self.post_json(self.event_body("dm", text, **kwargs))

    async def mention(self, text: str, **kwargs: Any) -> tuple[int, str, float]:
        return await self.post_json(self.event_body("mention", text, **kwargs))

    async def command(self, text: str = "", *, command: str = "/incident", user: str = "U0ALICE",
                      channel: str = "C0GENERAL") -> tuple[int, str, float]:
        fields = payload("command_incident")
        fields.update(command=command, text=text, user_id=user, channel_id=channel,
                      response_url=self.fake.response_url(f"commands-{user}"),
                      trigger_id=f"{time.time_ns()}.trigger")
        return await self.post_form(fields)

    async def click(self, value: str, *, channel: str = "D0ALICE", user: str = "U0ALICE",
                    action_id: str = "secbot_button_0", thread_ts: str | None = None,
                    action_ts: str | None = None) -> tuple[int, str, float]:
        body = payload("block_actions_button")
        body["user"]["id"] = user
        body["container"]["channel_id"] = body["channel"]["id"] = channel
        if thread_ts:
            body["container"]["thread_ts"] = body["message"]["thread_ts"] = thread_ts
        body["response_url"] = self.fake.response_url(f"actions-{user}")
        body["actions"][0].update(value=value, action_id=action_id, action_ts=action_ts or f"{time.time_ns()}")
        return await self.post_payload(body)

    async def select_in_modal(self, view: Mapping[str, Any], field: str, value: str,
                              values: Mapping[str, str] | None = None, *, view_id: str = "V00000001",
                              ) -> tuple[int, str, float]:
        body = payload("block_actions_modal_select")
        shown = opened_view(view, view_id=view_id, values={**(values or {}), field: value})
        body["view"] = shown
        body["container"]["view_id"] = view_id
        body["actions"][0].update(action_id=field, block_id=field,
                                  selected_option={"text": {"type": "plain_text", "text": value}, "value": value})
        return await self.post_payload(body)

    async def submit(self, view: Mapping[str, Any], values: Mapping[str, str], *, user: str = "U0ALICE",
                     view_id: str = "V00000001") -> tuple[int, dict[str, Any], float]:
        body = payload("view_submission")
        body["user"]["id"] = user
        body["view"] = opened_view(view, view_id=view_id, values=values)
        status, text, elapsed = await self.post_payload(body)
        return status, (json.loads(text) if text.strip() else {}), elapsed

    async def settle(self) -> None:
        """Wait for the work Slack's 3-second rule pushed after the acknowledgement."""
        await self.slack.drain(timeout=20)


def opened_view(view: Mapping[str, Any], *, view_id: str, values: Mapping[str, str]) -> dict[str, Any]:
    """The view as Slack sends it back: our blocks, plus id, hash and the user's input state."""
    shown = copy.deepcopy(dict(view))
    shown.update(id=view_id, team_id="T0TEAM", hash=f"{time.time_ns()}.hash")
    shown.setdefault("private_metadata", "")
    state: dict[str, dict[str, Any]] = {}
    for block in shown.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        value = values.get(block["block_id"])
        if element["type"] == "static_select":
            option = next((o for o in element["options"] if o["value"] == value), None)
            entry = {"type": "static_select", "selected_option": option}
        else:
            entry = {"type": "plain_text_input", "value": value}
        state[block["block_id"]] = {element["action_id"]: entry}
    shown["state"] = {"values": state}
    return shown


def slack_settings(tmp_path: Path, knowledge_dir: Path | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "knowledge_dir": knowledge_dir or SHIPPED_DIR,
        "database_url": f"sqlite:///{tmp_path / 'slack.db'}",
        "slack_bot_token": Secret(BOT_TOKEN),
        "slack_signing_secret": Secret(SIGNING_SECRET),
        "security_channel": SECURITY_CHANNEL,
    }
    values.update(overrides)
    return Settings.from_env({}, **values)


@pytest.fixture
async def make_harness(tmp_path: Path, fake_slack: FakeSlack) -> AsyncIterator[Callable[..., Any]]:
    """`await make_harness(knowledge_dir=None, flows=(), **settings)`: the real app on 127.0.0.1:0."""
    cleanups: list[Callable[[], Any]] = []

    async def factory(knowledge_dir: Path | None = None, *, flows: Iterable[Flow] = (), **overrides: Any,
                      ) -> SlackHarness:
        settings = slack_settings(tmp_path, knowledge_dir, slack_api_url=fake_slack.api_url, **overrides)
        bot: Bot = await create_bot(settings)
        for flow in flows:
            bot.skills[flow.name] = flow
        slack = build_slack_app(bot, settings)  # its Web API client follows SECBOT_SLACK_API_URL
        runner = web.AppRunner(build_server(slack))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        session = aiohttp.ClientSession()
        port = runner.addresses[0][1]

        async def cleanup() -> None:
            await session.close()
            await runner.cleanup()
            await bot.store.close()

        cleanups.append(cleanup)
        return SlackHarness(slack, fake_slack, f"http://127.0.0.1:{port}", session)

    yield factory
    for cleanup in reversed(cleanups):
        await cleanup()

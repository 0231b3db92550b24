"""A local stand-in for Slack's Web API (and response_url endpoints) that records every call.

Like bolt-python's tests/mock_web_api_server, but on aiohttp and port 0. It answers the way
Slack does (`{"ok": true, ...}`), can be told to fail a method a few times (429 with
Retry-After, 5xx, `{"ok": false}`), and keeps the calls so tests can assert what a user saw.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

__test__ = False

BOT_USER_ID = "U0SECBOT"
BOT_ID = "B0SECBOT"
TEAM_ID = "T0TEAM"


@dataclass
class Call:
    method: str  # "chat.postMessage", ..., or "response_url"
    body: dict[str, Any]
    authorization: str | None = None
    status: int = 200

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        raw = self.body.get("blocks") or []
        return json.loads(raw) if isinstance(raw, str) else raw

    @property
    def view(self) -> dict[str, Any]:
        raw = self.body.get("view") or {}
        return json.loads(raw) if isinstance(raw, str) else raw

    def rendered(self) -> str:
        """Everything a person would read in the message: text, block texts, button labels, links."""
        return "\n".join([str(self.body.get("text") or "")] + list(_texts(self.blocks or self.view.get("blocks", []))))

    def button_values(self) -> list[str]:
        return [e["value"] for b in self.blocks if b.get("type") == "actions" for e in b["elements"] if "value" in e]


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for key, value in node.items() if key != "text" or not isinstance(value, str)
                        for t in _texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[Failure]] = {}
        self.attempts: dict[str, list[float]] = {}
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/response/{token}", self._response_url)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, token: str = "T0TEAM/1/abc") -> str:
        return f"{self.url}/response/{token.replace('/', '-')}"

    # -- scripting --------------------------------------------------------------------------
    def fail(self, method: str, *, status: int = 200, body: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, times: int = 1) -> None:
        self.failures.setdefault(method, []).append(
            Failure(status, body or {"ok": False, "error": "fatal_error"}, headers or {}, times))

    # -- queries ----------------------------------------------------------------------------
    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while len(self.called(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {method} call(s), got {len(self.called(method))}: "
                                     f"{[c.method for c in self.calls]}")
            await asyncio.sleep(0.02)
        return self.called(method)

    # -- handlers ---------------------------------------------------------------------------
    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.content_type == "application/json" and raw:
            return json.loads(raw)
        return dict(parse_qsl(raw)) | dict(request.query)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.attempts.setdefault(method, []).append(time.monotonic())
        body = await self._body(request)
        queued = self.failures.get(method)
        if queued:
            failure = queued[0]
            failure.times -= 1
            if failure.times <= 0:
                queued.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        self.calls.append(Call(method, body, request.headers.get("Authorization")))
        return web.json_response(self._answer(method, body))

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await self._body(request)))
        return web.Response(text="ok")

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://example.slack.com/", "team": "Example", "user": "secbot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": body.get("channel"), "ts": ts,
                    "message": {"type": "message", "text": body.get("text"), "bot_id": BOT_ID, "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method in ("views.open", "views.update", "views.push"):
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else dict(view or {})
            view_id = body.get("view_id") or f"V{next(self._views):08d}"
            return {"ok": True, "view": {**view, "id": view_id, "team_id": TEAM_ID, "hash": f"h{time.time_ns()}",
                                         "state": {"values": {}}}}
        return {"ok": True}

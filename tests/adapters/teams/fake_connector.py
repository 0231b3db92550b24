"""A local fake of the Bot Framework Connector (Teams' REST API) that records every call.

The Activities we POST to secbot carry `serviceUrl` = this server, so every reply, proactive
post and new conversation the bot makes lands here, answered the way the connector answers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CARD = "application/vnd.microsoft.card.adaptive"


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str | None
    reply_to_id: str | None
    body: dict[str, Any]
    authorization: str | None = None  # the Authorization header the bot sent

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.body.get("attachments") or [] if a.get("contentType") == CARD]

    @property
    def card(self) -> dict[str, Any]:
        (card,) = self.cards
        return card


@dataclass
class FakeConnector:
    __test__ = False
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    fail_create_conversation: bool = False
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create_conversation)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self.send)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self.send)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self.send)
        return app

    async def create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("POST", request.path, None, None, body))
        if self.fail_create_conversation:
            return web.json_response({"error": {"code": "Forbidden", "message": "app not installed for user"}},
                                     status=403)
        number = next(self._ids)
        return web.json_response({"id": f"a:personal-{number}", "activityId": f"1:{number}", "serviceUrl": self.url},
                                 status=201)

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call(request.method, request.path, request.match_info["conversation_id"],
                               request.match_info.get("activity_id"), body, request.headers.get("Authorization")))
        return web.json_response({"id": f"sent-{next(self._ids)}"}, status=201)

    # -- what the tests read ------------------------------------------------------------------
    def messages(self) -> list[Call]:
        return [c for c in self.calls if c.conversation_id is not None]

    def to(self, conversation_id: str) -> list[Call]:
        return [c for c in self.messages() if c.conversation_id == conversation_id]

    def created(self) -> list[Call]:
        return [c for c in self.calls if c.conversation_id is None]

    def all_cards(self) -> list[dict[str, Any]]:
        return [card for call in self.messages() for card in call.cards]

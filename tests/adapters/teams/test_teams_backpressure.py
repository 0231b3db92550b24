"""Past SECBOT_MAX_IN_FLIGHT questions in progress a Teams message is told to come back, while
incident card submits are still filed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.models import IncomingMessage, Response

from .conftest import TeamsServer

LIMIT = 2
SUBMIT = {"secbot_action": "incident_submit", "incident_type": "phishing", "noticed_at": "2026-11-27",
          "noticed_at__time": "09:30", "summary": "Clicked a link in a fake invoice e-mail", "ransom_note": ""}


def hold_questions(server: TeamsServer) -> asyncio.Event:
    """Questions wait in the core until the returned event is set; card submits go straight through."""
    gate = asyncio.Event()
    bot = server.bot
    handle = bot.handle

    async def held(message: IncomingMessage) -> Response:
        if not message.form_id:
            await gate.wait()
        return await handle(message)

    bot.handle = held  # type: ignore[method-assign]
    return gate


def conversation(n: int) -> dict[str, Any]:
    return {"conversationType": "personal", "tenantId": "9c8b7a6d-0000-4000-8000-0000000000t1", "id": f"a:busy{n}"}


async def test_questions_past_the_limit_are_told_to_send_again_and_submits_still_go_through(
        start_server: Callable[..., Any]) -> None:
    server: TeamsServer = await start_server(max_in_flight=LIMIT)
    flow = server.bot.skills["incident"]
    gate = hold_questions(server)
    held = [asyncio.ensure_future(server.post(server.payload("message_personal", text="what is jc-star",
                                                            conversation=conversation(n)))) for n in range(LIMIT)]
    while server.teams.handler.limit.active < LIMIT:
        await asyncio.sleep(0.01)

    refused = await asyncio.gather(*(server.post(server.payload("message_personal", text="what is jc-star",
                                                                conversation=conversation(n)))
                                     for n in range(LIMIT, LIMIT + 4)))
    assert [r.status for r in refused] == [200] * 4
    busy = [c for c in server.connector.messages() if c.conversation_id.startswith("a:busy")]
    assert sorted(c.conversation_id for c in busy) == [f"a:busy{n}" for n in range(LIMIT, LIMIT + 4)]
    assert all("busy" in c.body["text"] and "again" in c.body["text"] for c in busy)
    assert server.teams.handler.limit.peak == LIMIT

    submitted = await server.post(server.payload("card_submit_personal", value=SUBMIT))
    assert submitted.status == 200
    assert [s["summary"] for s in flow.submissions] == [SUBMIT["summary"]]  # filed while saturated

    gate.set()
    await asyncio.gather(*held)
    answered = [c.conversation_id for c in server.connector.messages() if c.conversation_id.startswith("a:busy")]
    assert sorted(answered) == sorted([f"a:busy{n}" for n in range(LIMIT + 4)])  # one message each
    assert server.teams.handler.limit.active == 0

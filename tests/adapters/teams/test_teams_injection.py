"""User text reaches the security channel as text, never as a markdown link (issue 13, point 9)."""

from __future__ import annotations

import re

from .conftest import TeamsServer

SECURITY = "19:securityChannel@thread.tacv2"
LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")


def text_blocks(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "TextBlock" else []
        return own + [t for value in node.values() for t in text_blocks(value)]
    if isinstance(node, list):
        return [t for item in node for t in text_blocks(item)]
    return []


async def test_a_reporters_text_and_name_are_not_rendered_as_links(server: TeamsServer) -> None:
    activity = server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "phishing",
        "summary": "Mail said [Click here](https://evil.example/reauth) to keep the account"})
    activity["from"]["name"] = "[IT Support](https://evil.example/login)"
    assert (await server.post(activity)).status == 200
    [note] = server.connector.to(SECURITY)
    blocks = text_blocks(note.card)
    assert any("Click here" in t for t in blocks) and any("IT Support" in t for t in blocks)
    assert not [t for t in blocks if LINK.search(t)]

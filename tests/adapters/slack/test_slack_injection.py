"""User text reaches the security channel as text, never as Slack markup (issue 13, point 9)."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.slack.conftest import SECURITY_CHANNEL

HOSTILE = "<!channel> VPN down <https://evil.example/login|Click to re-auth> & <@U0BOSS> now"


async def test_a_forwarded_question_cannot_ping_the_channel_or_hide_a_link(make_harness, mini_knowledge: Path) -> None:
    slack = await make_harness(mini_knowledge)
    await slack.dm(HOSTILE)
    [offer] = await slack.fake.wait_for("chat.postMessage")
    assert "expert:ask" in offer.button_values()
    await slack.click("expert:ask")
    posts = await slack.fake.wait_for("chat.postMessage", 3)
    [note] = [p for p in posts if p["channel"] == SECURITY_CHANNEL]
    texts = [note["text"], *(b["text"]["text"] for b in note.blocks if b.get("type") == "section")]
    for text in texts:  # the notification banner (top-level text) and every block
        assert "<!channel>" not in text and "<https://" not in text and "<@U0BOSS>" not in text
        assert "&lt;!channel&gt;" in text and "&amp;" in text  # still readable as typed

"""/incident end to end with the real triage flow (intents/incident) and the shipped knowledge."""

from __future__ import annotations

from tests.adapters.slack.conftest import SECURITY_CHANNEL


def answers_for(view: dict, overrides: dict[str, str]) -> dict[str, str]:
    """A plausible answer to every required field the modal shows."""
    values: dict[str, str] = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block.get("optional"):
            continue
        element = block["element"]
        if element["type"] == "static_select":
            values[block["block_id"]] = element["options"][0]["value"]
        else:
            values[block["block_id"]] = "now" if "at" in block["block_id"].split("_") else "The file server is encrypted."
    return values | overrides


async def test_incident_modal_to_private_result_and_security_channel(make_harness) -> None:
    slack = await make_harness()
    await slack.command("")
    [opened] = await slack.fake.wait_for("views.open")
    view = opened.view
    assert view["callback_id"] == "incident_form"
    fields = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert "incident_type" in fields and "phishing_detail" not in fields  # conditional: hidden at first

    await slack.select_in_modal(view, "incident_type", "phishing_bec")
    [update] = await slack.fake.wait_for("views.update")
    assert "phishing_detail" in [b["block_id"] for b in update.view["blocks"] if b["type"] == "input"]

    status, body, _ = await slack.submit(view, {"incident_type": "ransomware"})
    assert status == 200 and body.get("response_action") == "errors" and body["errors"]

    values = answers_for(view, {"incident_type": "ransomware"})
    status, body, _ = await slack.submit(view, values)
    assert (status, body) == (200, {})
    status, body, _ = await slack.submit(view, values)  # delivered twice
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    await slack.settle()
    posts = slack.fake.called("chat.postMessage")
    assert sorted(p["channel"] for p in posts) == sorted(["U0ALICE", SECURITY_CHANNEL])  # one incident
    assert "C0GENERAL" not in [c.get("channel") for c in slack.fake.calls]
    [private] = [p for p in posts if p["channel"] == "U0ALICE"]
    assert "セキュリティチームに通知しました" in private.rendered() or "security team has been notified" in private.rendered()


async def test_a_refused_channel_post_is_not_reported_as_notified(make_harness) -> None:
    """Slack refused the security channel's message: the reporter is told it was not sent and is in the record."""
    slack = await make_harness()
    slack.fake.fail("chat.postMessage", body={"ok": False, "error": "not_in_channel"})
    await slack.command("")
    [opened] = await slack.fake.wait_for("views.open")
    status, _, _ = await slack.submit(opened.view, answers_for(opened.view, {"incident_type": "ransomware"}))
    assert status == 200
    [private] = await slack.fake.wait_for("chat.postMessage")  # the refused post is not recorded
    assert private["channel"] == "U0ALICE" and slack.fake.attempts["chat.postMessage"]
    told = private.rendered()
    assert ("送信されていません" in told or "NOT been notified" in told) and "INC-" in told
    assert "通知しました" not in told and "has been notified" not in told

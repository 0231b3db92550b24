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

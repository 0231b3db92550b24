"""/checkup over real HTTP: the slash command opens a modal, a bad submission keeps it open with
errors per field, a good one closes it and the result arrives privately, with knowledge buttons."""

from __future__ import annotations

from typing import Any

from knowledge import SHIPPED_DIR
from tests.adapters.slack.conftest import SECURITY_CHANNEL


def all_answers(view: dict[str, Any], choice: int = 0, **overrides: str) -> dict[str, str]:
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        values[block["block_id"]] = (element["options"][choice]["value"] if element["type"] == "static_select"
                                     else "Tanaka Seisakusho")
    return values | overrides


async def test_checkup_modal_to_a_private_scored_result(make_harness) -> None:
    slack = await make_harness(SHIPPED_DIR)
    await slack.command("", command="/checkup")
    [opened] = await slack.fake.wait_for("views.open")
    view = opened.view
    assert view["callback_id"] == "checkup_form"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert inputs[0]["block_id"] == "organization" and inputs[0]["element"]["type"] == "plain_text_input"
    assert len(inputs) == 21 and all(b["element"]["type"] == "static_select" for b in inputs[1:])

    status, body, _ = await slack.submit(view, {"organization": "Tanaka Seisakusho", "policy": "yes"})
    assert status == 200 and body["response_action"] == "errors"
    assert "owner" in body["errors"] and "policy" not in body["errors"]
    assert await slack.bot.store.list_checkups() == []

    status, body, _ = await slack.submit(view, all_answers(view, choice=2, policy="yes"))
    assert (status, body) == (200, {})
    [post] = await slack.fake.wait_for("chat.postMessage")
    await slack.settle()
    assert post["channel"] == "U0ALICE"  # privately, in the DM
    shown = post.rendered()
    # a slash command carries no locale: the default language (ja)
    assert "Tanaka Seisakusho" in shown and "総合: 5点 / 100" in shown and "リスク:" in shown and "次の一歩:" in shown
    assert any(v.startswith("answer:") for v in post.button_values())
    assert SECURITY_CHANNEL not in [c.get("channel") for c in slack.fake.calls]
    [record] = await slack.bot.store.list_checkups()
    assert record.platform == "slack" and record.respondent == "U0ALICE" and record.overall == 5


async def test_checkup_supplier_opens_the_supplier_set(make_harness) -> None:
    slack = await make_harness(SHIPPED_DIR)
    await slack.command("supplier", command="/checkup")
    [opened] = await slack.fake.wait_for("views.open")
    assert opened.view["callback_id"] == "checkup_supplier_form"
    status, body, _ = await slack.submit(opened.view, all_answers(opened.view))
    assert (status, body) == (200, {})
    await slack.fake.wait_for("chat.postMessage")
    await slack.settle()
    [record] = await slack.bot.store.list_checkups()
    assert record.set_id == "supplier" and record.overall == 100

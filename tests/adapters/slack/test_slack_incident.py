"""/incident over real HTTP: the modal, conditional fields, errors, the private result and the
security channel; duplicates, responders' commands, and a Web API that fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adapters.slack.conftest import SECURITY_CHANNEL
from tests.adapters.slack.stub_flow import StubIncidentFlow

GOOD = {"incident_type": "ransomware", "detected_at": "now", "description": "Files on the NAS are encrypted."}


@pytest.fixture
async def slack(make_harness, mini_knowledge: Path):
    harness = await make_harness(mini_knowledge, flows=[StubIncidentFlow()])
    harness.flow = harness.bot.skills["incident"]
    return harness


async def open_modal(slack) -> dict:
    status, text, elapsed = await slack.command("")
    assert (status, text.strip()) == (200, "") and elapsed < 3
    [opened] = await slack.fake.wait_for("views.open")
    return opened.view


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


async def test_incident_command_opens_the_triage_modal(slack) -> None:
    view = await open_modal(slack)
    assert view["type"] == "modal" and view["callback_id"] == "incident_form"
    assert view["title"]["text"] == "Report an incident" and view["submit"]["text"] == "Submit"
    fields = inputs(view)
    assert list(fields) == ["incident_type", "detected_at", "description", "reporter_contact"]  # no hidden field
    for field_id, block in fields.items():
        assert block["element"]["action_id"] == field_id
    kind = fields["incident_type"]["element"]
    assert kind["type"] == "static_select"
    assert [o["value"] for o in kind["options"]] == ["ransomware", "phishing_bec", "other"]
    assert fields["incident_type"]["dispatch_action"] is True  # it controls phishing_detail
    assert fields["description"]["element"] == {"type": "plain_text_input", "action_id": "description",
                                                 "multiline": True, "max_length": 2000}
    assert fields["reporter_contact"]["optional"] is True and fields["description"]["optional"] is False
    assert json.loads(view["private_metadata"])["channel_id"] == "C0GENERAL"
    # Nothing was posted anywhere: opening a form is private.
    assert [c.method for c in slack.fake.calls if c.method != "auth.test"] == ["views.open"]


async def test_choosing_phishing_shows_its_follow_up_field(slack) -> None:
    view = await open_modal(slack)
    status, _, elapsed = await slack.select_in_modal(view, "incident_type", "phishing_bec")
    assert status == 200 and elapsed < 3
    [update] = await slack.fake.wait_for("views.update")
    assert update["view_id"] == "V00000001" and update.get("hash")
    fields = inputs(update.view)
    assert list(fields)[:2] == ["incident_type", "phishing_detail"]
    assert fields["incident_type"]["element"]["initial_option"]["value"] == "phishing_bec"
    assert update.view["callback_id"] == "incident_form"


async def test_invalid_submission_shows_errors_in_the_modal(slack) -> None:
    view = await open_modal(slack)
    status, body, elapsed = await slack.submit(view, {"incident_type": "ransomware", "detected_at": "yesterday-ish"})
    assert status == 200 and elapsed < 3
    assert body["response_action"] == "errors"
    assert body["errors"] == {"detected_at": "Not a date and time I understand.", "description": "This is required."}
    await slack.settle()
    assert slack.flow.incidents == []
    assert slack.fake.called("chat.postMessage") == []


async def test_submission_sends_the_result_privately_and_the_summary_to_the_security_channel(slack) -> None:
    view = await open_modal(slack)
    status, body, elapsed = await slack.submit(view, GOOD)
    assert (status, body) == (200, {}) and elapsed < 3  # the modal closes
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    by_channel = {p["channel"]: p for p in posts}
    assert set(by_channel) == {"U0ALICE", SECURITY_CHANNEL}  # the reporter's DM and the security channel
    result = by_channel["U0ALICE"].rendered()
    assert "Incident INC-0001 recorded." in result and "IPA" in result and "First steps" in result
    assert "New incident INC-0001: ransomware" in by_channel[SECURITY_CHANNEL].rendered()
    assert "C0GENERAL" not in [c.get("channel") for c in slack.fake.calls]  # nothing in the public channel
    assert slack.flow.incidents == [GOOD]


async def test_duplicate_view_submission_creates_one_incident(slack) -> None:
    view = await open_modal(slack)
    first = await slack.submit(view, GOOD)
    second = await slack.submit(view, GOOD)
    assert first[0] == second[0] == 200
    await slack.settle()
    assert len(slack.flow.incidents) == 1
    assert len(slack.fake.called("chat.postMessage")) == 2


async def test_a_corrected_submission_after_errors_is_accepted(slack) -> None:
    view = await open_modal(slack)
    _, body, _ = await slack.submit(view, {"incident_type": "ransomware"})
    assert body["response_action"] == "errors"
    _, body, _ = await slack.submit(view, GOOD)
    assert body == {}
    await slack.settle()
    assert len(slack.flow.incidents) == 1


async def test_when_posting_fails_the_incident_is_still_saved_and_the_failure_logged(slack, caplog) -> None:
    view = await open_modal(slack)
    slack.fake.fail("chat.postMessage", body={"ok": False, "error": "channel_not_found"}, times=2)
    _, body, _ = await slack.submit(view, GOOD)
    assert body == {}
    await slack.settle()
    assert slack.flow.incidents == [GOOD]
    assert caplog.text.count("channel_not_found") == 2
    assert "Files on the NAS" not in caplog.text  # the report's details stay out of the log


async def test_rate_limited_security_post_is_retried(slack) -> None:
    view = await open_modal(slack)
    slack.fake.fail("chat.postMessage", status=429, body={"ok": False, "error": "ratelimited"},
                    headers={"Retry-After": "1"})
    await slack.submit(view, GOOD)
    posts = await slack.fake.wait_for("chat.postMessage", 2, timeout=15)
    assert {p["channel"] for p in posts} == {"U0ALICE", SECURITY_CHANNEL}


async def test_incident_list_answers_responders_in_the_security_channel_ephemerally(slack) -> None:
    view = await open_modal(slack)
    await slack.submit(view, GOOD)
    await slack.settle()
    await slack.command("list", user="U0BOB", channel=SECURITY_CHANNEL)
    [answer] = await slack.fake.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "INC-1 ransomware" in answer.rendered()


async def test_incident_list_is_refused_outside_the_security_channel(slack) -> None:
    await slack.command("list", user="U0MALLORY", channel="C0GENERAL")
    [answer] = await slack.fake.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "Only responders" in answer.rendered()
    assert slack.fake.called("chat.postMessage") == []


async def test_typed_incident_in_a_dm_offers_a_button_that_opens_the_modal(slack) -> None:
    await slack.dm("incident")
    [post] = await slack.fake.wait_for("chat.postMessage")
    assert post["channel"] == "D0ALICE"
    [open_button] = [e for b in post.blocks if b["type"] == "actions" for e in b["elements"]]
    assert open_button["action_id"] == "secbot_open_form" and open_button["value"] == "incident"
    await slack.click("incident", action_id="secbot_open_form")
    [opened] = await slack.fake.wait_for("views.open")
    assert opened.view["callback_id"] == "incident_form"


async def test_expired_trigger_falls_back_to_an_open_button(slack) -> None:
    slack.fake.fail("views.open", body={"ok": False, "error": "expired_trigger_id"})
    await slack.command("")
    [answer] = await slack.fake.wait_for("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "secbot_open_form" in json.dumps(answer.blocks)

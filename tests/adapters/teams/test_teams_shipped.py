"""The shipped knowledge and flows through Teams: every real answer card parses, and (once the core
registers it) the real incident flow goes form -> errors -> result -> security channel end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge import SHIPPED_DIR

from .cardcheck import assert_valid_cards
from .conftest import TeamsServer
from .test_teams_qa import card_text, submit_actions

SECURITY = "19:securityChannel@thread.tacv2"
REPORTER = "a:1personalChatWithReporter"


@pytest.fixture
async def shipped(start_server) -> TeamsServer:
    return await start_server(knowledge_dir=SHIPPED_DIR, fake_flow=False, teams_security_channel=SECURITY)


async def test_japanese_question_in_personal_chat_gets_a_japanese_answer_card(shipped: TeamsServer) -> None:
    await shipped.post(shipped.payload("message_personal", text="JC-STARとは", locale="ja-JP"))
    (call,) = shipped.connector.messages()
    text = card_text(call.card)
    assert "JC-STAR" in text and "出典" in text
    assert any(a["data"]["secbot_action"] == "feedback:up:jc_star" for a in submit_actions(call.card))
    assert_valid_cards([call.card])


async def test_personal_install_greets_with_the_help_card(shipped: TeamsServer) -> None:
    await shipped.post(shipped.payload("conversation_update_personal"))
    (call,) = shipped.connector.messages()
    assert submit_actions(call.card)  # the featured topics as buttons
    assert_valid_cards([call.card])


async def test_every_shipped_answer_renders_as_a_valid_card(shipped: TeamsServer) -> None:
    intents = list(shipped.bot.knowledge.current.kb.intents)
    for intent in intents:
        await shipped.post(shipped.payload("card_submit_personal", value={"secbot_action": f"answer:{intent}"}))
    cards = shipped.connector.all_cards()
    assert len(cards) == len(intents)
    assert_valid_cards(cards)


def _fill(card: dict) -> dict[str, str]:
    """What a person would enter: the first choice, some text, today 09:00."""
    values: dict[str, str] = {}
    for item in card["body"]:
        kind, field = item.get("type", ""), item.get("id")
        if kind == "Input.ChoiceSet":
            values[field] = item["choices"][0]["value"]
        elif kind == "Input.Text":
            values[field] = "Strange files appeared on the shared drive"[: item.get("maxLength", 200)]
        elif kind == "Input.Date":
            values[field] = dt.date.today().isoformat()
        elif kind == "Input.Time":
            values[field] = "00:00"
    return values


async def test_real_incident_flow_end_to_end(shipped: TeamsServer) -> None:
    assert "incident" in shipped.bot.skills  # the shipped bot always has /incident
    await shipped.post(shipped.payload("conversation_update_team_install"))
    await shipped.post(shipped.payload("message_personal", text="incident"))
    (form_call,) = shipped.connector.messages()
    form = form_call.card
    submit = form["actions"][-1]
    assert submit["data"] == {"secbot_action": "incident_submit"}
    assert_valid_cards([form])

    # Nothing filled in: a card that says what is missing, and nothing posted to the security team.
    await shipped.post(shipped.payload("card_submit_personal", value={"secbot_action": "incident_submit"}))
    errors = shipped.connector.messages()[1]
    assert errors.conversation_id == REPORTER
    assert_valid_cards([errors.card])
    assert not shipped.connector.to(SECURITY)

    values = _fill(form)
    await shipped.post(shipped.payload("card_submit_personal", value={"secbot_action": "incident_submit", **values}))
    after = shipped.connector.messages()[2:]
    to_reporter = [c for c in after if c.conversation_id == REPORTER]
    to_security = shipped.connector.to(SECURITY)
    assert to_reporter and to_security, [c.body for c in after]
    assert to_security[0].reply_to_id is None
    assert_valid_cards([card for c in after for card in c.cards])

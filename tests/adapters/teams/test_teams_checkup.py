"""/checkup on Teams over real HTTP: the set as an Adaptive Card, its submission, errors, the result card."""

from __future__ import annotations

from knowledge import SHIPPED_DIR

from .cardcheck import assert_valid_cards
from .conftest import TeamsServer
from .test_teams_incident import inputs
from .test_teams_qa import card_text, submit_actions

REPORTER = "a:1personalChatWithReporter"


async def shipped(start_server) -> TeamsServer:
    return await start_server(knowledge_dir=SHIPPED_DIR, fake_flow=False)


async def test_checkup_replies_with_the_whole_set_as_a_card(start_server) -> None:
    server = await shipped(start_server)
    await server.post(server.payload("message_personal", text="/checkup"))
    (call,) = server.connector.messages()
    fields = inputs(call.card)
    assert list(fields)[0] == "organization" and fields["organization"]["isRequired"] is True
    assert len(fields) == 21 and fields["policy"]["type"] == "Input.ChoiceSet"
    assert [c["value"] for c in fields["policy"]["choices"]] == ["yes", "partly", "no", "unknown"]
    (submit,) = submit_actions(call.card)
    assert submit["data"] == {"secbot_action": "checkup_submit"}
    assert_valid_cards([call.card])


async def test_a_checkup_card_submission_is_scored_and_answered_with_a_result_card(start_server) -> None:
    server = await shipped(start_server)
    answers = {"organization": "Sato Trading", "updates": "yes", "mfa": "no", "backup": "partly",
               "data_access": "not_applicable", "data_contract": "yes", "notify_customer": "no", "advisor": "yes",
               "security_action": "unknown"}
    await server.post(server.payload("card_submit_personal", value={"secbot_action": "checkup_supplier_submit",
                                                                      **answers}))
    (result,) = server.connector.messages()
    assert result.conversation_id == REPORTER
    text = card_text(result.card)
    assert "Sato Trading" in text and "Overall:" in text and "Risk:" in text and "answer:" in text
    assert_valid_cards([result.card])
    [record] = await server.bot.store.list_checkups()
    assert record.platform == "teams" and record.set_id == "supplier" and record.answers["data_access"] == "not_applicable"


async def test_a_checkup_card_with_a_bad_answer_lists_the_problems_and_stores_nothing(start_server) -> None:
    server = await shipped(start_server)
    await server.post(server.payload("card_submit_personal", value={
        "secbot_action": "checkup_submit", "organization": "Sato Trading", "policy": "maybe"}))
    (call,) = server.connector.messages()
    text = card_text(call.card)
    assert "Please check your answers." in text and "maybe" in text and "Please answer this question." in text
    assert await server.bot.store.list_checkups() == []
    assert_valid_cards([call.card])

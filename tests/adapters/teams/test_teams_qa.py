"""Q&A over real HTTP: personal chat, channel @mention, suggestion and feedback buttons."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cardcheck import assert_valid_cards
from .conftest import TeamsServer


def card_text(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


def submit_actions(card: dict) -> list[dict]:
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def test_personal_question_gets_answer_card_with_source_buttons_and_feedback(server: TeamsServer) -> None:
    activity = server.payload("message_personal", text="what is jc-star")
    response = await server.post(activity)
    assert response.status == 200
    (call,) = server.connector.messages()
    assert call.conversation_id == "a:1personalChatWithReporter"
    assert call.reply_to_id == activity["id"]  # a reply to the user's message
    card = call.card
    text = card_text(card)
    assert "JC-STAR is IPA's IoT security labelling scheme." in text
    assert "What is JC-STAR?" in text  # the title
    assert "[IPA JC-STAR](https://www.ipa.go.jp/security/jc-star/index.html)" in text
    data = [a["data"] for a in submit_actions(card)]
    assert {"secbot_action": "answer:asm"} in data  # the related topic
    assert {"secbot_action": "feedback:up:jc_star"} in data
    assert {"secbot_action": "feedback:down:jc_star"} in data
    assert_valid_cards([card])


async def test_channel_mention_is_stripped_and_answered_in_the_thread(server: TeamsServer) -> None:
    activity = server.payload("message_channel_mention")
    assert (await server.post(activity)).status == 200
    (call,) = server.connector.messages()
    assert call.conversation_id == "19:generalChannel@thread.tacv2;messageid=1764202502000"
    assert call.reply_to_id == activity["id"]
    assert "ASM is the process of managing internet-facing IT assets." in card_text(call.card)
    questions = await server.bot.store.list_questions()
    assert [q.text for q in questions] == ["what is ASM?"]  # no "<at>secbot</at>" left in the text
    assert_valid_cards([call.card])


async def test_suggestions_offer_buttons_and_none_of_these(start_server: Callable[..., Any],
                                                           cautious_knowledge: Path) -> None:
    server = await start_server(knowledge_dir=cautious_knowledge)
    await server.post(server.payload("message_personal", text="label"))
    (call,) = server.connector.messages()
    data = [a["data"]["secbot_action"] for a in submit_actions(call.card)]
    assert data[-1] == "none"
    assert all(d.startswith("answer:") for d in data[:-1]) and data[:-1]
    assert_valid_cards([call.card])


async def test_clicking_a_suggestion_answers_it(server: TeamsServer) -> None:
    response = await server.post(server.payload("card_submit_personal", value={"secbot_action": "answer:asm"}))
    assert response.status == 200
    (call,) = server.connector.messages()
    assert "ASM is the process of managing internet-facing IT assets." in card_text(call.card)
    assert_valid_cards([call.card])


async def test_feedback_and_none_of_these_are_stored_for_admins(server: TeamsServer) -> None:
    await server.post(server.payload("message_personal", text="what is jc-star"))
    await server.post(server.payload("card_submit_personal", value={"secbot_action": "feedback:up:jc_star"}))
    await server.post(server.payload("card_submit_personal", value={"secbot_action": "none"}))
    feedback = await server.bot.store.list_feedback()
    assert [(f.platform, f.intent, f.vote) for f in feedback] == [
        ("teams", "jc_star", "up"), ("teams", None, "none_of_these")]
    assert feedback[0].user_id == "6f1a2b3c-0000-4000-8000-00000000a001"  # the AAD object id
    thanks = [card_text(c.card) for c in server.connector.messages()[1:]]
    assert "Thanks for your feedback." in thanks[0]
    assert_valid_cards(server.connector.all_cards())


async def test_a_retried_activity_is_answered_once(server: TeamsServer) -> None:
    activity = server.payload("message_personal", text="what is jc-star")
    await server.post(activity)
    await server.post(activity)
    assert len(server.connector.messages()) == 1


async def test_personal_install_says_hello_and_stores_the_chat(server: TeamsServer) -> None:
    response = await server.post(server.payload("conversation_update_personal"))
    assert response.status == 200
    stored = await server.bot.store.get_conversation_ref("teams:user:6f1a2b3c-0000-4000-8000-00000000a001")
    assert stored is not None and stored["conversation"]["id"] == "a:1personalChatWithReporter"
    assert stored["serviceUrl"] == server.connector.url + "/"


async def test_a_suggestion_from_the_did_you_mean_card_answers_when_clicked(start_server: Callable[..., Any],
                                                                            cautious_knowledge: Path) -> None:
    """End to end: the Action.Submit data of the offered topic, posted back, answers that topic."""
    server = await start_server(knowledge_dir=cautious_knowledge)
    await server.post(server.payload("message_personal", text="label"))
    (offer,) = server.connector.messages()
    assert "Did you mean one of these?" in card_text(offer.card)
    picked = submit_actions(offer.card)[0]["data"]
    assert picked["secbot_action"] == "answer:jc_star"
    response = await server.post(server.payload("card_submit_personal", value=picked))
    assert response.status == 200
    answer = server.connector.messages()[-1]
    assert "JC-STAR is IPA's IoT security labelling scheme." in card_text(answer.card)
    assert_valid_cards([offer.card, answer.card])


async def test_a_message_with_lone_surrogates_is_answered(server: TeamsServer) -> None:
    activity = server.payload("message_personal", text="what is jc-star \ud800\udfff\udc80")
    response = await server.post(json.dumps(activity))  # JSON escapes: \ud800 ... as Teams could send
    assert response.status == 200
    (call,) = server.connector.messages()
    assert "JC-STAR is IPA's IoT security labelling scheme." in card_text(call.card)

"""The incident form card, its submission, the result card and the security channel's proactive post."""

from __future__ import annotations

import json

from .cardcheck import assert_valid_cards
from .conftest import TeamsServer
from .test_teams_qa import card_text, submit_actions

SECURITY = "19:securityChannel@thread.tacv2"
REPORTER = "a:1personalChatWithReporter"


def inputs(card: dict) -> dict[str, dict]:
    return {item["id"]: item for item in card["body"] if item.get("type", "").startswith("Input.")}


async def test_incident_command_replies_with_a_form_card(server: TeamsServer) -> None:
    await server.post(server.payload("message_personal", text="incident"))
    (call,) = server.connector.messages()
    card = call.card
    fields = inputs(card)
    assert list(fields) == ["incident_type", "ransom_note", "noticed_at", "noticed_at__time", "summary"]
    assert fields["incident_type"]["type"] == "Input.ChoiceSet"
    assert [c["value"] for c in fields["incident_type"]["choices"]] == ["ransomware", "phishing", "lost_device", "other"]
    assert fields["incident_type"]["isRequired"] is True
    # Conditional: shown with its condition, validated by the core rather than on the card.
    assert "only if What happened? is Ransomware" in fields["ransom_note"]["label"]
    assert "isRequired" not in fields["ransom_note"]
    assert fields["noticed_at"]["type"] == "Input.Date" and fields["noticed_at__time"]["type"] == "Input.Time"
    assert fields["summary"]["isMultiline"] is True and fields["summary"]["maxLength"] == 2000
    (submit,) = card["actions"]
    assert submit["type"] == "Action.Submit" and submit["data"] == {"secbot_action": "incident_submit"}
    assert submit["title"] == "Send report"
    assert_valid_cards([card])


async def test_slash_incident_in_a_channel_sends_the_form_privately(server: TeamsServer) -> None:
    activity = server.payload("message_channel_mention", text="<at>secbot</at> /incident")
    await server.post(activity)
    (created,) = server.connector.created()
    assert created.body["members"] == [{"id": "29:1colleagueTeamsId"}]
    assert created.body["isGroup"] is False
    assert created.body["channelData"]["tenant"]["id"] == "9c8b7a6d-0000-4000-8000-0000000000t1", created.body
    private, notice = server.connector.messages()
    assert private.conversation_id == "a:personal-1" and private.reply_to_id is None
    assert "incident_type" in inputs(private.card)
    assert notice.conversation_id == activity["conversation"]["id"] and not notice.cards
    # "/incident" says nothing about the language: the user's Teams locale (ja-JP) decides
    assert "個人チャット" in notice.body["text"]
    assert_valid_cards([private.card])


async def test_when_a_private_chat_is_refused_the_channel_is_told_how_to_report(server: TeamsServer) -> None:
    server.connector.fail_create_conversation = True
    await server.post(server.payload("message_channel_mention", text="<at>secbot</at> /incident"))
    (notice,) = server.connector.messages()
    assert not notice.cards and "私との個人チャットを開き" in notice.body["text"]  # the user's locale is ja-JP


async def test_a_submit_with_missing_fields_lists_them(server: TeamsServer) -> None:
    await server.post(server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "ransomware", "summary": ""}))
    (call,) = server.connector.messages()
    text = card_text(call.card)
    assert "Please check the form." in text
    assert "**summary**: This field is required." in text or "summary" in text
    assert "ransom_note" in text
    assert_valid_cards([call.card])


async def test_a_complete_submit_replies_with_the_result_and_posts_to_the_security_channel(server: TeamsServer) -> None:
    # The app is installed in the security team: its channel reference is stored then.
    install = server.payload("conversation_update_team_install")
    assert (await server.post(install)).status == 200
    assert not server.connector.calls  # nothing said in the channel on install
    response = await server.post(server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "phishing", "noticed_at": "2026-11-27",
        "noticed_at__time": "09:30", "summary": "Clicked a link in a fake invoice e-mail", "ransom_note": ""}))
    assert response.status == 200
    (flow,) = [f for f in server.bot.skills.values() if hasattr(f, "submissions")]
    assert flow.submissions == [{"incident_type": "phishing", "noticed_at": "2026-11-27 09:30",
                                 "summary": "Clicked a link in a fake invoice e-mail", "ransom_note": ""}]
    # The channel first: the reply then says truly that the security team was notified.
    summary, result = server.connector.messages()
    assert result.conversation_id == REPORTER
    assert "Recorded as incident INC-0001." in card_text(result.card)
    assert "cs-support@ipa.go.jp" in card_text(result.card)
    # A new thread in the security channel, not a reply in the reporter's chat.
    assert summary.conversation_id == SECURITY and summary.reply_to_id is None
    assert "New incident INC-0001" in card_text(summary.card)
    assert "Clicked a link in a fake invoice e-mail" in card_text(summary.card)
    assert summary.body["serviceUrl"] == server.connector.url + "/"
    assert_valid_cards([result.card, summary.card])


async def test_the_configured_security_channel_is_reached_without_an_install_event(server: TeamsServer) -> None:
    await server.post(server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "lost_device", "summary": "Laptop left on a train"}))
    calls = server.connector.messages()
    assert [c.conversation_id for c in calls] == [SECURITY, REPORTER]  # notified first, then told so
    assert "Laptop left on a train" in card_text(calls[0].card)
    # Local mode (no authentication): the reference is built for this post, never stored.
    assert await server.bot.store.get_conversation_ref("teams:channel:" + SECURITY) is None


async def test_without_a_security_channel_the_reporter_still_gets_the_result(start_server) -> None:
    server = await start_server()
    await server.post(server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "other", "summary": "Odd pop-ups"}))
    (call,) = server.connector.messages()
    assert call.conversation_id == REPORTER and "INC-0001" in card_text(call.card)


async def test_card_buttons_on_forms_and_results_parse_as_adaptive_cards_1_5(server: TeamsServer) -> None:
    await server.post(server.payload("message_personal", text="incident"))
    await server.post(server.payload("message_personal", text="something nobody asks about zzz"))
    cards = server.connector.all_cards()
    assert len(cards) == 2
    assert any(a["data"]["secbot_action"] == "incident:start" for a in submit_actions(cards[1]))
    assert_valid_cards(cards)
    json.dumps(cards)  # plain JSON all the way down


async def test_a_notification_for_a_user_reaches_their_personal_chat(server: TeamsServer) -> None:
    from bot.models import Notification

    await server.post(server.payload("message_personal", text="what is jc-star"))  # the chat is now known
    handler = server.teams.handler
    delivered = await handler.notify(None, Notification(
        kind="expert_answer", text="The security team answered: rotate it yearly.", lang="en", audience="user",
        platform="teams", user_id="6f1a2b3c-0000-4000-8000-00000000a001"))
    assert delivered
    last = server.connector.messages()[-1]
    assert last.conversation_id == REPORTER and last.reply_to_id is None
    assert "rotate it yearly" in card_text(last.card)
    assert_valid_cards([last.card])


async def test_a_resent_submit_after_errors_is_processed_not_swallowed_as_a_duplicate(server: TeamsServer) -> None:
    """Teams re-sends an Activity with the same id; one that only got errors back must be answered
    again, and the corrected retry must be filed (the claim is released on an error, as on Slack)."""
    incomplete = server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "ransomware", "summary": ""})
    for _ in range(2):
        assert (await server.post(incomplete)).status == 200
    errors = server.connector.messages()
    assert len(errors) == 2 and all("Please check the form." in card_text(e.card) for e in errors)
    complete = {**incomplete, "value": {"secbot_action": "incident_submit", "incident_type": "phishing",
                                        "summary": "Clicked a link", "ransom_note": ""}}
    assert (await server.post(complete)).status == 200
    (flow,) = [f for f in server.bot.skills.values() if hasattr(f, "submissions")]
    assert [s["summary"] for s in flow.submissions] == ["Clicked a link"]
    assert (await server.post(complete)).status == 200  # filed: a further copy is a duplicate
    assert len(flow.submissions) == 1

"""/incident through the core: the form for Slack/Teams, submissions, responder commands."""

from __future__ import annotations

from adapters.slack.convert import CAPABILITIES as SLACK
from adapters.teams.convert import CAPABILITIES as TEAMS
from bot.models import IncomingMessage, ReplyKind

GOOD = {
    "incident_type": "ransomware", "state_sponsored": "unknown", "personal_data": "yes", "personal_data_count": "unknown",
    "financial_damage": "yes", "critical_infrastructure": "no", "sme": "yes", "ongoing": "yes",
    "detected_at": "2026-11-27 08:15", "affected_systems": "file server", "description": "files renamed .lock, ransom note",
    "reporter_contact": "ext. 1234",
}


def slack(text: str = "", user: str = "U1", channel: str = "D1", **kw: object) -> IncomingMessage:
    return IncomingMessage(user_id=user, conversation_id=channel, channel_id=channel, text=text, platform="slack",
                           capabilities=SLACK, user_name="taro", locale="en-US", **kw)


async def test_slack_and_teams_get_the_whole_form_privately(make_bot):
    bot = await make_bot()
    for platform, capabilities in (("slack", SLACK), ("teams", TEAMS)):
        message = IncomingMessage(user_id="U1", conversation_id="C1", text="/incident", platform=platform,
                                  capabilities=capabilities, locale="ja-JP")
        [reply] = (await bot.handle(message)).replies
        assert reply.kind is ReplyKind.FORM and reply.private and reply.lang == "ja"
        form = reply.form
        assert form is not None and form.id == "incident_form" and form.submit_label == "送信"
        ids = [f.id for f in form.fields]
        assert ids[0] == "incident_type" and "description" in ids
        incident_type = form.fields[0]
        assert incident_type.kind == "choice" and incident_type.choices[0].value == "ransomware"
        assert incident_type.choices[0].label.startswith("ランサムウェア")
        detail = next(f for f in form.fields if f.id == "phishing_detail")
        assert detail.show_if == {"incident_type": ("phishing_bec",)}
        description = next(f for f in form.fields if f.id == "description")
        assert description.kind == "multiline" and description.max_length == 2000


async def test_submitted_form_with_mistakes_gets_errors_per_field_and_records_nothing(make_bot):
    bot = await make_bot()
    bad = {**GOOD, "incident_type": "ransomwear", "ongoing": "", "description": "x" * 2001, "colour": "red",
           "detected_at": "last tuesday-ish"}
    [reply] = (await bot.handle(slack(form_id="incident_form", form_values=bad))).replies
    assert reply.kind is ReplyKind.ERROR and reply.private
    errors = reply.data["errors"]
    assert set(errors) == {"incident_type", "ongoing", "description", "colour", "detected_at"}
    assert "ransomwear" in errors["incident_type"] and "2001" in errors["description"]
    assert await bot.store.list_incidents() == []


async def test_submitted_form_writes_the_incident_then_answers_and_notifies(make_bot):
    bot = await make_bot()
    response = await bot.handle(slack(form_id="incident_form", form_values={**GOOD, "phishing_detail": "card"}))
    [reply] = response.replies
    assert reply.kind is ReplyKind.RESULT and reply.private and reply.lang == "en"
    incident_id = reply.data["incident_id"]
    assert incident_id.startswith("INC-") and incident_id in reply.text
    ids = [c["id"] for c in reply.data["contacts"]]
    assert ids == ["ppc", "police", "ipa", "jpcert", "otasuketai"]
    assert all(c["why"] and c["how"] for c in reply.data["contacts"])
    assert "card_issuer" not in ids  # phishing_detail was not asked for ransomware
    assert reply.data["steps"][0].startswith("The damage may still be going on")
    assert "By when: Preliminary report promptly" in reply.text and "final report within 60 days" in reply.text
    assert reply.sources[0].url.startswith("https://www.soumu.go.jp/")
    [note] = response.notifications
    assert note.kind == "incident_created" and note.data["incident_id"] == incident_id
    assert note.data["contacts"] == ids and incident_id in note.text and "files renamed" in note.text
    record = await bot.store.get_incident(incident_id)
    assert record is not None and record.platform == "slack" and record.channel == "D1" and record.reporter == "U1"
    assert "phishing_detail" not in record.answers
    assert record.answers["detected_at"] == "2026-11-27T08:15+09:00"
    assert [c["id"] for c in record.contacts] == ids


async def test_report_incident_answer_offers_a_button_that_starts_the_flow(make_bot):
    bot = await make_bot()
    console = {"user_id": "me", "conversation_id": "c", "platform": "console"}
    [answer] = (await bot.handle(IncomingMessage(text="we were hit by ransomware", **console))).replies
    assert answer.intent == "report_incident"
    assert answer.buttons[0].value == "incident:start"
    [intro, question] = (await bot.handle(IncomingMessage(action="incident:start", **console))).replies
    assert question.kind is ReplyKind.QUESTION and question.data["field"] == "incident_type" and question.lang == "en"
    assert question.buttons[1].value == "incident:choice:incident_type:unauthorized_access"
    [form] = (await bot.handle(slack(action="incident:start"))).replies
    assert form.kind is ReplyKind.FORM


async def test_a_stale_button_is_refused_and_the_current_question_repeated(make_bot):
    bot = await make_bot()
    console = {"user_id": "me", "conversation_id": "c", "platform": "console"}
    await bot.handle(IncomingMessage(text="/incident", **console))
    await bot.handle(IncomingMessage(action="incident:choice:incident_type:malware", **console))
    error, question = (await bot.handle(IncomingMessage(action="incident:choice:incident_type:ddos", **console))).replies
    assert error.kind is ReplyKind.ERROR and question.data["field"] == "state_sponsored"


async def test_incident_commands_are_refused_politely_to_non_responders(make_bot):
    bot = await make_bot(responders=frozenset({"U9"}))
    response = await bot.handle(slack(form_id="incident_form", form_values=GOOD))
    incident_id = response.replies[0].data["incident_id"]
    for command in ("/incident list", f"/incident show {incident_id}", f"/incident note {incident_id} hi",
                    f"/incident close {incident_id}"):
        [reply] = (await bot.handle(slack(command, user="U2", channel="C-public"))).replies
        assert "only the security team" in reply.text.lower() or "security team's responders" in reply.text
        assert incident_id not in reply.text and "files renamed" not in reply.text
    assert (await bot.store.get_incident(incident_id)).status == "open"


async def test_responders_list_show_note_and_close(make_bot):
    bot = await make_bot(responders=frozenset({"U9"}))
    incident_id = (await bot.handle(slack(form_id="incident_form", form_values=GOOD))).replies[0].data["incident_id"]
    [listing] = (await bot.handle(slack("/incident list", user="U9"))).replies
    assert incident_id in listing.text and listing.private
    [shown] = (await bot.handle(slack(f"/incident show {incident_id.lower()}", user="U9"))).replies
    assert "files renamed" in shown.text and "Ransomware" in shown.text
    [noted] = (await bot.handle(slack(f"/incident note {incident_id} called IPA", user="U9"))).replies
    assert "Note added" in noted.text
    [closed] = (await bot.handle(slack(f"/incident close {incident_id}", user="U9"))).replies
    assert "closed" in closed.text
    [again] = (await bot.handle(slack(f"/incident close {incident_id}", user="U9"))).replies
    assert "already closed" in again.text
    [missing] = (await bot.handle(slack("/incident show INC-19990101-0001", user="U9"))).replies
    assert missing.kind is ReplyKind.ERROR
    record = await bot.store.get_incident(incident_id)
    assert record.status == "closed" and [e.kind for e in record.timeline] == ["created", "note", "closed"]
    assert record.timeline[1].actor == "slack:U9"
    actions = [a.action for a in await bot.store.list_audit(incident_id)]
    assert actions == ["incident.created", "incident.viewed", "incident.note", "incident.closed"]
    # anyone posting in the private security channel is a responder too
    bot2 = await make_bot(security_channel="C-SEC")
    [listing] = (await bot2.handle(slack("/incident list", user="U7", channel="C-SEC"))).replies
    assert "only the security team" not in listing.text


async def test_japanese_conversation_gets_the_form_walk_in_japanese(make_bot):
    bot = await make_bot()
    console = {"user_id": "me", "conversation_id": "c", "platform": "console"}
    await bot.handle(IncomingMessage(text="JC-STARとは", **console))
    intro, question = (await bot.handle(IncomingMessage(text="/incident", **console))).replies
    assert question.lang == "ja" and question.text.endswith("何が起きましたか？")


async def test_a_command_word_does_not_make_a_japanese_user_english(make_bot):
    bot = await make_bot()
    console = {"user_id": "me", "conversation_id": "c", "platform": "console", "locale": "ja-JP"}
    await bot.handle(IncomingMessage(text="/help", **console))
    intro, question = (await bot.handle(IncomingMessage(text="/incident", **console))).replies
    assert question.lang == "ja" and question.text.endswith("何が起きましたか？")


def test_the_terminal_speaks_the_language_every_secbot_command_speaks():
    from adapters.console.chat import terminal_locale

    assert terminal_locale({"LANG": "ja_JP.UTF-8"}) == "ja-JP"
    assert terminal_locale({"LANG": "en_US.UTF-8"}) == "en-US"
    assert terminal_locale({"LANG": "ja_JP.UTF-8", "LC_ALL": "en_GB.UTF-8"}) == "en-US"  # LC_ALL wins
    assert terminal_locale({"LANG": "C.UTF-8"}) == "ja-JP" and terminal_locale({}) == "ja-JP"  # the default
    assert terminal_locale({"LANG": "ja_JP.UTF-8", "SECBOT_DEFAULT_LANG": "en"}) == "en-US"  # the setting first


async def test_the_walk_takes_the_incident_type_in_the_reporters_own_words(make_bot):
    bot = await make_bot()
    console = {"user_id": "me", "conversation_id": "c", "platform": "console", "locale": "en-US"}
    await bot.handle(IncomingMessage(text="/incident", **console))
    error, question = (await bot.handle(IncomingMessage(text="ransomware and a data leak", **console))).replies
    assert error.kind is ReplyKind.ERROR and "Ransomware" in error.text and "Data leak" in error.text
    assert question.data["field"] == "incident_type"
    [question] = (await bot.handle(IncomingMessage(text="ランサム", **console))).replies
    assert question.data["field"] == "state_sponsored"


async def test_an_empty_message_inside_a_walked_form_asks_the_question_again_on_any_front_end(make_bot):
    bot = await make_bot()
    for platform in ("console", "web"):
        chat = {"user_id": "me", "conversation_id": platform, "platform": platform, "locale": "en-US"}
        await bot.handle(IncomingMessage(text="/incident", **chat))
        [question] = (await bot.handle(IncomingMessage(text="1", **chat))).replies
        notice, again = (await bot.handle(IncomingMessage(text="  ", **chat))).replies
        assert notice.kind is ReplyKind.ERROR and "middle of an incident report" in notice.text
        assert again.text == question.text and again.data["field"] == question.data["field"]
    [empty] = (await bot.handle(IncomingMessage(text="", user_id="me", conversation_id="other", platform="web"))).replies
    assert "メッセージが空でした" in empty.text  # no form: the usual reply, in the default language

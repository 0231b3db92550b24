"""/checkup through the core: forms for Slack/Teams, submissions, history, summaries, access."""

from __future__ import annotations

from adapters.slack.convert import CAPABILITIES as SLACK
from adapters.teams.convert import CAPABILITIES as TEAMS
from bot.models import TEXT_ONLY, IncomingMessage, ReplyKind

ANSWERS = {"organization": "田中製作所", "policy": "yes", "owner": "partly", "budget": "no", "assets": "yes",
           "exposure": "unknown", "review": "no", "insurance": "yes", "updates": "yes", "malware": "yes", "mfa": "partly",
           "training": "yes", "monitoring": "no", "response_plan": "no", "contacts": "partly", "backup": "yes",
           "sharing": "no", "contracts": "yes", "suppliers": "no", "procurement": "partly", "security_action": "yes"}


def msg(platform: str = "slack", user: str = "U1", locale: str = "en-US", **kw: object) -> IncomingMessage:
    capabilities = {"slack": SLACK, "teams": TEAMS}.get(platform, TEXT_ONLY)
    return IncomingMessage(user_id=user, conversation_id=f"D-{user}", channel_id=f"D-{user}", platform=platform,
                           capabilities=capabilities, user_name=user.lower(), locale=locale, **kw)


async def test_slack_and_teams_get_the_whole_set_as_one_form_with_the_organisation_first(make_bot):
    bot = await make_bot()
    for platform in ("slack", "teams"):
        [reply] = (await bot.handle(msg(platform, locale="ja-JP", text="/checkup"))).replies
        assert reply.kind is ReplyKind.FORM and reply.private and reply.lang == "ja"
        form = reply.form
        assert form is not None and form.id == "checkup_form" and form.submit_label == "診断する"
        assert form.fields[0].id == "organization" and form.fields[0].kind == "text"
        assert len(form.fields) == 21 and all(f.kind == "choice" for f in form.fields[1:])
        assert form.fields[1].label.startswith("［経営のリーダーシップと体制］")
    [reply] = (await bot.handle(msg(user="U9", text="/checkup supplier"))).replies
    assert reply.form is not None and reply.form.id == "checkup_supplier_form" and reply.lang == "en"


async def test_an_unknown_set_is_refused_with_the_available_ones(make_bot):
    bot = await make_bot()
    [reply] = (await bot.handle(msg(text="/checkup vendors"))).replies
    assert reply.kind is ReplyKind.ERROR and 'no checkup called "vendors"' in reply.text and "supplier" in reply.text
    [reply] = (await bot.handle(msg(form_id="checkup_vendors_form", form_values=ANSWERS))).replies
    assert reply.kind is ReplyKind.ERROR and "vendors" in reply.text


async def test_a_submitted_form_with_mistakes_lists_them_per_field_and_stores_nothing(make_bot):
    bot = await make_bot()
    bad = {**ANSWERS, "policy": "maybe", "owner": "", "colour": "red", "organization": " "}
    [reply] = (await bot.handle(msg(form_id="checkup_form", form_values=bad))).replies
    assert reply.kind is ReplyKind.ERROR and reply.private
    errors = reply.data["errors"]
    assert set(errors) == {"policy", "owner", "colour", "organization"}
    assert '"maybe" is not a valid answer' in errors["policy"] and "Please answer" in errors["owner"]
    assert "Organisation name" in reply.text
    assert await bot.store.list_checkups() == []


async def test_a_submitted_form_is_scored_stored_and_answered_with_gaps_and_knowledge_buttons(make_bot):
    bot = await make_bot()
    [reply] = (await bot.handle(msg(form_id="checkup_form", form_values=ANSWERS))).replies
    assert reply.kind is ReplyKind.RESULT and reply.private and reply.lang == "en"
    assert reply.data["overall"] == 55 and reply.data["organization"] == "田中製作所"
    areas = [a["id"] for a in reply.data["areas"]]
    assert areas[0] == "incident" and [a["score"] for a in reply.data["areas"]] == sorted(a["score"] for a in reply.data["areas"])
    first = reply.data["gaps"][0]
    assert first["area"] == "incident" and first["risk"] and first["next_step"]
    assert "Overall: 55 / 100" in reply.text and "Risk:" in reply.text and "Next step:" in reply.text
    assert reply.text.index("Incident readiness") < reply.text.index("Basic protection")
    values = [b.value for b in reply.buttons]
    assert values[0] == "answer:appendix_c" and all(v.startswith("answer:") for v in values)
    [record] = await bot.store.list_checkups()
    assert record.id == reply.data["result_id"] and record.organization == "田中製作所" and record.set_id == "default"
    assert record.respondent == "U1" and record.platform == "slack" and record.answers["policy"] == "yes"
    assert record.overall == 55
    # a gap button opens the knowledge answer
    [answer] = (await bot.handle(msg(action=values[0]))).replies
    assert answer.kind is ReplyKind.ANSWER and answer.intent == "appendix_c"


async def test_japanese_users_get_the_result_in_japanese(make_bot):
    bot = await make_bot()
    [reply] = (await bot.handle(msg("teams", locale="ja-JP", form_id="checkup_form", form_values=ANSWERS))).replies
    assert reply.lang == "ja" and "総合: 55点" in reply.text and "リスク:" in reply.text and "次の一歩:" in reply.text


async def test_a_respondent_sees_only_their_own_results(make_bot):
    bot = await make_bot()
    await bot.handle(msg(user="U1", form_id="checkup_form", form_values={**ANSWERS, "organization": "Alpha"}))
    await bot.handle(msg(user="U2", form_id="checkup_form", form_values={**ANSWERS, "organization": "Beta"}))
    await bot.handle(msg("teams", user="U1", form_id="checkup_form", form_values={**ANSWERS, "organization": "Gamma"}))
    [mine] = (await bot.handle(msg(user="U1", text="/checkup history"))).replies
    assert "Alpha" in mine.text and "Beta" not in mine.text and "Gamma" not in mine.text
    assert len(mine.data["results"]) == 1
    [theirs] = (await bot.handle(msg(user="U3", text="/checkup history"))).replies
    assert "no checkup results yet" in theirs.text


async def test_summaries_are_for_responders_only(make_bot):
    bot = await make_bot(responders=frozenset({"USEC"}))
    await bot.handle(msg(user="U1", form_id="checkup_form", form_values={**ANSWERS, "organization": "Alpha"}))
    await bot.handle(msg(user="U2", form_id="checkup_form", form_values={**ANSWERS, "organization": "Beta", "policy": "no"}))
    [refused] = (await bot.handle(msg(user="U1", text="/checkup report"))).replies
    assert "Only the security team's responders" in refused.text and "Alpha" not in refused.text
    [report] = (await bot.handle(msg(user="USEC", text="/checkup report"))).replies
    assert report.data["organizations"] == 2 and "Alpha" in report.text and "Beta" in report.text
    assert "Most common gaps" in report.text
    [audit] = [e for e in await bot.store.list_audit("default") if e.action == "checkup.report_viewed"]
    assert audit.actor == "slack:USEC"

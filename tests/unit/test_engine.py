"""The conversation core as a user meets it: answers, suggestions, honest unknowns, bad input."""

from pathlib import Path

from bot.models import IncomingMessage, ReplyKind


def msg(text: str = "", **kw: object) -> IncomingMessage:
    return IncomingMessage(user_id=kw.pop("user_id", "U1"), conversation_id="C1", text=text, platform="test", **kw)


async def test_confident_answer_comes_with_its_source_in_the_users_language(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    [reply] = (await bot.handle(msg("What is JC-STAR?"))).replies
    assert reply.kind is ReplyKind.ANSWER and reply.intent == "jc_star" and reply.lang == "en"
    assert reply.text == "JC-STAR is IPA's IoT security labelling scheme."
    assert reply.sources[0].url == "https://www.ipa.go.jp/security/jc-star/index.html"
    assert reply.feedback
    assert [b.value for b in reply.buttons] == ["answer:asm"]

    [reply] = (await bot.handle(msg("ＪＣ－ＳＴＡＲとは？"))).replies
    assert reply.intent == "jc_star" and reply.lang == "ja" and reply.text.startswith("JC-STARはIPA")


async def test_off_topic_question_gets_an_honest_unknown_with_topics_and_incident(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    [reply] = (await bot.handle(msg("what's the weather in Osaka tomorrow"))).replies
    assert reply.kind is ReplyKind.UNKNOWN and reply.intent is None
    assert "don't have information" in reply.text
    values = [b.value for b in reply.buttons]
    assert "answer:jc_star" in values and "incident:start" in values


async def test_clicked_suggestion_answers_that_topic(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    [reply] = (await bot.handle(msg(action="answer:asm"))).replies
    assert reply.kind is ReplyKind.ANSWER and reply.intent == "asm"


async def test_none_of_these_and_feedback_are_stored_for_admins(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    await bot.handle(msg("label scheme thing, mail me at taro@example.co.jp"))
    [reply] = (await bot.handle(msg(action="none"))).replies
    assert reply.kind is ReplyKind.NOTICE and "recorded" in reply.text
    [thanks] = (await bot.handle(msg(action="feedback:down:jc_star"))).replies
    assert "feedback" in thanks.text.lower()
    votes = await bot.store.list_feedback()
    assert [(v.vote, v.intent) for v in votes] == [("none_of_these", None), ("down", "jc_star")]
    assert "[email]" in votes[0].question and "taro@" not in votes[0].question
    questions = await bot.store.list_questions()
    assert len(questions) == 1 and "taro@" not in questions[0].text


async def test_bad_input_gets_a_clear_reply(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    for text, expected in [("", "empty"), ("   \n\t ", "empty"), ("x" * 4001, "too long"),
                           ("\x00\x01\x02", "empty"), ("👍🔥🎉", "couldn't find any words")]:
        [reply] = (await bot.handle(msg(text, locale="en-US"))).replies
        assert reply.kind is ReplyKind.ERROR, text
        assert expected in reply.text, (text, reply.text)


async def test_mixed_scripts_and_emoji_still_match(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    [reply] = (await bot.handle(msg("🔥 attack surface management って何？"))).replies
    assert reply.intent == "asm"


async def test_unknown_button_and_unknown_command_are_explained(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    [reply] = (await bot.handle(msg(action="answer:gone"))).replies
    assert reply.kind is ReplyKind.ERROR and "期限切れ" in reply.text  # Japanese by default
    [reply] = (await bot.handle(msg("/frobnicate now"))).replies
    assert reply.kind is ReplyKind.ERROR and "/frobnicate" in reply.text


async def test_button_click_replies_in_the_conversations_language(make_bot, mini_knowledge: Path):
    bot = await make_bot(mini_knowledge)
    await bot.handle(msg("ASMとは"))
    [reply] = (await bot.handle(msg(action="answer:jc_star"))).replies
    assert reply.lang == "ja"

"""What a new user types that is not a question: a command in full-width characters (a Japanese
IME's `／incident`), or a bare number. Commands are recognised after NFKC on every platform; a
number alone is never matched to a topic, and in the terminal a number that is no button of the
previous reply is explained."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleSession
from bot.models import IncomingMessage, ReplyKind

PLATFORMS = ("slack", "teams", "console")


def msg(text: str, platform: str) -> IncomingMessage:
    return IncomingMessage(user_id="U1", conversation_id="C1", text=text, platform=platform)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("typed", ["／incident", "／ｉｎｃｉｄｅｎｔ", "ｉｎｃｉｄｅｎｔ", "／Incident　ランサムウェア"])
async def test_a_full_width_incident_command_starts_the_incident_report(make_bot, platform: str, typed: str) -> None:
    bot = await make_bot()
    replies = (await bot.handle(msg(typed, platform))).replies
    assert replies[-1].kind in (ReplyKind.FORM, ReplyKind.QUESTION), replies


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_full_width_help_and_checkup_are_commands(make_bot, platform: str) -> None:
    bot = await make_bot()
    [reply] = (await bot.handle(msg("／ｈｅｌｐ", platform))).replies
    assert reply.intent == "help"
    replies = (await bot.handle(IncomingMessage(user_id="U2", conversation_id="C2", text="／checkup",
                                                platform=platform))).replies
    assert replies[-1].kind in (ReplyKind.FORM, ReplyKind.QUESTION), replies


async def test_a_full_width_admin_command_runs_the_command(make_bot) -> None:
    bot = await make_bot(local=True)
    [reply] = (await bot.handle(msg("／ｓｔａｔｓ", "console"))).replies
    assert reply.kind is ReplyKind.RESULT, reply.text


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("typed", ["1", "9", "１", "3-1", "42."])
async def test_a_number_alone_is_not_answered_as_a_topic(make_bot, platform: str, typed: str) -> None:
    bot = await make_bot()
    [reply] = (await bot.handle(msg(typed, platform))).replies
    assert reply.kind is ReplyKind.UNKNOWN and reply.intent is None and not reply.data.get("suggestions")
    assert "数字だけ" in reply.text


async def test_in_the_terminal_a_number_that_is_no_option_says_which_numbers_are(make_bot, cautious_knowledge: Path,
                                                                                 ) -> None:
    out = io.StringIO()
    session = ConsoleSession(await make_bot(cautious_knowledge, local=True), "tester", out)
    [suggestions] = (await session.send("what is jc")).replies
    assert suggestions.kind is ReplyKind.SUGGESTIONS
    count = len(suggestions.buttons)
    [reply] = (await session.send("9")).replies
    assert reply.kind is ReplyKind.ERROR
    assert reply.text == f"There is no option 9: type a question, or a number from 1 to {count}."
    [answer] = (await session.send("1")).replies  # the previous choices still stand
    assert answer.kind is ReplyKind.ANSWER and answer.intent == suggestions.data["suggestions"][0]["intent"]


async def test_in_the_terminal_a_number_typed_into_a_form_goes_to_the_form(make_bot) -> None:
    session = ConsoleSession(await make_bot(local=True), "tester", io.StringIO())
    first = (await session.send("/incident")).replies[-1]
    assert first.kind is ReplyKind.QUESTION and len(first.buttons) < 20
    replies = (await session.send("20")).replies
    assert all(r.kind is not ReplyKind.UNKNOWN for r in replies)
    assert replies[-1].kind is ReplyKind.QUESTION and replies[-1].data["field"] == first.data["field"]

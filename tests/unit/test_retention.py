"""What the bot keeps of what people type, and for how long (issue 13, point 5)."""

from __future__ import annotations

import time
from pathlib import Path

from bot import engine
from bot.models import IncomingMessage, ReplyKind
from bot.service import purge_expired_data
from bot.store.retention import OFFER_SECONDS

SECRET_MAIL = "hanako.yamada@example.co.jp"
SECRET_PHONE = "090-8765-4321"
UNKNOWN = f"what's the weather in Osaka, mail {SECRET_MAIL} or call {SECRET_PHONE}"


def msg(text: str = "", **kw: object) -> IncomingMessage:
    return IncomingMessage(user_id="U1", conversation_id="C1", text=text, platform="test", **kw)


async def state_of(bot) -> dict:
    return await bot.store.get_state("test:C1:U1")


async def test_an_answered_question_is_not_kept_as_typed(make_bot, mini_knowledge: Path) -> None:
    bot = await make_bot(mini_knowledge)
    [reply] = (await bot.handle(msg("What is JC-STAR?"))).replies
    assert reply.kind is ReplyKind.ANSWER
    assert "last_question_raw" not in await state_of(bot)  # only the masked copy, for feedback


async def test_the_raw_question_is_dropped_when_the_offer_to_forward_it_is_gone(make_bot, mini_knowledge: Path) -> None:
    bot = await make_bot(mini_knowledge)
    [reply] = (await bot.handle(msg(UNKNOWN))).replies
    assert "expert:ask" in [b.value for b in reply.buttons]
    assert SECRET_MAIL in str(await state_of(bot))  # needed if the user forwards it now
    await bot.handle(msg(action="answer:jc_star"))  # the user picked a topic instead
    assert SECRET_MAIL not in str(await state_of(bot))


async def test_an_offer_left_open_expires(make_bot, mini_knowledge: Path, monkeypatch) -> None:
    bot = await make_bot(mini_knowledge)
    await bot.handle(msg(UNKNOWN))
    later = time.time() + OFFER_SECONDS + 1
    monkeypatch.setattr(engine.time, "time", lambda: later)
    [reply] = (await bot.handle(msg(action="expert:ask"))).replies
    assert reply.kind is ReplyKind.ERROR  # nothing to forward any more
    assert await bot.store.list_expert_questions() == []
    assert SECRET_MAIL not in str(await state_of(bot))


async def test_the_retention_purge_forgets_an_idle_offer(make_bot, mini_knowledge: Path) -> None:
    bot = await make_bot(mini_knowledge)
    await bot.handle(msg(UNKNOWN))
    await purge_expired_data(bot, retention_days=90, now=time.time() + OFFER_SECONDS + 1)
    state = await state_of(bot)
    assert state and SECRET_MAIL not in str(state)  # the conversation itself (language...) is kept


async def test_after_the_retention_period_the_text_is_gone_from_the_sqlite_files(make_bot, mini_knowledge: Path,
                                                                              tmp_path: Path) -> None:
    bot = await make_bot(mini_knowledge)
    await bot.handle(msg(UNKNOWN))
    await bot.handle(msg(action="none"))
    [forwarded] = (await bot.handle(msg(action="expert:ask"))).replies
    assert forwarded.kind is ReplyKind.NOTICE  # the question went to the security team as typed
    await bot.store.claim_delivery("slack:Ev0SECRET")
    await bot.handle(msg("label scheme thing"))
    files = sorted(tmp_path.glob("bot0.db*"))
    assert any(SECRET_MAIL.encode() in f.read_bytes() for f in files)

    await purge_expired_data(bot, retention_days=90, now=time.time() + 91 * 86_400)
    assert await bot.store.list_expert_questions() == [] and await bot.store.list_questions() == []
    assert await state_of(bot) == {}
    assert (await bot.store.fetchone("PRAGMA secure_delete"))[0] == 1  # not every SQLite build defaults to it
    for leaked in (SECRET_MAIL, SECRET_PHONE, "Ev0SECRET", "weather in Osaka"):
        # Read while the server still runs: the database and its write-ahead log.
        for path in sorted(tmp_path.glob("bot0.db*")):
            assert leaked.encode() not in path.read_bytes(), (leaked, path.name)

"""/readyz says 503 when the store cannot write, and no incident id is given for a write that
will vanish (SQLite keeps writing to a deleted file until restart)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.messages import say
from bot.models import IncomingMessage, ReplyKind
from bot.ops_http import add_ops_routes
from tests.unit.test_incident_flow import GOOD


def submission() -> IncomingMessage:
    return IncomingMessage(user_id="U1", conversation_id="D1", channel_id="D1", platform="slack", locale="en-US",
                           form_id="incident_form", form_values=GOOD)


async def readyz_status(bot) -> int:
    app = web.Application()
    add_ops_routes(app, bot)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        return (await client.get("/readyz")).status


async def test_readyz_fails_and_no_incident_id_is_given_once_the_database_file_is_deleted(make_bot, tmp_path: Path):
    bot = await make_bot()
    assert await readyz_status(bot) == 200
    [result] = (await bot.handle(submission())).replies
    assert result.kind is ReplyKind.RESULT and result.data["incident_id"]

    for file in tmp_path.glob("bot0.db*"):  # the database, its WAL and shared-memory files
        file.unlink()
    assert await readyz_status(bot) == 503
    [reply] = (await bot.handle(submission())).replies
    assert reply.kind is ReplyKind.ERROR and reply.text == say("store_error", "en")
    assert "incident_id" not in reply.data


async def test_readyz_fails_when_the_database_cannot_be_written(make_bot):
    bot = await make_bot()
    assert await readyz_status(bot) == 200
    await bot.store.fetchall("PRAGMA query_only = ON")  # as a read-only file or mount would
    assert await readyz_status(bot) == 503
    await bot.store.fetchall("PRAGMA query_only = OFF")
    assert await readyz_status(bot) == 200

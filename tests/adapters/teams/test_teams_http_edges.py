"""What a broken, hostile or unexpected request gets: a clean status, no traceback, nothing sent."""

from __future__ import annotations

import jwt
import pytest

from bot.engine import Bot

from .conftest import TeamsServer

APP_ID = "1b2c3d4e-0000-4000-8000-000000000001"


@pytest.mark.parametrize("body, status", [
    ("{not json", 400),
    ("[1, 2, 3]", 400),
    ('{"text": "no type"}', 400),
    ('{"type": "message", "conversation": {"id": "x"}}', 400),  # no serviceUrl
    ('{"type": "message", "serviceUrl": "http://127.0.0.1:9/", "conversation": "x"}', 400),
    ('{"type": "message", "serviceUrl": "http://127.0.0.1:9/", "conversation": {"id": "x"}, "from": []}', 400),
    ('{"type": "message", "serviceUrl": "http://127.0.0.1:9/", "conversation": {"id": "x"}, "entities": {}}', 400),
])
async def test_malformed_bodies_get_a_clean_400(server: TeamsServer, body: str, status: int) -> None:
    response = await server.post(body)
    assert response.status == status
    text = await response.text()
    assert "Traceback" not in text and "error" in (await response.json())
    assert not server.connector.calls


async def test_a_non_json_content_type_is_415(server: TeamsServer) -> None:
    response = await server.post("hello", content_type="text/plain")
    assert response.status == 415


async def test_a_huge_body_is_413(server: TeamsServer) -> None:
    huge = server.payload("message_personal", text="a" * 400_000)
    response = await server.post(huge)
    assert response.status == 413
    assert not server.connector.calls


async def test_unknown_activity_types_are_accepted_and_ignored(server: TeamsServer) -> None:
    for kind in ("typing", "messageReaction", "event", "somethingNew"):
        response = await server.post(server.payload("message_personal", type=kind))
        assert response.status == 200, kind
    assert not server.connector.calls


async def test_an_invoke_we_do_not_handle_gets_a_clean_answer(server: TeamsServer) -> None:
    response = await server.post(server.payload("message_personal", type="invoke", name="composeExtension/query"))
    assert response.status == 200
    assert not server.connector.calls


async def test_a_card_submit_that_is_not_ours_is_ignored(server: TeamsServer) -> None:
    response = await server.post(server.payload("card_submit_personal", value={"someone_else": 1}))
    assert response.status == 200
    assert not server.connector.calls


async def test_a_mention_alone_gets_no_reply(server: TeamsServer) -> None:
    response = await server.post(server.payload("message_channel_mention", text="<at>secbot</at>"))
    assert response.status == 200
    assert not server.connector.calls


async def test_a_failing_turn_gets_a_polite_reply_and_no_traceback(server: TeamsServer, monkeypatch, caplog) -> None:
    async def broken(self: Bot, message: object) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(Bot, "handle", broken)
    response = await server.post(server.payload("message_personal", text="what is jc-star"))
    assert response.status == 200
    assert "Traceback" not in await response.text()
    (call,) = server.connector.messages()
    assert call.body["text"] == "Something went wrong on my side. Please try again."
    assert "database exploded" in caplog.text  # the details stay in our log


async def test_with_an_app_id_a_request_without_a_token_is_401(start_server) -> None:
    server = await start_server(microsoft_app_id=APP_ID)
    assert not server.teams.local_mode
    response = await server.post(server.payload("message_personal"))
    assert response.status == 401
    assert not server.connector.calls


@pytest.mark.parametrize("header", [
    "Bearer not-a-jwt",
    "Basic dXNlcjpwYXNz",
    "Bearer " + jwt.encode({"iss": "https://evil.example", "aud": APP_ID}, "not-the-real-key-but-long-enough-for-hs256", algorithm="HS256"),
])
async def test_with_an_app_id_a_bad_token_is_401(start_server, header: str) -> None:
    server = await start_server(microsoft_app_id=APP_ID)
    response = await server.post(server.payload("message_personal"), headers={"Authorization": header})
    assert response.status == 401
    assert not server.connector.calls


async def test_healthz_says_which_mode(server: TeamsServer) -> None:
    response = await server.session.get(f"{server.url}/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "service": "secbot-teams", "mode": "local"}
    for path in ("/readyz", "/metrics"):  # on the operator port only (SECBOT_OPS_PORT)
        assert (await server.session.get(f"{server.url}{path}")).status == 404

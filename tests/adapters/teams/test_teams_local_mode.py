"""Local mode (no MicrosoftAppId, no authentication): what it refuses (issue 13, point 12)."""

from __future__ import annotations

import pytest

from adapters.teams.app import channel_ref_key
from adapters.teams.server import teams_problems
from bot.settings import Settings

from .conftest import TeamsServer

SECURITY = "19:securityChannel@thread.tacv2"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:3978", "10.0.0.5:3978", "127.0.0.1.evil.example"])
async def test_a_request_for_another_host_name_is_refused(server: TeamsServer, host: str) -> None:
    """DNS rebinding: a web page on evil.example whose name now resolves to 127.0.0.1."""
    response = await server.post(server.payload("message_personal"), headers={"Host": host})
    assert response.status == 403
    assert not server.connector.calls


@pytest.mark.parametrize("host", ["localhost", "localhost:3978", "127.0.0.1:3978", "[::1]:3978"])
async def test_loopback_host_names_are_served(server: TeamsServer, host: str) -> None:
    response = await server.post(server.payload("message_personal", text="What is JC-STAR?"), headers={"Host": host})
    assert response.status == 200
    assert server.connector.messages()


async def test_an_unauthenticated_activity_never_sets_the_security_channel(server: TeamsServer) -> None:
    spoofed = server.payload("conversation_update_team_install", serviceUrl="http://127.0.0.1:9/attacker/")
    assert (await server.post(spoofed)).status == 200
    message = server.payload("message_channel_mention", serviceUrl="http://127.0.0.1:9/attacker/")
    message["conversation"]["id"] = SECURITY
    message["channelData"]["channel"] = {"id": SECURITY}
    assert (await server.post(message)).status == 200
    await server.post(server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "other", "summary": "Odd pop-ups"}))
    assert await server.bot.store.get_conversation_ref(channel_ref_key(SECURITY)) is None


def test_local_mode_refuses_a_postgresql_database() -> None:
    settings = Settings.from_env({"SECBOT_DATABASE_URL": "postgresql://secbot@db.internal/secbot"})
    [problem] = teams_problems(settings, "127.0.0.1")
    assert "local mode" in problem and "PostgreSQL" in problem
    authenticated = Settings.from_env({"SECBOT_DATABASE_URL": "postgresql://secbot@db.internal/secbot",
                                       "MicrosoftAppId": "app", "MicrosoftAppPassword": "pw"})
    assert teams_problems(authenticated, "0.0.0.0") == []

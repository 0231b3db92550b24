"""The Bot Connector answering 5xx while a real incident is submitted from Teams: the incident is saved,
the failure is logged, the caller gets a clean answer, and a failed post does not stop the others."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge import SHIPPED_DIR
from tests.adapters.teams.conftest import TeamsServer
from tests.faults.conftest import FlakyConnector
from tests.faults.payloads import (
    complete_answers,
    marker_in,
    teams_activity,
    teams_incident_value,
    triage_form,
)
from tests.faults.serve_process import TEAMS_SECURITY_CHANNEL

REPORTER = "teams-reporter-1"


@pytest.fixture
async def server(start_server: Any) -> TeamsServer:
    return await start_server(knowledge_dir=SHIPPED_DIR, fake_flow=False, teams_security_channel=TEAMS_SECURITY_CHANNEL)


def incident(server: TeamsServer, marker: str, activity_id: str) -> dict[str, Any]:
    form = triage_form("en")
    return teams_activity(server.connector.url, activity_id, user=REPORTER,
                          value=teams_incident_value(form, complete_answers(form, marker)))


async def incidents_with(server: TeamsServer, marker: str) -> int:
    return sum(marker_in(r.answers, marker) for r in await server.bot.store.list_incidents(limit=1000))


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_incident_is_saved_and_the_security_team_told_when_the_reporters_chat_fails(
        server: TeamsServer, status: int, caplog: pytest.LogCaptureFixture) -> None:
    connector: FlakyConnector = server.connector  # type: ignore[assignment]
    connector.failing[f"a:{REPORTER}"] = status
    response = await server.post(incident(server, "tfault1", "act-1"))
    body = await response.text()
    assert response.status == 200 and "Traceback" not in body and len(body) < 200
    assert await incidents_with(server, "tfault1") == 1
    assert f"a:{REPORTER}" in connector.refused  # the result was attempted...
    [summary] = connector.to(TEAMS_SECURITY_CHANNEL)  # ...and the security team still heard of it
    assert "tfault1" in str(summary.body)
    assert str(status) in caplog.text or "upstream failed" in caplog.text  # the failure is in our log


async def test_incident_is_saved_when_the_security_channel_fails(server: TeamsServer,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    connector: FlakyConnector = server.connector  # type: ignore[assignment]
    connector.failing[TEAMS_SECURITY_CHANNEL] = 503
    response = await server.post(incident(server, "tfault2", "act-2"))
    assert response.status == 200 and "Traceback" not in await response.text()
    assert await incidents_with(server, "tfault2") == 1
    [result] = connector.to(f"a:{REPORTER}")  # the reporter got the result, once
    assert "INC-" in str(result.body)
    assert "upstream failed" in caplog.text  # the failed post is in our log (botbuilder reports it)


async def test_a_redelivered_activity_during_an_outage_is_one_incident(server: TeamsServer) -> None:
    connector: FlakyConnector = server.connector  # type: ignore[assignment]
    connector.failing[f"a:{REPORTER}"] = 502
    activity = incident(server, "tfault3", "act-3")
    for _ in range(3):  # the Bot Framework service redelivers when the bot answered with an error
        response = await server.post(activity)
        assert response.status in (200, 202)
    assert await incidents_with(server, "tfault3") == 1
    assert len(connector.to(TEAMS_SECURITY_CHANNEL)) == 1

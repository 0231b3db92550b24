"""Only the installed workspace is served (issue 13, point 7): a signed request from another
workspace (another app install sharing a signing secret, Enterprise Grid orgs) gets no answer."""

from __future__ import annotations

from pathlib import Path


def from_team(body: dict, team: str, enterprise: str | None = None) -> dict:
    body["team_id"] = team
    body["event"]["team"] = team
    body["enterprise_id"] = enterprise
    body["authorizations"] = [{"team_id": team, "enterprise_id": enterprise, "user_id": "U0SECBOT",
                               "is_bot": True, "is_enterprise_install": False}]
    return body


async def test_an_event_from_another_workspace_is_ignored(make_harness, mini_knowledge: Path) -> None:
    slack = await make_harness(mini_knowledge)
    status, _, _ = await slack.post_json(from_team(slack.event_body("dm", "What is JC-STAR?"), "T0OTHER"))
    assert status == 200  # acknowledged, so Slack does not retry
    await slack.settle()
    assert not slack.fake.called("chat.postMessage")
    assert await slack.bot.store.list_questions() == []


async def test_the_installed_workspace_is_served(make_harness, mini_knowledge: Path) -> None:
    slack = await make_harness(mini_knowledge)
    await slack.post_json(from_team(slack.event_body("dm", "What is JC-STAR?"), "T0TEAM"))
    assert await slack.fake.wait_for("chat.postMessage")


async def test_configured_workspaces_and_organisations_are_served(make_harness, mini_knowledge: Path) -> None:
    slack = await make_harness(mini_knowledge, slack_teams=frozenset({"E0GRID"}))
    await slack.post_json(from_team(slack.event_body("dm", "What is JC-STAR?"), "T0OTHER", "E0GRID"))
    assert await slack.fake.wait_for("chat.postMessage")
    await slack.post_json(from_team(slack.event_body("dm", "What is JC-STAR?"), "T0TEAM"))
    await slack.settle()
    assert len(slack.fake.called("chat.postMessage")) == 1  # the list replaces the default

"""Only the configured Microsoft 365 tenants are served (issue 13, point 7)."""

from __future__ import annotations

from botbuilder.schema import Activity

from adapters.teams.app import TeamsHandler, allowed_tenants, channel_ref_key
from bot.settings import Settings

from .conftest import TeamsServer

HOME = "9c8b7a6d-0000-4000-8000-0000000000t1"  # the fixtures' tenant
OTHER = "0bad0bad-0000-4000-8000-00000000beef"
SECURITY = "19:securityChannel@thread.tacv2"


def in_tenant(activity: dict, tenant: str) -> dict:
    activity["conversation"]["tenantId"] = tenant
    activity["channelData"]["tenant"] = {"id": tenant}
    return activity


async def test_an_activity_from_another_tenant_is_ignored(start_server) -> None:
    server: TeamsServer = await start_server(teams_tenants=frozenset({HOME}), teams_security_channel=SECURITY)
    submit = server.payload("card_submit_personal", value={
        "secbot_action": "incident_submit", "incident_type": "other", "summary": "Odd pop-ups"})
    assert (await server.post(in_tenant(submit, OTHER))).status == 200
    assert (await server.post(in_tenant(server.payload("message_personal"), OTHER))).status == 200
    assert not server.connector.calls  # no incident filed or forwarded, no answer
    (flow,) = [f for f in server.bot.skills.values() if hasattr(f, "submissions")]
    assert flow.submissions == []
    assert (await server.post(in_tenant(server.payload("message_personal"), HOME))).status == 200
    assert server.connector.messages()  # the home tenant is served


def test_a_single_tenant_app_serves_its_own_tenant_by_default() -> None:
    single = Settings.from_env({"MicrosoftAppType": "SingleTenant", "MicrosoftAppTenantId": HOME})
    assert allowed_tenants(single) == {HOME}
    configured = Settings.from_env({"MicrosoftAppType": "SingleTenant", "MicrosoftAppTenantId": HOME,
                                    "SECBOT_TEAMS_TENANTS": f"{HOME}, {OTHER}"})
    assert allowed_tenants(configured) == {HOME, OTHER}
    assert allowed_tenants(Settings.from_env({})) == frozenset()  # multi-tenant: any tenant


async def test_the_security_channel_reference_comes_only_from_a_message_there(start_server) -> None:
    server: TeamsServer = await start_server(teams_tenants=frozenset({HOME}), teams_security_channel=SECURITY,
                                             microsoft_app_id="00000000-0000-0000-0000-00000000a99", )
    handler: TeamsHandler = server.teams.handler
    key = channel_ref_key(SECURITY)

    def channel_activity(fixture: str, tenant: str, **changes: object) -> Activity:
        body = in_tenant(server.payload(fixture, **changes), tenant)
        body["conversation"]["id"] = SECURITY
        body["channelData"]["channel"] = {"id": SECURITY}
        return Activity().deserialize(body)

    await handler.remember_conversation(channel_activity("conversation_update_team_install", HOME))
    assert await server.bot.store.get_conversation_ref(key) is None  # an install event is not a message
    await handler.remember_conversation(channel_activity("message_channel_mention", OTHER))
    assert await server.bot.store.get_conversation_ref(key) is None  # another tenant
    await handler.remember_conversation(channel_activity("message_channel_mention", HOME))
    assert (await server.bot.store.get_conversation_ref(key))["conversation"]["id"] == SECURITY


async def test_a_reporters_activity_does_not_set_the_security_channel(start_server) -> None:
    """Only a message in the channel sets it: a reporter's serviceUrl is used for one post, not kept."""
    server: TeamsServer = await start_server(teams_tenants=frozenset({HOME}), teams_security_channel=SECURITY,
                                             microsoft_app_id="00000000-0000-0000-0000-00000000a99")
    handler: TeamsHandler = server.teams.handler

    class Context:
        activity = Activity().deserialize(server.payload("message_personal"))

    reference = await handler.security_channel_reference(Context())  # type: ignore[arg-type]
    assert reference is not None and reference.conversation.id == SECURITY
    assert await server.bot.store.get_conversation_ref(channel_ref_key(SECURITY)) is None

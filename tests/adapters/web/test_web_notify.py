"""An incident reported on the web reaches the security team's Slack channel (a local fake Slack)."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from adapters.web.app import create_app
from adapters.web.context import WebConfig
from adapters.web.notify import Notify, security_notifier
from bot.engine import Bot
from bot.http_limits import start_server
from bot.models import Notification
from bot.settings import Settings
from intents.assemble import create_bot
from knowledge import SHIPPED_DIR
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.web.conftest import USER_HEADER, form_csrf


async def _report_incident(bot: Bot, notify: Notify | None) -> str:
    """Submit the /incident form on a real server; the page that comes back."""
    runner = await start_server(create_app(bot, WebConfig(user_header=USER_HEADER), notify=notify), "127.0.0.1", 0)
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    form = bot.knowledge.current.components["triage"].form("ja")
    values = {f.id: (f.choices[0].value if f.kind == "choice" else "2026-11-01T09:30" if f.kind == "datetime" else "PC 1台")
              for f in form.fields if f.required and not f.show_if}
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                         headers={USER_HEADER: "taro@example.co.jp"}) as session:
            async with session.get(base + "/incident") as response:
                csrf = form_csrf(await response.text())
            async with session.post(base + "/chat", data={"csrf": csrf, "form_id": form.id, **values}) as response:
                return await response.text()
    finally:
        await runner.cleanup()


async def test_a_web_incident_is_posted_to_the_security_channel(tmp_path: Path, fake_slack: FakeSlack) -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-test-not-real", "SECBOT_SECURITY_CHANNEL": "C0SECURITY",
                                  "SECBOT_SLACK_API_URL": fake_slack.api_url},
                                 knowledge_dir=SHIPPED_DIR, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    bot = await create_bot(settings)
    try:
        page = await _report_incident(bot, security_notifier(settings, bot))
        incident_id = re.search(r"INC-\d{8}-\d{4}", page).group(0)
        [call] = await fake_slack.wait_for("chat.postMessage")
        assert call["channel"] == "C0SECURITY" and incident_id in call.rendered()
        assert call.authorization == "Bearer xoxb-test-not-real"
        assert "セキュリティチームに通知しました" in page
    finally:
        await bot.store.close()
    assert security_notifier(Settings.from_env({})) is None  # no Slack configured: nothing to send to


async def _failing(_: Notification) -> None:
    raise ConnectionError("Slack is down")


async def test_a_web_incident_that_was_not_sent_says_so(tmp_path: Path) -> None:
    settings = Settings.from_env({}, knowledge_dir=SHIPPED_DIR, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    bot = await create_bot(settings)
    try:
        for notify in (None, _failing):  # no channel configured; the channel failed
            page = await _report_incident(bot, notify)
            assert re.search(r"INC-\d{8}-\d{4}", page) and "通知は送信されていません" in page
            assert "通知しました" not in page
    finally:
        await bot.store.close()


SECURITY = "19:security-team@thread.tacv2"


async def _teams_only(tmp_path: Path, service_url: str) -> tuple[Bot, Settings]:
    """A Teams-only install: the security channel's reference was stored by `secbot serve teams`."""
    from adapters.teams.app import channel_ref_key

    settings = Settings.from_env({"SECBOT_TEAMS_SECURITY_CHANNEL": SECURITY}, knowledge_dir=SHIPPED_DIR,
                                 database_url=f"sqlite:///{tmp_path / 't.db'}")
    bot = await create_bot(settings)
    await bot.store.save_conversation_ref(channel_ref_key(SECURITY), {
        "bot": {"id": "28:secbot", "name": "secbot"}, "channelId": "msteams", "serviceUrl": service_url,
        "conversation": {"id": SECURITY, "isGroup": True, "conversationType": "channel", "tenantId": "tenant-1"}},
        platform="teams")
    return bot, settings


async def test_a_web_incident_reaches_the_teams_security_channel_on_a_teams_only_install(tmp_path: Path) -> None:
    from tests.adapters.teams.fake_connector import FakeConnector

    connector = FakeConnector()
    runner = await start_server(connector.app(), "127.0.0.1", 0)
    connector.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    bot, settings = await _teams_only(tmp_path, connector.url)
    notifier = security_notifier(settings, bot)
    assert notifier is not None and notifier.platforms == ["teams"]
    try:
        page = await _report_incident(bot, notifier)
        incident_id = re.search(r"INC-\d{8}-\d{4}", page).group(0)
        [posted] = connector.to(SECURITY)
        assert incident_id in str(posted.card) and posted.reply_to_id is None  # a new thread in the channel
        assert "セキュリティチームに通知しました" in page and "送信されていません" not in page
    finally:
        await notifier.close()
        await runner.cleanup()
        await bot.store.close()


async def test_a_teams_channel_that_cannot_be_reached_is_not_reported_as_notified(tmp_path: Path) -> None:
    bot, settings = await _teams_only(tmp_path, "http://127.0.0.1:9")  # nothing listens on the discard port
    notifier = security_notifier(settings, bot)
    try:
        page = await _report_incident(bot, notifier)
        assert re.search(r"INC-\d{8}-\d{4}", page) and "通知は送信されていません" in page
        assert "通知しました" not in page
        [incident] = await bot.store.list_incidents()  # in the record all the same
        assert incident.reporter == "taro@example.co.jp"
    finally:
        await notifier.close()
        await bot.store.close()

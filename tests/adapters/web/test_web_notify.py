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
        page = await _report_incident(bot, security_notifier(settings))
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

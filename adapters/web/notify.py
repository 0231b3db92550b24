"""Notifications from the web pages (a new incident, a question for the security team) go to the
security team's Slack channel when Slack is configured (SLACK_BOT_TOKEN, SECBOT_SECURITY_CHANNEL),
with the Slack adapter's own message format. Messages to one person stay with their platform."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.models import Notification
from bot.settings import Settings

log = logging.getLogger(__name__)
Notify = Callable[[Notification], Awaitable[None]]


def security_notifier(settings: Settings) -> Notify | None:
    if not (settings.slack_bot_token and settings.security_channel):
        return None
    from adapters.slack import blocks
    from adapters.slack.app import build_web_client

    client = build_web_client(settings)
    channel = settings.security_channel

    async def send(note: Notification) -> None:
        if note.audience != "security_team":
            log.warning("web: a %s notification for one person cannot be delivered from the web front end", note.kind)
            return
        await client.chat_postMessage(channel=channel, text=blocks.notification_text(note),
                                      blocks=blocks.notification_blocks(note))

    return send

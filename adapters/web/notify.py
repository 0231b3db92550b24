"""Notifications from the web pages (a new incident, a question for the security team) go to the
security team's channel on the chat platforms the web process is configured for:

- Slack: `SLACK_BOT_TOKEN` and `SECBOT_SECURITY_CHANNEL` (the Slack adapter's own message format);
- Teams: `SECBOT_TEAMS_SECURITY_CHANNEL` and the bot's credentials (`MicrosoftAppId`,
  `MicrosoftAppPassword`, `MicrosoftAppType`, `MicrosoftAppTenantId`), as a proactive message
  through the conversation reference `secbot serve teams` stored when someone wrote in that
  channel (the Teams adapter's own card).

A notification counts as sent when at least one platform accepted it; the chat page's reply says
so only then (adapters/delivery.py: the same policy as Slack and Teams). Messages for one person
stay with their platform: a web user reads their answers on /chat (adapters/web/chat.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.engine import Bot
from bot.models import Notification
from bot.settings import Settings

log = logging.getLogger(__name__)
Send = Callable[[Notification], Awaitable[bool]]


class SecurityNotifier:
    """Posts to every configured security channel; True when at least one accepted the message."""

    def __init__(self, senders: list[tuple[str, Send]], closers: list[Callable[[], Awaitable[Any]]] | None = None):
        self.senders = senders
        self.closers = closers or []

    @property
    def platforms(self) -> list[str]:
        return [name for name, _ in self.senders]

    async def __call__(self, note: Notification) -> bool:
        if note.audience != "security_team":
            log.warning("web: a %s notification for one person is not sent from the web front end", note.kind)
            return False
        accepted = False
        for name, send in self.senders:
            try:
                accepted = await send(note) or accepted
            except Exception:  # one platform down must not stop the other
                log.exception("web: could not post the %s notification to %s", note.kind, name)
        return accepted

    async def close(self) -> None:
        for close in self.closers:
            await close()


Notify = Callable[[Notification], Awaitable[bool]]


def security_notifier(settings: Settings, bot: Bot | None = None) -> SecurityNotifier | None:
    """None when no platform is configured (the page then says the team was not notified)."""
    senders: list[tuple[str, Send]] = []
    closers: list[Callable[[], Awaitable[Any]]] = []
    if settings.slack_bot_token and settings.security_channel:
        senders.append(("slack", _slack(settings)))
    if settings.teams_security_channel and bot is not None:
        teams = _teams(settings, bot)
        if teams is not None:
            senders.append(("teams", teams[0]))
            closers.append(teams[1])
    return SecurityNotifier(senders, closers) if senders else None


def _slack(settings: Settings) -> Send:
    from adapters.slack import blocks
    from adapters.slack.app import build_web_client

    client = build_web_client(settings)
    channel = settings.security_channel or ""

    async def send(note: Notification) -> bool:
        await client.chat_postMessage(channel=channel, text=blocks.notification_text(note),
                                      blocks=blocks.notification_blocks(note))
        return True  # chat.postMessage raises when Slack refuses

    return send


def _teams(settings: Settings, bot: Bot) -> tuple[Send, Callable[[], Awaitable[Any]]] | None:
    try:
        from adapters.teams.app import build_teams_app
    except ImportError:
        log.warning("web: SECBOT_TEAMS_SECURITY_CHANNEL is set but the Teams extra is not installed "
                    "(pip install 'secbot[teams]'): incidents from the web are not posted to Teams")
        return None
    teams = build_teams_app(bot, settings)

    async def send(note: Notification) -> bool:
        # No turn in progress: the channel's stored reference (False, logged, when there is none).
        return await teams.handler.notify(None, note)

    return send, teams.close

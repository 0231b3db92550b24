"""Who may run admin and responder commands.

Admins and responders are platform user ids (Slack user/group ids, Teams AAD object ids)
from the configuration; anyone posting in the private security channel is a responder too.
The terminal and the CLI belong to whoever runs them, so they get `local` access.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import IncomingMessage


@dataclass(frozen=True)
class AccessPolicy:
    admins: frozenset[str] = frozenset()
    responders: frozenset[str] = frozenset()
    responder_channels: frozenset[str] = frozenset()
    local: bool = False  # terminal/CLI: the operator owns the database anyway

    def is_admin(self, message: IncomingMessage) -> bool:
        return self.local or message.user_id in self.admins

    def is_responder(self, message: IncomingMessage) -> bool:
        return (
            self.is_admin(message)
            or message.user_id in self.responders
            or (message.channel_id is not None and message.channel_id in self.responder_channels)
        )

"""Guided multi-step flows (the incident triage, the checkup) plug into the engine here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.models import IncomingMessage, Response

if TYPE_CHECKING:
    from bot.engine import Bot
    from bot.snapshot import Snapshot
    from bot.store.base import Store


@dataclass
class Turn:
    """Everything one turn of a conversation works with; `state` is saved after the turn."""

    message: IncomingMessage
    snapshot: Snapshot
    store: Store
    lang: str
    state: dict[str, Any]
    bot: Bot
    notes: dict[str, Any] = field(default_factory=dict)


class Flow(Protocol):
    name: str  # the flow's key in conversation state and the prefix of its button actions
    commands: tuple[str, ...]  # e.g. ("/incident", "incident")
    form_ids: tuple[str, ...]  # forms it handles when submitted whole (Slack modal, Teams card)

    async def start(self, turn: Turn, args: str) -> Response: ...

    async def on_text(self, turn: Turn, text: str) -> Response:
        """A message while this flow is active (state["flow"] == name)."""
        ...

    async def on_action(self, turn: Turn, action: str) -> Response:
        """A button payload starting with f"{name}:"."""
        ...

    async def on_submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response: ...

    # Optional: `on_session_start(turn) -> Response`, called when a new terminal session finds
    # this flow active (see Bot.session_start).

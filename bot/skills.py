"""What a skill is, as the engine sees it. Skills (intents/) register themselves with the Bot;
the core knows no skill by name.

- `Command`: one-shot, started by a slash command or a bare word (`/answer`, `/secbot stats`).
- `Flow`: a multi-step form (incident triage, checkup). Its buttons start with f"{name}:" and
  its submitted forms have ids starting f"{name}_" (whatever each front end carries it in).
- `Fallback`: answers what nothing else claimed (free-text questions) and its own buttons.

A `Turn` gives a skill the narrow services it may use, never the whole Bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.access import AccessPolicy
from bot.models import IncomingMessage, Reply, ReplyKind, Response

if TYPE_CHECKING:
    from bot.reload import Reloader
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
    access: AccessPolicy = field(default_factory=AccessPolicy)
    default_lang: str = "ja"
    reloader: Reloader | None = None
    fallback: Callable[[Turn, str], Awaitable[Response]] | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    async def ask(self, text: str) -> Response:
        """Answer `text` as a question (a command's text that was not meant for it)."""
        if self.fallback is None:
            return Response()
        return await self.fallback(self, text)

    def reply(self, text: str, kind: ReplyKind, *, private: bool = False) -> Response:
        return Response((Reply(text=text, kind=kind, lang=self.lang, private=private),))


class Command(Protocol):
    @property
    def name(self) -> str:
        """The skill's key in conversation state and the prefix of its button actions."""
        ...

    @property
    def commands(self) -> tuple[str, ...]:
        """E.g. ("/answer",); a bare word ("incident") starts it only when typed alone."""
        ...

    async def start(self, turn: Turn, args: str) -> Response: ...


@runtime_checkable
class Flow(Command, Protocol):
    async def on_text(self, turn: Turn, text: str) -> Response:
        """A message while this flow is active (state["flow"] == name)."""
        ...

    async def on_action(self, turn: Turn, action: str) -> Response:
        """A button payload starting with f"{name}:"."""
        ...

    async def on_submit(self, turn: Turn, form_id: str, values: Mapping[str, str]) -> Response:
        """A whole form whose id starts with f"{name}_"."""
        ...

    # Optional: `on_session_start(turn) -> Response`, called when a new terminal session finds
    # this flow active (see Bot.session_start).


class Fallback(Protocol):
    @property
    def actions(self) -> tuple[str, ...]:
        """The button kinds (before ":") it answers, e.g. ("answer", "feedback")."""
        ...

    def before_turn(self, turn: Turn) -> None:
        """Forget what this turn no longer needs (e.g. a question kept for forwarding)."""
        ...

    async def answer(self, turn: Turn, text: str) -> Response: ...

    async def on_action(self, turn: Turn, action: str) -> Response: ...

    async def help(self, turn: Turn) -> Response: ...


def form_owner(form_id: str) -> str:
    """The name of the flow a submitted form belongs to: "checkup_supplier_form" -> "checkup"."""
    return form_id.partition("_")[0]

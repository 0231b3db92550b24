"""Platform-neutral messages and replies.

Adapters turn what their platform sends into an `IncomingMessage` (saying, in its
`Capabilities`, what they can render) and render the `Reply` objects of a `Response` in
their own way. Nothing here knows about a platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from enum import StrEnum
from typing import Any

JST = timezone(timedelta(hours=9), "JST")  # Japan has no daylight saving time


def valid_text(text: str) -> str:
    """`text` with what cannot be UTF-8 (lone surrogates: undecodable bytes Python kept as
    surrogateescapes, a JSON "\\ud800") replaced by U+FFFD, so no store or terminal chokes on it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


class ReplyKind(StrEnum):
    ANSWER = "answer"  # a confident answer from the knowledge base
    SUGGESTIONS = "suggestions"  # "did you mean" with up to three topics
    UNKNOWN = "unknown"  # an honest "I don't know"
    SMALLTALK = "smalltalk"  # greeting, thanks, help
    FORM = "form"  # a whole form to fill in (where the front end renders forms)
    QUESTION = "question"  # one step of a guided flow
    RESULT = "result"  # the outcome of a flow (triage result, checkup score)
    NOTICE = "notice"  # acknowledgements, cancellations, feedback thanks
    ERROR = "error"  # bad input, explained


@dataclass(frozen=True)
class Button:
    """A clickable choice. `value` is the action payload sent back when clicked."""

    label: str
    value: str
    style: str | None = None  # "primary" | "danger" | None


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    as_of: str | None = None  # "2026-12": the month the answer was last checked against it
    unofficial: bool = False  # a blog or news summary, not the official text (rendered as a short label)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input of a form; each adapter renders it as one of its own inputs."""

    id: str
    label: str
    kind: str  # "choice" | "text" | "multiline" | "datetime"
    required: bool = True
    choices: tuple[Choice, ...] = ()
    placeholder: str | None = None
    help: str | None = None
    # Asked only when another field has one of these values: {"incident_type": ("ransomware",)}
    show_if: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    id: str  # e.g. "incident_form"
    title: str
    submit_label: str
    fields: tuple[FormField, ...]
    intro: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    kind: ReplyKind
    lang: str
    title: str | None = None
    intent: str | None = None
    score: float | None = None
    sources: tuple[Source, ...] = ()
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    # Shown only to the person who asked (each front end has its own way: an ephemeral message, a
    # personal chat).
    private: bool = False
    # Show 👍/👎 buttons whose clicks are stored for admins.
    feedback: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """A message the adapter delivers outside the current conversation.

    By default it goes to the security team's private channel, never a public one. With
    audience "user" it goes privately to one person (e.g. a responder's answer to a
    question forwarded with "ask the security team").
    """

    kind: str  # e.g. "incident_created", "expert_question", "expert_answer"
    text: str
    lang: str
    data: Mapping[str, Any] = field(default_factory=dict)
    audience: str = "security_team"  # "security_team" | "user"
    platform: str | None = None  # for audience "user": where the person is
    user_id: str | None = None
    conversation_id: str | None = None
    buttons: tuple[Button, ...] = ()


# The longest choice label that every front end shows whole (the shortest of the adapters'
# `Capabilities.option_label_length`; a test keeps the two in step). The knowledge checks keep
# every choice label within it, so no front end cuts one.
OPTION_LABEL_LIMIT = 75


@dataclass(frozen=True)
class Capabilities:
    """What a front end can render, set by its adapter. The skills decide by this, never by the
    name of the platform."""

    # A whole `Reply.form` at once (a dialog, a card, a web form); without, a flow asks one
    # field after another.
    forms: bool = False
    # `Reply.buttons` that can be clicked (a front end without numbers them to type).
    buttons: bool = True
    # The longest choice label shown whole; None: no limit.
    option_label_length: int | None = None


TEXT_ONLY = Capabilities()


@dataclass(frozen=True)
class IncomingMessage:
    """A user's message, button click or form submission, whatever the platform."""

    user_id: str
    conversation_id: str
    text: str = ""
    # Who sent it, as a name for keys, records and metrics ("console", an adapter's own name);
    # what the front end can show is in `capabilities`.
    platform: str = "console"
    capabilities: Capabilities = TEXT_ONLY
    channel_id: str | None = None
    user_name: str | None = None
    # A button payload, such as "answer:jc_star", "none", "feedback:up:jc_star".
    action: str | None = None
    # A submitted form: its id and field values. A date picker's value comes as ISO 8601 (the
    # adapter converts its own format); a typed date as typed.
    form_id: str | None = None
    form_values: Mapping[str, str] | None = None
    # A language hint from the platform (user locale); the text itself wins when clear.
    locale: str | None = None
    # The platform's delivery id (an event or activity id) for de-duplication.
    delivery_id: str | None = None

    def __post_init__(self) -> None:
        # The one door into the core from every front end: what the user typed is made valid here.
        object.__setattr__(self, "text", valid_text(self.text or ""))
        if self.user_name is not None:
            object.__setattr__(self, "user_name", valid_text(self.user_name))
        if self.form_values is not None:
            object.__setattr__(self, "form_values", {valid_text(str(k)): valid_text(v) if isinstance(v, str) else v
                                                     for k, v in self.form_values.items()})


@dataclass(frozen=True)
class Response:
    replies: tuple[Reply, ...] = ()
    notifications: tuple[Notification, ...] = ()

    def __add__(self, other: Response) -> Response:
        return Response(self.replies + other.replies, self.notifications + other.notifications)

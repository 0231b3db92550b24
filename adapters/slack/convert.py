"""Slack payloads in, neutral messages out.

Each function takes a request body exactly as Slack sends it (an Events API callback, a slash
command form, a `block_actions` or `view_submission` payload) and returns the core's
`IncomingMessage` plus an `Origin`: where the answer has to go back to.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.slack.blocks import OPTION_LABEL_LIMIT
from bot.models import Capabilities, IncomingMessage

PLATFORM = "slack"
# Forms open as modals; select menus cut an option's label after OPTION_LABEL_LIMIT characters.
CAPABILITIES = Capabilities(forms=True, buttons=True, option_label_length=OPTION_LABEL_LIMIT)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Origin:
    """Where a message came from, so that the replies go back to the same place."""

    user_id: str
    channel_id: str | None = None
    thread_ts: str | None = None  # answer in this thread
    is_dm: bool = False  # the conversation is the user's DM with the bot: private already
    response_url: str | None = None  # slash commands and message buttons: ephemeral answers
    trigger_id: str | None = None  # lets us open a modal for the next ~3 seconds
    ephemeral: bool = False  # slash commands: every answer is for the person who typed only
    resend_text: str | None = None  # typed text that produced a form: resent by its "open" button


def is_dm_channel(channel_id: str | None) -> bool:
    return bool(channel_id) and channel_id.startswith("D")  # type: ignore[union-attr]


def conversation_id(channel_id: str, thread_ts: str | None) -> str:
    """A DM is one conversation; in a channel each thread is one (the bot answers in threads)."""
    if is_dm_channel(channel_id) or not thread_ts:
        return channel_id
    return f"{channel_id}:{thread_ts}"


def strip_mentions(text: str, bot_user_id: str | None = None) -> str:
    """Remove the bot's @mention (or, if the bot's id is unknown, the leading mentions)."""
    if bot_user_id:
        return re.sub(rf"\s*<@{re.escape(bot_user_id)}(?:\|[^>]*)?>\s*", " ", text).strip()
    text = text.strip()
    while (match := _MENTION.match(text)) is not None:
        text = text[match.end():].strip()
    return text


def from_event(event: Mapping[str, Any], *, event_id: str | None, bot_user_id: str | None,
               ) -> tuple[IncomingMessage, Origin] | None:
    """An `app_mention` or a DM (`message` in an `im`); None for anything not meant for us."""
    kind = event.get("type")
    user = event.get("user")
    channel = event.get("channel")
    if not user or not channel or event.get("bot_id") or (bot_user_id and user == bot_user_id):
        return None
    if kind == "message":
        # Edits, deletions, joins... have a subtype; only what a person wrote gets an answer.
        if event.get("channel_type") != "im" or event.get("subtype") not in (None, "file_share", "thread_broadcast"):
            return None
        text = event.get("text") or ""
        thread = event.get("thread_ts")
        dm = True
    elif kind == "app_mention":
        text = strip_mentions(event.get("text") or "", bot_user_id)
        thread = event.get("thread_ts") or event.get("ts")
        dm = is_dm_channel(channel)
    else:
        return None
    message = IncomingMessage(
        user_id=user, conversation_id=conversation_id(channel, thread), text=text, platform=PLATFORM,
        capabilities=CAPABILITIES, channel_id=channel, delivery_id=event_id)
    return message, Origin(user_id=user, channel_id=channel, thread_ts=thread, is_dm=dm, resend_text=text)


def from_command(body: Mapping[str, Any]) -> tuple[IncomingMessage, Origin]:
    """A slash command (`/incident list`) becomes the text the core understands."""
    command = body.get("command") or ""
    text = f"{command} {body.get('text') or ''}".strip()
    channel = body.get("channel_id") or body["user_id"]
    message = IncomingMessage(
        user_id=body["user_id"], conversation_id=conversation_id(channel, None), text=text, platform=PLATFORM,
        capabilities=CAPABILITIES, channel_id=channel, user_name=body.get("user_name"),
        delivery_id=f"command:{body.get('trigger_id')}" if body.get("trigger_id") else None)
    origin = Origin(user_id=body["user_id"], channel_id=channel, is_dm=is_dm_channel(channel),
                    response_url=body.get("response_url"), trigger_id=body.get("trigger_id"), ephemeral=True,
                    resend_text=text)
    return message, origin


def from_action(body: Mapping[str, Any], action: Mapping[str, Any]) -> tuple[IncomingMessage, Origin]:
    """A button click on one of our messages; its value is the core's action payload."""
    user = body["user"]["id"]
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or user
    thread = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
    delivery = f"action:{channel}:{container.get('message_ts')}:{action.get('action_id')}:{action.get('action_ts')}:{user}"
    message = IncomingMessage(
        user_id=user, conversation_id=conversation_id(channel, thread), platform=PLATFORM, capabilities=CAPABILITIES,
        channel_id=channel, user_name=body["user"].get("username") or body["user"].get("name"), action=action.get("value"),
        locale=body["user"].get("locale") or body.get("locale"), delivery_id=delivery)
    origin = Origin(user_id=user, channel_id=channel, thread_ts=thread, is_dm=is_dm_channel(channel),
                    response_url=body.get("response_url"), trigger_id=body.get("trigger_id"),
                    ephemeral=bool(container.get("is_ephemeral")))
    return message, origin


def view_state_values(view: Mapping[str, Any]) -> dict[str, str]:
    """`view.state.values` ({block_id: {action_id: element state}}) as {field id: value}."""
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for state in actions.values():
            value = element_value(state)
            if value is not None:
                values[block_id] = value  # our block ids are the form's field ids
    return values


def element_value(state: Mapping[str, Any]) -> str | None:
    kind = state.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = state.get("selected_option")
        return option.get("value") if option else None
    if kind == "datetimepicker":
        return iso_datetime(state.get("selected_date_time"))
    if kind == "datepicker":  # "2026-11-27": already ISO 8601
        return state.get("selected_date")
    if kind == "timepicker":  # "08:15": the time of today, as the core reads it
        return state.get("selected_time")
    if kind == "checkboxes":
        return ",".join(o["value"] for o in state.get("selected_options") or []) or None
    value = state.get("value")
    return value if value else None


def iso_datetime(stamp: Any) -> str | None:
    """A datetimepicker's Unix time as the ISO 8601 the core reads (`1764201600` ->
    "2025-11-27T00:00:00+00:00"). Anything else goes on as text, for the core to refuse."""
    if stamp is None or isinstance(stamp, bool):
        return None if stamp is None else str(stamp)
    try:
        return datetime.fromtimestamp(float(stamp), UTC).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return str(stamp)


def view_metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def view_delivery_id(view: Mapping[str, Any], values: Mapping[str, str]) -> str:
    """The same submission delivered twice has the same id; a corrected resubmission does not."""
    digest = hashlib.sha256(json.dumps(dict(values), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]
    return f"view:{view.get('id')}:{digest}"


def from_view_submission(body: Mapping[str, Any]) -> tuple[IncomingMessage, Origin]:
    """A submitted modal: the form id is the view's callback_id; answers go to the user's DM."""
    view = body["view"]
    user = body["user"]["id"]
    values = view_state_values(view)
    meta = view_metadata(view)
    channel = meta.get("channel_id")
    message = IncomingMessage(
        user_id=user, conversation_id=meta.get("conversation_id") or conversation_id(channel or user, None),
        platform=PLATFORM, capabilities=CAPABILITIES, channel_id=channel,
        user_name=body["user"].get("username") or body["user"].get("name"),
        form_id=view.get("callback_id"), form_values=values, locale=body["user"].get("locale"),
        delivery_id=view_delivery_id(view, values))
    # Never the channel where /incident was typed: the result holds the incident's details.
    return message, Origin(user_id=user, channel_id=user, is_dm=True)

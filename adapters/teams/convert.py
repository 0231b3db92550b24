"""A Teams Activity in, a neutral IncomingMessage out (and the few Teams facts the adapter needs).

Works on botbuilder's `Activity` but only reads its attributes, so the core never sees a
botbuilder type (as opsdroid's Teams connector does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.models import Capabilities, IncomingMessage

PLATFORM = "teams"
# Forms are Adaptive Cards, whose choice sets show long labels whole.
CAPABILITIES = Capabilities(forms=True, buttons=True, option_label_length=None)
ACTION_KEY = "secbot_action"  # the key every Action.Submit `data` of ours carries
SUBMIT_SUFFIX = "_submit"  # form "incident_form" is submitted as action "incident_submit"
TIME_SUFFIX = "__time"  # the time half of a datetime field (Input.Date + Input.Time)
MAX_VALUE_CHARS = 4000

_AT_TAG = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


def submit_action(form_id: str) -> str:
    return f"{form_id.removesuffix('_form')}{SUBMIT_SUFFIX}"


def form_id_for(action: str) -> str | None:
    """The form an Action.Submit belongs to: "incident_submit" -> "incident_form"."""
    if action.endswith(SUBMIT_SUFFIX) and ":" not in action and len(action) > len(SUBMIT_SUFFIX):
        return f"{action.removesuffix(SUBMIT_SUFFIX)}_form"
    return None


def channel_data(activity: Any) -> Mapping[str, Any]:
    data = getattr(activity, "channel_data", None)
    return data if isinstance(data, Mapping) else {}


def _id_of(data: Mapping[str, Any], key: str) -> str | None:
    item = data.get(key)
    if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"]:
        return item["id"]
    return None


def teams_channel_id(activity: Any) -> str | None:
    """The Teams channel (not thread) an activity came from; None for personal and group chats."""
    data = channel_data(activity)
    channel = _id_of(data, "channel")
    if channel:
        return channel
    conversation = getattr(activity, "conversation", None)
    conversation_id = getattr(conversation, "id", None)
    if getattr(conversation, "conversation_type", None) == "channel" and conversation_id:
        return base_conversation_id(conversation_id)
    return None


def tenant_id(activity: Any) -> str | None:
    conversation = getattr(activity, "conversation", None)
    return _id_of(channel_data(activity), "tenant") or getattr(conversation, "tenant_id", None) or None


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's id without its ";messageid=..." part: posting there starts a new thread."""
    return conversation_id.split(";", 1)[0]


def conversation_type(activity: Any) -> str:
    conversation = getattr(activity, "conversation", None)
    kind = getattr(conversation, "conversation_type", None)
    if kind:
        return kind
    return "channel" if teams_channel_id(activity) else "personal"


def user_id(activity: Any) -> str:
    """The Azure AD object id when Teams gives it (what SECBOT_ADMINS/RESPONDERS list), else the Teams id."""
    sender = getattr(activity, "from_property", None)
    return getattr(sender, "aad_object_id", None) or getattr(sender, "id", None) or "unknown"


def strip_mentions(activity: Any) -> str:
    """The text without the bot's own @mention, using the mention entities as Teams sends them."""
    text = getattr(activity, "text", None) or ""
    recipient = getattr(getattr(activity, "recipient", None), "id", None)
    for entity in getattr(activity, "entities", None) or ():
        props = _entity_properties(entity)
        if props.get("type") != "mention":
            continue
        mentioned = props.get("mentioned") or {}
        mention_text = props.get("text")
        if isinstance(mentioned, Mapping) and mentioned.get("id") == recipient and isinstance(mention_text, str):
            text = text.replace(mention_text, " ")
    # A mention of the bot whose entity is missing still arrives as an <at> tag: never treat it as words.
    if recipient and _AT_TAG.search(text) and conversation_type(activity) != "personal":
        text = _AT_TAG.sub(" ", text, count=1) if text.lstrip().lower().startswith("<at>") else text
    return " ".join(text.replace("\xa0", " ").split())


def _entity_properties(entity: Any) -> Mapping[str, Any]:
    if isinstance(entity, Mapping):
        return entity
    props = dict(getattr(entity, "additional_properties", None) or {})
    props.setdefault("type", getattr(entity, "type", None))
    return props


def _form_values(value: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, raw in value.items():
        if key == ACTION_KEY or key.endswith(TIME_SUFFIX) or not isinstance(key, str):
            continue
        if raw is None or isinstance(raw, Mapping | list):
            continue
        text = str(raw).lower() if isinstance(raw, bool) else str(raw)
        values[key] = text.strip()[:MAX_VALUE_CHARS]
    # Input.Date + Input.Time -> one "YYYY-MM-DD HH:MM" value for the field.
    for key, raw in value.items():
        if isinstance(key, str) and key.endswith(TIME_SUFFIX) and isinstance(raw, str) and raw.strip():
            field_id = key.removesuffix(TIME_SUFFIX)
            if values.get(field_id):
                values[field_id] = f"{values[field_id]} {raw.strip()}"
    return values


def to_incoming(activity: Any) -> IncomingMessage | None:
    """A message activity (typed text or a card's Action.Submit) -> IncomingMessage; None if not ours."""
    conversation = getattr(activity, "conversation", None)
    conversation_id = getattr(conversation, "id", None)
    if not conversation_id:
        return None
    sender = getattr(activity, "from_property", None)
    common: dict[str, Any] = {
        "user_id": user_id(activity),
        "conversation_id": conversation_id,
        "platform": PLATFORM,
        "capabilities": CAPABILITIES,
        "channel_id": teams_channel_id(activity),
        "user_name": getattr(sender, "name", None),
        "locale": getattr(activity, "locale", None),
        "delivery_id": f"teams:{activity.id}" if getattr(activity, "id", None) else None,
    }
    value = getattr(activity, "value", None)
    if isinstance(value, Mapping) and isinstance(value.get(ACTION_KEY), str):
        action = value[ACTION_KEY][:200]
        form_id = form_id_for(action)
        if form_id is not None:
            return IncomingMessage(form_id=form_id, form_values=_form_values(value), **common)
        return IncomingMessage(action=action, **common)
    if value is not None and not getattr(activity, "text", None):
        return None  # a submit from a card that is not ours
    return IncomingMessage(text=strip_mentions(activity), **common)

"""Is this request body something Slack could have sent? Checked before bolt sees it.

Checked after the signature (server.py), before bolt parses: bolt's matchers and our listeners
index into the payload, and junk, a JSON list, nesting deep enough to exhaust the recursion
limit, or a field of the wrong type made a 500 with a traceback in the log. Real Slack payloads
always pass; anything else is a short 400.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

_EVENT_TEXT_FIELDS = ("type", "user", "channel", "channel_type", "text", "subtype", "ts", "thread_ts", "event_ts",
                      "bot_id")
_PAYLOAD_OBJECTS = ("user", "view", "container", "channel", "message", "team")
_PAYLOAD_TEXTS = ("type", "trigger_id", "response_url")


def body_problem(raw: str, content_type: str | None) -> str | None:
    """None if the body is well formed, else a short reason (never echoing the body)."""
    try:
        body = parse_body(raw, content_type)
    except (ValueError, RecursionError):
        return "the body is not valid JSON or form data"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    try:
        return _problem(body)
    except RecursionError:
        return "the body is nested too deeply"


def parse_body(raw: str, content_type: str | None) -> Any:
    """The body as bolt will read it: JSON, a form, or a form whose `payload` field is JSON."""
    if not raw:
        return {}
    if content_type == "application/json" or raw.startswith("{"):
        return json.loads(raw)
    form = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" in raw:
        payload = form.get("payload")
        return json.loads(payload) if payload is not None else {}
    return form


def _optional(value: Any, kind: type | tuple[type, ...]) -> bool:
    return value is None or isinstance(value, kind)


def _problem(body: Mapping[str, Any]) -> str | None:
    if not _optional(body.get("type"), str):
        return "`type` must be a string"
    if "authorizations" in body and not (isinstance(body["authorizations"], list)
                                         and all(isinstance(a, dict) for a in body["authorizations"])):
        return "`authorizations` must be a list of objects"
    if "event" in body or body.get("type") == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict):
            return "`event` must be an object"
        if not all(_optional(event.get(key), str) for key in _EVENT_TEXT_FIELDS):
            return "an event field has the wrong type"
        return None if _optional(body.get("event_id"), str) else "`event_id` must be a string"
    if body.get("type") == "url_verification":
        return None if isinstance(body.get("challenge"), str) else "`challenge` must be a string"
    if "command" in body:  # a slash command (form fields are strings already)
        ok = str(body["command"]).startswith("/") and bool(body.get("user_id"))
        return None if ok else "a slash command needs `command` and `user_id`"
    return _payload_problem(body)  # even without a type: bolt's "unhandled request" warning reads these


def _payload_problem(body: Mapping[str, Any]) -> str | None:
    """Interactivity: block_actions, view_submission, view_closed, shortcuts."""
    if not all(_optional(body.get(key), dict) for key in _PAYLOAD_OBJECTS):
        return "an interactivity field must be an object"
    if not all(_optional(body.get(key), str) for key in _PAYLOAD_TEXTS):
        return "an interactivity field must be a string"
    user = body.get("user")
    if user is not None and not isinstance(user.get("id"), str):
        return "`user.id` must be a string"
    actions = body.get("actions")
    if actions is not None and not _actions_ok(actions):
        return "`actions` must be a list of actions"
    problem = _view_problem(body.get("view"))
    if problem:
        return problem
    if body.get("type") in ("block_actions", "view_submission", "view_closed", "shortcut", "message_action") \
            and user is None:
        return "`user` is missing"
    if body.get("type") in ("block_actions", "interactive_message") and not actions:
        return "`actions` is missing or empty"  # bolt reads actions[0] for these, before any listener
    return None


def _actions_ok(actions: Any) -> bool:
    return isinstance(actions, list) and all(
        isinstance(a, dict) and isinstance(a.get("action_id"), str) and _optional(a.get("type"), str)
        and _optional(a.get("value"), str) and _optional(a.get("block_id"), str) for a in actions)


def _view_problem(view: Mapping[str, Any] | None) -> str | None:
    if view is None:
        return None
    if not all(_optional(view.get(key), str) for key in ("id", "type", "callback_id", "private_metadata", "hash")):
        return "a view field has the wrong type"
    if not _optional(view.get("blocks"), list) or not all(isinstance(b, dict) for b in view.get("blocks") or []):
        return "`view.blocks` must be a list of objects"
    state = view.get("state")
    if state is None:
        return None
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
            isinstance(actions_state, dict) and all(_element_state_ok(s) for s in actions_state.values())
            for actions_state in values.values()):
        return "`view.state.values` has the wrong shape"
    return None


def _element_state_ok(state: Any) -> bool:
    """One input's state, as adapters.slack.convert.element_value reads it."""
    if not isinstance(state, dict):
        return False
    option = state.get("selected_option")
    options = state.get("selected_options")
    return (all(_optional(state.get(key), str) for key in ("type", "value", "selected_date", "selected_time"))
            and _optional(state.get("selected_date_time"), (int, float, str))
            and (option is None or (isinstance(option, dict) and _optional(option.get("value"), str)))
            and (options is None or (isinstance(options, list) and all(
                isinstance(o, dict) and isinstance(o.get("value"), str) for o in options))))

"""Replies in, Block Kit out: messages for replies and notifications, modals for forms.

Pure functions over the core's models, so they are easy to test and to read side by side
with Slack's Block Kit reference. Slack's size limits are applied here (titles of modals are
24 characters, button labels 75, section text 3000...), never in the core.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.messages import as_of_text, say
from bot.models import Button, Form, FormField, Notification, Reply
from bot.render_text import render_reply

# Action ids of our buttons. Every click carries the core's payload in `value`, so the
# action id only has to be unique within its block.
BUTTON_ACTION = "secbot_button"
FEEDBACK_ACTION = "secbot_feedback"
OPEN_FORM_ACTION = "secbot_open_form"

SECTION_LIMIT = 3000
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
ACTIONS_PER_BLOCK = 25
MODAL_TITLE_LIMIT = 24
OPTION_LABEL_LIMIT = 75
OPTIONS_LIMIT = 100
METADATA_LIMIT = 3000
TEXT_INPUT_LIMIT = 3000


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, title: str) -> str:
    return f"<{url.replace('>', '%3E').replace('|', '%7C')}|{escape(title).replace('|', '｜')}>"


def plain(text: str, limit: int | None = None) -> dict[str, Any]:
    return {"type": "plain_text", "text": _truncate(text, limit) if limit else text, "emoji": True}


def _sections(text: str) -> list[dict[str, Any]]:
    """Section blocks for long text, split on line boundaries under Slack's 3000-character limit."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines() or [""]:
        for piece in [line[i:i + SECTION_LIMIT] for i in range(0, len(line), SECTION_LIMIT)] or [""]:
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) > SECTION_LIMIT:
                chunks.append(current)
                candidate = piece
            current = candidate
    chunks.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks if chunk.strip()]


def button(item: Button, action_id: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(item.label, BUTTON_LABEL_LIMIT),
        "value": item.value[:BUTTON_VALUE_LIMIT],
    }
    if item.style in ("primary", "danger"):
        element["style"] = item.style
    return element


def button_blocks(buttons: Sequence[Button], block_id: str = "secbot_buttons") -> list[dict[str, Any]]:
    blocks = []
    for start in range(0, len(buttons), ACTIONS_PER_BLOCK):
        chunk = buttons[start:start + ACTIONS_PER_BLOCK]
        suffix = "" if start == 0 else f"_{start // ACTIONS_PER_BLOCK}"
        blocks.append({"type": "actions", "block_id": block_id + suffix,
                       "elements": [button(b, f"{BUTTON_ACTION}_{start + i}") for i, b in enumerate(chunk)]})
    return blocks


def feedback_block(intent: str, lang: str) -> dict[str, Any]:
    up, down = say("slack_feedback_up", lang), say("slack_feedback_down", lang)
    return {"type": "actions", "block_id": "secbot_feedback", "elements": [
        button(Button(up, f"feedback:up:{intent}"), f"{FEEDBACK_ACTION}_up"),
        button(Button(down, f"feedback:down:{intent}"), f"{FEEDBACK_ACTION}_down"),
    ]}


def reply_blocks(reply: Reply, *, open_form_value: str | None = None) -> list[dict[str, Any]]:
    """Block Kit for one reply: title and answer, source links, buttons, 👍/👎.

    A form reply that cannot be opened as a modal right away (a typed "incident" has no
    trigger_id) becomes its intro and a button that opens it: `open_form_value` is the text
    to send again when the button is clicked.
    """
    blocks: list[dict[str, Any]] = []
    body = escape(reply.text.rstrip())
    if reply.title:
        body = f"*{escape(reply.title)}*\n{body}" if body else f"*{escape(reply.title)}*"
    if reply.form is not None and not body:
        body = escape(reply.form.intro or reply.form.title)
    blocks += _sections(body)
    if reply.sources:
        label = escape(say("source", reply.lang))
        blocks.append({"type": "context", "block_id": "secbot_sources", "elements": [
            {"type": "mrkdwn", "text": f"{label}: {link(s.url, s.title)}{escape(as_of_text(s.as_of, reply.lang))}"}
            for s in reply.sources[:10]]})
    if reply.form is not None and open_form_value:
        label = reply.form.title
        blocks.append({"type": "actions", "block_id": "secbot_open_form", "elements": [
            button(Button(label, open_form_value[:BUTTON_VALUE_LIMIT], "primary"), OPEN_FORM_ACTION)]})
    choices = [b for b in reply.buttons if not b.value.startswith("feedback:")]
    blocks += button_blocks(choices)
    if reply.feedback and reply.intent:
        blocks.append(feedback_block(reply.intent, reply.lang))
    return blocks[:50]  # Slack's limit for a message


def reply_text(reply: Reply) -> str:
    """The message's `text`: notifications, screen readers and clients without blocks show it.

    Escaped like the blocks: Slack parses `<!channel>` and `<url|label>` in `text` too."""
    return _truncate(escape(render_reply(reply)), 3900)


def notification_text(note: Notification) -> str:
    """The notification's top-level `text` (what the banner shows), escaped like its blocks."""
    return _truncate(escape(note.text), 3900)


def notification_blocks(note: Notification) -> list[dict[str, Any]]:
    blocks = _sections(escape(note.text))
    blocks += button_blocks(tuple(getattr(note, "buttons", ()) or ()), block_id="secbot_notification_buttons")
    return blocks[:50]


# -- forms as modals ------------------------------------------------------------------------
def controlling_fields(form: Form) -> set[str]:
    """Fields whose value decides whether others are shown: they dispatch on change."""
    return {name for f in form.fields for name in f.show_if}


def visible_fields(form: Form, values: Mapping[str, str]) -> list[FormField]:
    return [f for f in form.fields if all(values.get(name) in allowed for name, allowed in f.show_if.items())]


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label, OPTION_LABEL_LIMIT), "value": value[:150]}


def field_element(item: FormField, value: str | None) -> dict[str, Any]:
    if item.kind == "choice":
        options = [_option(c.value, c.label) for c in item.choices[:OPTIONS_LIMIT]]
        element: dict[str, Any] = {"type": "static_select", "action_id": item.id, "options": options}
        chosen = next((o for o in options if o["value"] == value), None)
        if chosen is not None:
            element["initial_option"] = chosen
    else:
        # Free text, and dates as text too: the core parses and validates what people type.
        element = {"type": "plain_text_input", "action_id": item.id, "multiline": item.kind == "multiline"}
        limit = min(item.max_length or TEXT_INPUT_LIMIT, TEXT_INPUT_LIMIT)
        element["max_length"] = limit
        if value:
            element["initial_value"] = value[:limit]
    if item.placeholder:
        element["placeholder"] = plain(item.placeholder, 150)
    return element


def form_view(form: Form, values: Mapping[str, str] | None = None, *, metadata: Mapping[str, Any] | None = None,
              lang: str = "ja") -> dict[str, Any]:
    """A modal for `form`: one input block per visible field, `block_id` = `action_id` = field id."""
    values = values or {}
    dispatching = controlling_fields(form)
    blocks: list[dict[str, Any]] = []
    if form.intro:
        blocks += _sections(escape(form.intro))
    for item in visible_fields(form, values):
        block: dict[str, Any] = {
            "type": "input",
            "block_id": item.id,
            "label": plain(item.label, 2000),
            "optional": not item.required,
            "element": field_element(item, values.get(item.id)),
        }
        if item.help:
            block["hint"] = plain(item.help, 2000)
        if item.id in dispatching:
            block["dispatch_action"] = True
        blocks.append(block)
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": form.id,
        "title": plain(form.title, MODAL_TITLE_LIMIT),
        "submit": plain(form.submit_label, MODAL_TITLE_LIMIT),
        "close": plain(say("slack_cancel", lang), MODAL_TITLE_LIMIT),
        "blocks": blocks[:100],
    }
    if metadata:
        view["private_metadata"] = json.dumps(dict(metadata), ensure_ascii=False)[:METADATA_LIMIT]
    return view


def view_errors(errors: Mapping[str, str], view_fields: Iterable[str], fallback: str | None = None) -> dict[str, str]:
    """`response_action: errors` needs block ids present in the modal; others go on the first field."""
    present = list(view_fields)
    result: dict[str, str] = {}
    for key, message in errors.items():
        target = key if key in present else (present[0] if present else key)
        result[target] = f"{result[target]} / {message}" if target in result else str(message)
    if not result and fallback and present:
        result[present[0]] = fallback
    return {key: _truncate(message, 2000) for key, message in result.items()}


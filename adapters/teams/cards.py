"""Replies, forms and notifications as Adaptive Cards 1.5 (what every current Teams client renders).

Plain dicts in, plain dicts out: no botbuilder import, so the cards are easy to test and to
move to another SDK. Every Action.Submit carries {"secbot_action": ...}; convert.py reads it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from adapters.teams.convert import ACTION_KEY, TIME_SUFFIX, submit_action
from bot.messages import as_of_text, say
from bot.models import Button, Form, FormField, Notification, Reply, ReplyKind, Source

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTIONS_PER_SET = 5  # Teams shows at most 6 actions in a set; keep room and keep rows short

_ACTION_STYLES = {"primary": "positive", "danger": "destructive"}


def card(body: list[dict[str, Any]], actions: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        content["actions"] = list(actions)
    return content


def attachment(content: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": content}


def plain_markdown(text: str) -> str:
    """Text shown as written: Teams renders `[label](url)` in a TextBlock as a link, so brackets
    from users (a description, a display name) become full-width ones that render as text."""
    return text.replace("[", "［").replace("]", "］")


def text_block(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def paragraphs(text: str) -> list[dict[str, Any]]:
    """One TextBlock per paragraph: Teams collapses single blank lines inside a TextBlock."""
    parts = [p.strip("\n") for p in text.strip().split("\n\n") if p.strip()]
    return [text_block(plain_markdown(p), spacing="Medium" if i else "Default") for i, p in enumerate(parts)]


def submit(title: str, action: str, *, style: str | None = None, **data: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": {ACTION_KEY: action, **data}}
    if style in _ACTION_STYLES:
        result["style"] = _ACTION_STYLES[style]
    return result


def action_sets(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "ActionSet", "actions": list(actions[i:i + ACTIONS_PER_SET])}
            for i in range(0, len(actions), ACTIONS_PER_SET)]


def _escape_link_text(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")


def sources_block(sources: Iterable[Source], lang: str) -> list[dict[str, Any]]:
    label = say("source", lang)
    lines = [f"{label}: [{_escape_link_text(s.title)}]({s.url}){as_of_text(s.as_of, lang)}" for s in sources]
    if not lines:
        return []
    return [{"type": "Container", "separator": True, "spacing": "Medium",
             "items": [text_block(line, size="Small", isSubtle=True, spacing="None") for line in lines]}]


def _buttons(buttons: Iterable[Button]) -> list[dict[str, Any]]:
    return [submit(b.label, b.value, style=b.style) for b in buttons if not b.value.startswith("feedback:")]


def feedback_block(intent: str, lang: str) -> list[dict[str, Any]]:
    return [
        text_block(say("teams_feedback_prompt", lang), size="Small", isSubtle=True, separator=True, spacing="Medium"),
        {"type": "ActionSet", "actions": [submit("👍", f"feedback:up:{intent}"), submit("👎", f"feedback:down:{intent}")]},
    ]


def errors_block(errors: Any, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The core's {"field": "what is wrong"} (or a list of messages) as a bullet list with field labels."""
    if isinstance(errors, Mapping):
        items = []
        for field_id, message in errors.items():
            if isinstance(message, Mapping):
                message = message.get("message") or message.get("text") or ""
            label = labels.get(str(field_id), str(field_id))
            items.append(f"**{plain_markdown(label)}**: {plain_markdown(str(message))}")
    elif isinstance(errors, list | tuple):
        items = [plain_markdown(str(message)) for message in errors]
    else:
        return []
    if not items:
        return []
    return [text_block("\n".join(f"- {item}" for item in items), color="Attention")]


def field_labels(reply: Reply) -> dict[str, str]:
    """Field labels for error lists: from the reply's form, or data["labels"] when the core gives them."""
    labels = {f.id: f.label for f in reply.form.fields} if reply.form is not None else {}
    given = reply.data.get("labels")
    if isinstance(given, Mapping):
        labels.update({str(k): str(v) for k, v in given.items()})
    return labels


def reply_card(reply: Reply) -> dict[str, Any]:
    """Any Reply except a form: title, text, sources, buttons, 👍/👎."""
    if reply.form is not None and reply.kind is not ReplyKind.ERROR:
        return form_card(reply.form, reply.lang, intro=reply.text)
    body: list[dict[str, Any]] = []
    if reply.title:
        body.append(text_block(plain_markdown(reply.title), style="heading", size="Medium", weight="Bolder"))
    kind_color = {ReplyKind.ERROR: "Attention"}.get(reply.kind)
    blocks = paragraphs(reply.text)
    if kind_color and blocks:
        blocks[0]["color"] = kind_color
    body += blocks
    if reply.kind is ReplyKind.ERROR:
        body += errors_block(reply.data.get("errors"), field_labels(reply))
    body += sources_block(reply.sources, reply.lang)
    body += action_sets(_buttons(reply.buttons))
    if reply.feedback and reply.intent:
        body += feedback_block(reply.intent, reply.lang)
    if not body:
        body.append(text_block(" "))
    return card(body)


def _only_if(field: FormField, form: Form, lang: str) -> str:
    parts = []
    by_id = {f.id: f for f in form.fields}
    for other_id, values in field.show_if.items():
        other = by_id.get(other_id)
        labels = {c.value: c.label for c in other.choices} if other else {}
        names = say("teams_or", lang).join(labels.get(v, v) for v in values)
        parts.append(say("teams_only_if", lang, field=other.label if other else other_id, values=names))
    return " ".join(parts)


def form_inputs(field: FormField, form: Form, lang: str) -> list[dict[str, Any]]:
    """A field as card inputs. Conditional fields (show_if) are always shown, labelled with
    their condition, and never required on the card: Adaptive Cards 1.5 in Teams cannot show an
    input depending on another input's value, so the core validates them on submit."""
    conditional = bool(field.show_if)
    label = field.label + (" " + _only_if(field, form, lang) if conditional else "")
    required = field.required and not conditional
    common: dict[str, Any] = {"id": field.id, "label": label}
    if required:
        common |= {"isRequired": True, "errorMessage": say("teams_required", lang, field=field.label)}
    inputs: list[dict[str, Any]]
    if field.kind == "choice":
        choice_set: dict[str, Any] = {
            "type": "Input.ChoiceSet", **common,
            "style": "expanded" if len(field.choices) <= 4 else "compact",
            "choices": [{"title": c.label, "value": c.value} for c in field.choices],
        }
        if field.placeholder and choice_set["style"] == "compact":
            choice_set["placeholder"] = field.placeholder
        inputs = [choice_set]
    elif field.kind == "datetime":
        # Input.Date + Input.Time (same label row); convert.py joins them as "YYYY-MM-DD HH:MM".
        inputs = [{"type": "Input.Date", **common},
                  {"type": "Input.Time", "id": f"{field.id}{TIME_SUFFIX}", "label": say("teams_time", lang)}]
    else:
        text_input: dict[str, Any] = {"type": "Input.Text", **common}
        if field.kind == "multiline":
            text_input["isMultiline"] = True
        if field.placeholder:
            text_input["placeholder"] = field.placeholder
        if field.max_length:
            text_input["maxLength"] = field.max_length
        inputs = [text_input]
    if field.help:
        inputs.append(text_block(field.help, size="Small", isSubtle=True, spacing="None"))
    return inputs


def form_card(form: Form, lang: str, *, intro: str | None = None) -> dict[str, Any]:
    body: list[dict[str, Any]] = [text_block(form.title, style="heading", size="Medium", weight="Bolder")]
    for text in dict.fromkeys(t for t in (form.intro, intro) if t):
        body += paragraphs(text)
    for field in form.fields:
        body += form_inputs(field, form, lang)
    return card(body, [submit(form.submit_label, submit_action(form.id), style="primary")])


def notification_card(notification: Notification) -> dict[str, Any]:
    title = notification.data.get("title") if isinstance(notification.data.get("title"), str) else None
    body = [text_block(plain_markdown(title or say("teams_security_notice", notification.lang)), style="heading",
                       size="Medium", weight="Bolder")]
    body += paragraphs(notification.text)
    body += action_sets(_buttons(notification.buttons))
    return card(body)

"""The chat page (/chat): the same Q&A as Slack and Teams, and /incident and /checkup as HTML forms.

Thin: a POST becomes an IncomingMessage (text, a button's action, or a form's values) for the
core's engine, and its Replies are rendered as HTML. Identity comes only from the auth proxy's
header (SECBOT_WEB_USER_HEADER); without it the page answers questions and nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from adapters.web.context import BOT_KEY, CONFIG_KEY, NOTIFY_KEY
from adapters.web.pages import render
from adapters.web.security import browser_id
from adapters.web.texts import page_lang, tr
from bot.messages import say
from bot.models import JST, Capabilities, Form, IncomingMessage, Reply, ReplyKind, Response
from intents.checkup.model import set_id_for
from intents.incident.model import FORM_ID as INCIDENT_FORM
from intents.incident.texts import t as incident_text

log = logging.getLogger(__name__)
ANONYMOUS_ACTIONS = ("answer:", "feedback:", "none")  # what a visitor without identity may click
# "Ask the security team": the answer comes back as a private message, which no web page can receive.
UNAVAILABLE_ACTIONS = ("expert:",)
MAX_USER_CHARS = 200
# Forms are HTML forms (a date-time picker sends ISO 8601), whose options show long labels whole.
CAPABILITIES = Capabilities(forms=True, buttons=True, option_label_length=None)
MAX_QUESTION_CHARS = 2000


def routes(app: web.Application) -> None:
    app.router.add_get("/", root)
    app.router.add_get("/chat", chat_page)
    app.router.add_post("/chat", chat_post)
    app.router.add_get("/incident", incident_page)
    app.router.add_get("/checkup", checkup_page)


async def root(_: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/chat")


async def incident_page(request: web.Request) -> web.Response:
    return await command_page(request, "/incident")


async def checkup_page(request: web.Request) -> web.Response:
    return await command_page(request, "/checkup")


def web_user(request: web.Request) -> str | None:
    """The user the auth proxy vouches for, or None (no header configured, or none sent)."""
    config = request.app[CONFIG_KEY]
    header = config.user_header
    if not header or not config.header_trusted_from(request.remote):
        return None
    value = request.headers.get(header, "").strip()
    return value[:MAX_USER_CHARS] or None


def _message(request: web.Request, user: str | None, lang: str, **fields: Any) -> IncomingMessage:
    browser = hashlib.sha256(browser_id(request).encode()).hexdigest()[:20]
    return IncomingMessage(user_id=user or f"anonymous:{browser}", user_name=user, conversation_id=f"web:{browser}",
                           platform="web", capabilities=CAPABILITIES, locale=lang, **fields)


def _page(request: web.Request, lang: str, user: str | None, *, asked: str | None = None,
          replies: tuple[Reply, ...] = (), status: int = 200, form_values: Mapping[str, str] | None = None,
          question: str | None = None) -> web.Response:
    """`question`: what the replies answer; their buttons carry it, so a vote from an old page
    (Back button, a second tab) counts for that question, not the conversation's latest."""
    shown = [_reply_view(request, reply, lang, form_values, signed_in=user is not None) for reply in replies]
    return render(request, "chat.html", lang, status=status, user=user, asked=asked, replies=shown,
                  question=question or asked, identity_configured=bool(request.app[CONFIG_KEY].user_header))


def _form_view(form: Form, values: Mapping[str, str] | None, errors: Mapping[str, str], lang: str) -> dict[str, Any]:
    fields = []
    by_id = {f.id: f for f in form.fields}
    for f in form.fields:
        condition = "; ".join(_condition(by_id, k, v) for k, v in f.show_if.items())
        value = (values or {}).get(f.id, "")
        help_text = f.help
        if f.kind == "datetime":  # a date-time picker: no typing "now", so it starts at now (Japan time)
            help_text = tr("datetime_help", lang)
            value = value or datetime.now(JST).strftime("%Y-%m-%dT%H:%M")
        fields.append({"id": f.id, "label": f.label, "kind": f.kind, "required": f.required and not f.show_if,
                       "choices": f.choices, "placeholder": f.placeholder, "help": help_text, "condition": condition,
                       "max_length": f.max_length, "value": value, "error": errors.get(f.id)})
    return {"id": form.id, "title": form.title, "intro": form.intro, "submit": form.submit_label, "fields": fields}


def _condition(fields: Mapping[str, Any], field_id: str, values: tuple[str, ...]) -> str:
    """"show_if" as words: «What happened?» = «Ransomware» / «Phishing» (no script hides fields here)."""
    other = fields.get(field_id)
    if other is None:
        return f"{field_id} = {' / '.join(values)}"
    labels = {c.value: c.label for c in other.choices}
    return f"{other.label} → {' / '.join(labels.get(v, v) for v in values)}"


def form_definition(request: web.Request, form_id: str, lang: str) -> Form | None:
    """The form a submission belongs to, from the same definitions the flows use."""
    components = request.app[BOT_KEY].knowledge.current.components
    if form_id == INCIDENT_FORM and components.get("triage") is not None:
        return components["triage"].form(lang)
    set_id = set_id_for(form_id)
    checkup = components.get("checkup")
    found = checkup.get(set_id) if checkup and set_id else None
    return found.form(lang) if found else None


def _reply_view(request: web.Request, reply: Reply, lang: str, values: Mapping[str, str] | None, *,
                signed_in: bool) -> dict[str, Any]:
    # Without identity only the buttons that work without it (topics, feedback) are offered.
    buttons = [b for b in reply.buttons if (signed_in or b.value.startswith(ANONYMOUS_ACTIONS))
               and not b.value.startswith(UNAVAILABLE_ACTIONS)]
    form = reply.form
    errors = dict(reply.data.get("errors") or {}) if reply.kind is ReplyKind.ERROR else {}
    if errors and values and values.get("form_id"):  # show the form again with the answers and the problems
        form = form_definition(request, values["form_id"], lang)
    return {"text": reply.text if signed_in else _for_anonymous(reply.text, lang), "title": reply.title, "kind": reply.kind.value, "sources": reply.sources,
            "buttons": [{"label": b.label, "value": b.value, "style": b.style} for b in buttons],
            "feedback": reply.intent if reply.feedback and reply.intent else None,
            "form": _form_view(form, values, errors, lang) if form else None}


def _for_anonymous(text: str, lang: str) -> str:
    """Replies without "type /incident" advice a visitor who is not signed in cannot follow."""
    for said, instead in (("emergency_hint", "emergency_hint_anon"), ("none_reply", "none_reply_anon")):
        text = text.replace(say(said, lang), tr(instead, lang))
    return f"{text}\n\n{tr('incident_needs_sign_in', lang)}" if "/incident" in text else text


async def chat_page(request: web.Request) -> web.Response:
    return _page(request, page_lang(request), web_user(request))


async def command_page(request: web.Request, command: str) -> web.Response:
    lang = page_lang(request)
    user = web_user(request)
    if user is None:
        notice = Reply(text=tr("need_identity", lang), kind=ReplyKind.NOTICE, lang=lang)
        return _page(request, lang, None, replies=(notice,), status=403)
    response = await request.app[BOT_KEY].handle(_message(request, user, lang, text=command))
    return _page(request, lang, user, replies=await _deliver(request, response))


async def chat_post(request: web.Request) -> web.Response:
    lang = page_lang(request)
    user = web_user(request)
    form = await request.post()
    text = str(form.get("text", "")).strip()
    action = str(form.get("action", "")) or None
    form_id = str(form.get("form_id", "")) or None
    if user is None and (form_id or (action and not action.startswith(ANONYMOUS_ACTIONS)) or text.startswith("/")):
        notice = Reply(text=tr("need_identity", lang), kind=ReplyKind.NOTICE, lang=lang)
        return _page(request, lang, None, asked=text or None, replies=(notice,), status=403)
    if action and action.startswith(UNAVAILABLE_ACTIONS):
        notice = Reply(text=tr("no_expert_web", lang), kind=ReplyKind.NOTICE, lang=lang)
        return _page(request, lang, user, replies=(notice,))
    if form_id:
        values = {k: str(v) for k, v in form.items() if k not in ("csrf", "form_id", "action", "text") and str(v)}
        message = _message(request, user, lang, form_id=form_id, form_values=values)
        response = await request.app[BOT_KEY].handle(message)
        return _page(request, lang, user, replies=await _deliver(request, response), form_values={**values, "form_id": form_id})
    question = str(form.get("question", "")).strip()[:MAX_QUESTION_CHARS] if action else ""
    message = _message(request, user, lang, action=action, text="" if action else text,
                       form_values={"question": question} if question else None)
    response = await request.app[BOT_KEY].handle(message)
    return _page(request, lang, user, asked=None if action else text, replies=await _deliver(request, response),
                 question=question or None)


async def _deliver(request: web.Request, response: Response) -> tuple[Reply, ...]:
    """The replies to show; the notifications go to the security team (adapters/web/notify.py).
    An incident whose notification did not go out says so instead of "the team has been notified"."""
    notify = request.app[NOTIFY_KEY]
    replies = response.replies
    for note in response.notifications:
        try:
            if notify is None:
                log.warning("web: the %s notification was not delivered: set SLACK_BOT_TOKEN and SECBOT_SECURITY_CHANNEL "
                            "(see docs/web.md)", note.kind)
            else:
                await notify(note)
                continue
        except Exception:
            log.exception("web: could not deliver the %s notification", note.kind)
        if note.kind == "incident_created" and (incident_id := note.data.get("incident_id")):
            replies = tuple(_not_sent(reply, str(incident_id)) for reply in replies)
    return replies


def _not_sent(reply: Reply, incident_id: str) -> Reply:
    said = incident_text("recorded", reply.lang, incident_id=incident_id)
    if said not in reply.text:
        return reply
    return dataclasses.replace(reply, text=reply.text.replace(
        said, incident_text("recorded_not_sent", reply.lang, incident_id=incident_id)))

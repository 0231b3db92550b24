"""The chat page (/chat): the same Q&A as Slack and Teams, and /incident and /checkup as HTML forms.

Thin: a POST becomes an IncomingMessage (text, a button's action, or a form's values) for the
core's engine, and its Replies are rendered as HTML. Identity comes from the auth proxy's header
(SECBOT_WEB_USER_HEADER) or a login-link session; without either the page answers questions and nothing else.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from adapters.delivery import DeliveryPolicy, truthful
from adapters.web.context import BOT_KEY, CONFIG_KEY, NOTIFY_KEY, SESSION_COOKIE, tokens
from adapters.web.pages import render
from adapters.web.security import browser_id
from adapters.web.texts import page_lang, tr
from bot.messages import as_of_text, say
from bot.models import JST, Capabilities, Form, IncomingMessage, Reply, ReplyKind, Response
from intents.checkup.model import set_id_for
from intents.checkup.render import when
from intents.incident.model import FORM_ID as INCIDENT_FORM
from intents.incident.texts import t as incident_text

log = logging.getLogger(__name__)
ANONYMOUS_ACTIONS = ("answer:", "feedback:", "none")  # what a visitor without identity may click
ANSWERS_SHOWN = 5  # the signed-in user's latest questions to the security team, with their answers
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


async def signed_in_user(request: web.Request) -> str | None:
    """Who is signed in: the auth proxy's user, else the user of a login-link session
    (`secbot web login-link`, given only to admins and responders)."""
    user = web_user(request)
    if user is None and (session := request.cookies.get(SESSION_COOKIE)):
        user = await tokens(request).session_user(session)
    return user


def _message(request: web.Request, user: str | None, lang: str, **fields: Any) -> IncomingMessage:
    browser = hashlib.sha256(browser_id(request).encode()).hexdigest()[:20]
    return IncomingMessage(user_id=user or f"anonymous:{browser}", user_name=user, conversation_id=f"web:{browser}",
                           platform="web", capabilities=CAPABILITIES, locale=lang, **fields)


async def _page(request: web.Request, lang: str, user: str | None, *, asked: str | None = None,
                replies: tuple[Reply, ...] = (), status: int = 200, form_values: Mapping[str, str] | None = None,
                question: str | None = None) -> web.Response:
    """`question`: what the replies answer; their buttons carry it, so a vote from an old page
    (Back button, a second tab) counts for that question, not the conversation's latest."""
    shown = [_reply_view(request, reply, lang, form_values, signed_in=user is not None) for reply in replies]
    return render(request, "chat.html", lang, status=status, user=user, asked=asked, replies=shown,
                  question=question or asked, identity_configured=bool(request.app[CONFIG_KEY].user_header),
                  team_answers=await _team_answers(request, user))


async def _team_answers(request: web.Request, user: str | None) -> list[dict[str, Any]]:
    """What the signed-in user asked the security team from the web, and the answers given since
    (a responder's `/answer Q-n` in Slack or Teams is stored; the page shows it on every load)."""
    if user is None:
        return []
    asked = await request.app[BOT_KEY].store.list_expert_questions(platform="web", user_id=user, limit=ANSWERS_SHOWN)
    return [{"id": q.id, "question": q.question, "answer": q.answer, "at": when(q.answered_at or q.asked_at)}
            for q in asked]


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
    buttons = [b for b in reply.buttons if signed_in or b.value.startswith(ANONYMOUS_ACTIONS)]
    form = reply.form
    errors = dict(reply.data.get("errors") or {}) if reply.kind is ReplyKind.ERROR else {}
    if errors and values and values.get("form_id"):  # show the form again with the answers and the problems
        form = form_definition(request, values["form_id"], lang)
    said = reply.lang  # an English answer on a Japanese page stays English, its note too
    incident = _incident_view(reply) if reply.kind is ReplyKind.RESULT and "steps" in reply.data else None
    text = _for_web(reply.text, said, signed_in=signed_in)
    note = tr("incident_needs_sign_in", said) if not signed_in and "/incident" in text else None
    return {"text": text, "note": note, "incident": incident, "title": reply.title, "kind": reply.kind.value, "sources": [{"url": src.url, "title": src.title, "as_of": as_of_text(src.as_of, said)} for src in reply.sources],
            "buttons": [{"label": b.label, "value": b.value, "style": b.style} for b in buttons],
            "feedback": reply.intent if reply.feedback and reply.intent else None,
            "form": _form_view(form, values, errors, lang) if form else None}


def _incident_view(reply: Reply) -> dict[str, Any]:
    """The triage result as HTML parts, from the reply's data (not its terminal text): whether the
    team was notified (adapters/delivery.py `truthful` marks it), contacts with links, steps, guidance."""
    data, lang = reply.data, reply.lang
    incident_id = data.get("incident_id")
    not_sent = bool(incident_id) and data.get("notified") is False
    return {"id": incident_id, "notified": not not_sent,
            "status": incident_text("recorded_not_sent" if not_sent else "recorded", lang, incident_id=incident_id)
            if incident_id else None,
            "headings": {key: incident_text(f"{key}_heading", lang).lstrip("■ ") for key in ("contacts", "steps", "guidance")},
            "no_contacts": incident_text("no_contacts", lang),
            "contacts": [{**contact, "tier": incident_text("contact_tier", lang, tier=contact["priority_label"]).strip()
                          if contact.get("priority_label") else "",
                          "how": [{**item, "href": _href(item.get("kind", ""), str(item.get("value", "")))}
                                  for item in contact.get("how", [])]}
                         for contact in data.get("contacts", [])],
            "words": {key: incident_text(key, lang) for key in ("why", "ministry", "deadline", "does_not")},
            "steps": list(data.get("steps", [])), "guidance": data.get("guidance"),
            "guidance_title": incident_text("guidance_title", lang, title=data["guidance"]["title"])
            if data.get("guidance") else "",
            "guidance_href": _href("url", str(data["guidance"].get("url", ""))) if data.get("guidance") else None}


def _href(kind: str, value: str) -> str | None:
    """A contact method as a link: web pages and forms, e-mail, telephone; anything else stays text."""
    if value.startswith(("https://", "http://")):
        return value
    if kind == "email" and "@" in value:
        return f"mailto:{value}"
    if kind == "phone" and (digits := "".join(c for c in value.split("（")[0].split(" ext")[0] if c.isdigit() or c == "+")):
        return f"tel:{digits}"
    return None


def _for_web(text: str, lang: str, *, signed_in: bool) -> str:
    """The chat platforms' "type /incident" advice in the words of this page: a signed-in user has
    the "Report an incident" link and button; a visitor who is not signed in has neither.
    `lang`: the reply's language (the core's sentences are in it, whatever the page's)."""
    suffix = "web" if signed_in else "anon"
    for said in ("emergency_hint", "none_reply"):
        text = text.replace(say(said, lang), tr(f"{said}_{suffix}", lang))
    return text


async def chat_page(request: web.Request) -> web.Response:
    return await _page(request, page_lang(request), await signed_in_user(request))


async def command_page(request: web.Request, command: str) -> web.Response:
    lang = page_lang(request)
    user = await signed_in_user(request)
    if user is None:
        notice = Reply(text=tr("need_identity", lang), kind=ReplyKind.NOTICE, lang=lang)
        return await _page(request, lang, None, replies=(notice,), status=403)
    response = await request.app[BOT_KEY].handle(_message(request, user, lang, text=command))
    return await _page(request, lang, user, replies=await _deliver(request, response))


async def chat_post(request: web.Request) -> web.Response:
    lang = page_lang(request)
    user = await signed_in_user(request)
    form = await request.post()
    text = str(form.get("text", "")).strip()
    action = str(form.get("action", "")) or None
    form_id = str(form.get("form_id", "")) or None
    if user is None and (form_id or (action and not action.startswith(ANONYMOUS_ACTIONS)) or text.startswith("/")):
        notice = Reply(text=tr("need_identity", lang), kind=ReplyKind.NOTICE, lang=lang)
        return await _page(request, lang, None, asked=text or None, replies=(notice,), status=403)
    if form_id:
        values = {k: str(v) for k, v in form.items() if k not in ("csrf", "form_id", "action", "text") and str(v)}
        message = _message(request, user, lang, form_id=form_id, form_values=values)
        response = await request.app[BOT_KEY].handle(message)
        return await _page(request, lang, user, replies=await _deliver(request, response), form_values={**values, "form_id": form_id})
    if not text and not action:  # only spaces: the page's language, not the conversation's last one
        empty = Reply(text=say("empty", lang), kind=ReplyKind.ERROR, lang=lang)
        return await _page(request, lang, user, replies=(empty,))
    question = str(form.get("question", "")).strip()[:MAX_QUESTION_CHARS] if action else ""
    message = _message(request, user, lang, action=action, text="" if action else text,
                       form_values={"question": question} if question else None)
    response = await request.app[BOT_KEY].handle(message)
    return await _page(request, lang, user, asked=None if action else text, replies=await _deliver(request, response),
                 question=question or None)


async def _deliver(request: web.Request, response: Response) -> tuple[Reply, ...]:
    """The replies to show, after the notifications went to the security team (adapters/web/notify.py)
    through the chat platforms' delivery policy: "the team has been notified" only if a platform
    accepted it, else "not sent, in the record"."""
    notify = request.app[NOTIFY_KEY]
    if notify is None:
        if response.notifications:
            log.warning("web: %s not delivered: no security channel is configured for the web process "
                        "(see docs/web.md)", ", ".join(n.kind for n in response.notifications))
        accepted = [False] * len(response.notifications)
    else:
        accepted = await DeliveryPolicy(request.app[BOT_KEY], "web").send_notifications(response.notifications, notify)
    return truthful(response.replies, response.notifications, accepted)

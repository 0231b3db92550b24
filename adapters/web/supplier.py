"""The supplier checkup opened from an invitation link: intro, one area per step, the result.

No account: the link's token is the key. It is checked against the stored hash (rate-limited
per address), works for its one organisation and set, and submits once. Answers are saved at
every step (the invitation's draft), so a reload or a phone that drops the page loses nothing.
Scoring, texts and the stored result are the core's (intents/checkup), as for Slack and Teams.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from adapters.web.context import BOT_KEY, INVITE_LIMIT_KEY, tokens
from adapters.web.pages import message, render, token_lookup
from adapters.web.texts import page_lang, tr
from bot.store.web_tokens import Invite
from intents.answers import answer_reply
from intents.checkup.model import ORG_FIELD, CheckupSet
from intents.checkup.render import result_dict
from intents.checkup.scoring import check_answers, score

log = logging.getLogger(__name__)


def routes(app: web.Application) -> None:
    app.router.add_get("/checkup/i/{token}", intro)
    app.router.add_get("/checkup/i/{token}/step/{step:\\d+}", step_page)
    app.router.add_post("/checkup/i/{token}/step/{step:\\d+}", step_submit)
    app.router.add_get("/checkup/i/{token}/result", result_page)


def _checkup(request: web.Request, set_id: str) -> CheckupSet | None:
    model = request.app[BOT_KEY].knowledge.current.components.get("checkup")
    return model.sets.get(set_id) if model else None


async def _open(request: web.Request) -> tuple[Invite, CheckupSet, str, str] | web.Response:
    """The invitation and its set, or the refusal page (unknown, expired, revoked, too many tries)."""
    invite = await token_lookup(request, request.app[INVITE_LIMIT_KEY], tokens(request).find_invite,
                                heading="link_invalid", unknown="link_ask_sender", unknown_status=404)
    if isinstance(invite, web.Response):
        return invite
    lang = page_lang(request, default=invite.lang, accept_language=False)
    state = invite.state()
    if state in ("expired", "revoked"):
        return message(request, lang, "link_invalid", "link_expired", 410)
    checkup = _checkup(request, invite.set_id)
    if checkup is None:
        return message(request, lang, "link_invalid", "link_ask_sender", 404)
    return invite, checkup, lang, f"/checkup/i/{request.match_info['token']}"


async def intro(request: web.Request) -> web.Response:
    opened = await _open(request)
    if isinstance(opened, web.Response):
        return opened
    invite, checkup, lang, base = opened
    if invite.completed_at is not None:
        raise web.HTTPSeeOther(f"{base}/result")
    await tokens(request).mark_opened(invite.id)
    return render(request, "checkup_intro.html", lang, title=checkup.title.get(lang), organization=invite.organization,
                  intro=checkup.intro.get(lang) if checkup.intro else None, base=base)


def _step_context(checkup: CheckupSet, step: int, lang: str, answers: dict[str, str]) -> dict[str, Any]:
    area = checkup.areas[step - 1]
    questions = [{"id": q.id, "text": q.text.get(lang), "help": q.help.get(lang) if q.help else None,
                  "answer": answers.get(q.id),
                  "choices": [{"value": c.value, "label": c.label.get(lang)} for c in q.choices]}
                 for q in area.questions]
    return {"area_title": area.title.get(lang), "questions": questions, "step": step, "total": len(checkup.areas),
            "title": checkup.title.get(lang)}


def _step_number(request: web.Request, checkup: CheckupSet) -> int:
    step = int(request.match_info["step"])
    if not 1 <= step <= len(checkup.areas):
        raise web.HTTPNotFound()
    return step


async def _open_step(request: web.Request, used_status: int) -> tuple[Invite, CheckupSet, str, str, int] | web.Response:
    """As `_open`, for a step of an invitation that has not submitted yet (else `used_status`)."""
    opened = await _open(request)
    if isinstance(opened, web.Response):
        return opened
    invite, checkup, lang, base = opened
    if invite.completed_at is not None and request.method == "GET":  # a bookmarked step: the result is what is left
        raise web.HTTPSeeOther(f"{base}/result")
    if invite.completed_at is not None:
        return message(request, lang, "link_invalid", "link_used", used_status)
    return invite, checkup, lang, base, _step_number(request, checkup)


async def step_page(request: web.Request) -> web.Response:
    opened = await _open_step(request, 410)
    if isinstance(opened, web.Response):
        return opened
    invite, checkup, lang, base, step = opened
    await tokens(request).mark_opened(invite.id)
    return render(request, "checkup_step.html", lang, base=base, error=None,
                  **_step_context(checkup, step, lang, dict(invite.draft)))


async def step_submit(request: web.Request) -> web.Response:
    opened = await _open_step(request, 409)
    if isinstance(opened, web.Response):
        return opened
    invite, checkup, lang, base, step = opened
    form = await request.post()
    area = checkup.areas[step - 1]
    draft = dict(invite.draft)
    missing = False
    for question in area.questions:
        value = str(form.get(question.id, ""))
        if value in question.values:
            draft[question.id] = value
        else:
            missing = True
    await tokens(request).save_draft(invite.id, draft)
    if missing:
        return render(request, "checkup_step.html", lang, status=400, base=base, error=tr("answer_all", lang),
                      **_step_context(checkup, step, lang, draft))
    first_missing = next((i for i, a in enumerate(checkup.areas, 1)
                          if any(q.id not in draft for q in a.questions)), None)
    if step < len(checkup.areas) or first_missing is not None:
        raise web.HTTPSeeOther(f"{base}/step/{first_missing if step == len(checkup.areas) else step + 1}")
    return await _finish(request, invite, checkup, lang, base, draft)


async def _finish(request: web.Request, invite: Invite, checkup: CheckupSet, lang: str, base: str,
                  draft: dict[str, str]) -> web.Response:
    checked = check_answers(checkup, {**draft, ORG_FIELD: invite.organization})
    if not checked.ok:  # the set changed under a half-done draft: ask again from the first gap
        raise web.HTTPSeeOther(f"{base}/step/1")
    store_tokens = tokens(request)
    if not await store_tokens.claim_invite(invite.id):
        return message(request, lang, "link_invalid", "link_used", 409)
    result = score(checkup, checked.answers)
    try:
        record = await request.app[BOT_KEY].store.save_checkup(
            respondent=f"invite:{invite.id}", respondent_name=invite.organization, platform="web",
            organization=invite.organization, set_id=checkup.id, lang=lang, answers=checked.answers,
            scores=result.to_dict())
    except Exception:
        await store_tokens.release_invite(invite.id)
        raise
    await store_tokens.set_result(invite.id, record.id)
    raise web.HTTPSeeOther(f"{base}/result")


async def result_page(request: web.Request) -> web.Response:
    opened = await _open(request)
    if isinstance(opened, web.Response):
        return opened
    invite, checkup, lang, base = opened
    if invite.completed_at is None:
        raise web.HTTPSeeOther(f"{base}/step/1")
    bot = request.app[BOT_KEY]
    records = await bot.store.list_checkups(respondent=f"invite:{invite.id}", platform="web", limit=1)
    if not records:
        return message(request, lang, "link_invalid", "link_ask_sender", 404)
    result = score(checkup, records[0].answers)
    data = result_dict(checkup, result, lang)
    kb = bot.knowledge.current.kb
    for gap in data["gaps"]:  # an unofficial write-up is "further reading" after the official source on the topic
        gap["official"] = official_source(kb, gap["intents"]) if gap["source"] and gap["source"]["label"] else None
    related_ids = dict.fromkeys(i for gap in data["gaps"] for i in gap["intents"] if i in kb.intents)
    related = []
    for intent_id in related_ids:
        reply = answer_reply(kb, kb.intents[intent_id], lang)
        related.append({"title": reply.title, "text": without_incident(reply.text), "sources": reply.sources})
    rows = [(a["title"], a["score"]) for a in data["areas"]]
    return render(request, "checkup_result.html", lang, title=checkup.title.get(lang), organization=invite.organization,
                  overall=data["overall"], areas=data["areas"], gaps=data["gaps"], related=related, area_rows=rows)


OFFICIAL_HOSTS = (".go.jp", ".lg.jp", "jpcert.or.jp")  # ministries, agencies, IPA, local government, JPCERT/CC
OFFICIAL_PREFECTURE = re.compile(r"(^|\.)pref\.[a-z]+\.jp$")  # prefectures and their police (police.pref.gunma.jp)


def official_source(kb: Any, intent_ids: list[str]) -> dict[str, str] | None:
    """The first source of the gap's knowledge answers that is an official publication, if any."""
    for intent_id in intent_ids:
        intent = kb.intents.get(intent_id)
        host = (urlsplit(intent.source.url).hostname or "") if intent is not None else ""
        if intent is not None and (host.endswith(OFFICIAL_HOSTS) or OFFICIAL_PREFECTURE.search(host)):
            return {"title": intent.source.title, "url": intent.source.url}
    return None


_SENTENCE = re.compile(r"[^。\n]*?(?:。|\.(?:\s|$)|$)")


def without_incident(text: str) -> str:
    """An answer without its "type /incident" sentences: a supplier on this page has no /incident."""
    lines = []
    for line in text.split("\n"):
        if "/incident" in line:
            line = "".join(s for s in _SENTENCE.findall(line) if "/incident" not in s).strip()
            if not line:
                continue
        lines.append(line)
    return "\n".join(lines)

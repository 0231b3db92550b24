"""The admin dashboard (/admin): questions per day, gaps to turn into intents, incidents, supplier report.

Only admins and responders of the existing access lists (SECBOT_ADMINS, SECBOT_RESPONDERS), known
from the auth proxy's header or from a session made by a one-time login link
(`secbot web login-link USER`); everyone else gets 403 and no incident detail. Every chart is SVG
drawn on the server with its numbers in a table beside it.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.web.charts import JST_OFFSET, distribution, per_day, stacked_columns
from adapters.web.chat import signed_in_user, web_user
from adapters.web.context import BOT_KEY, CONFIG_KEY, LOGIN_LIMIT_KEY, SESSION_COOKIE, tokens
from adapters.web.pages import refusal, render, token_lookup
from adapters.web.security import decorate, set_cookie
from adapters.web.texts import page_lang
from bot.models import IncomingMessage
from bot.store.web_tokens import SESSION_SECONDS
from intents.checkup.render import when
from intents.checkup.report import csv_rows, organization_rows, summary_from, to_csv
from intents.gaps import collect, group_counted
from intents.incident.render import answer_label, kind_label, ordered_answers, type_label
from intents.incident.report import markdown_report
from intents.incident.texts import t as incident_text

DAYS = 14
DAY = 86_400
CSV_PAGE = 500


def routes(app: web.Application) -> None:
    app.router.add_get("/admin", dashboard)
    app.router.add_get("/admin/checkups.csv", checkups_csv)
    app.router.add_get("/admin/scaffold.yaml", scaffold)
    app.router.add_get("/admin/incidents/{id}", incident_page)
    app.router.add_get("/admin/incidents/{id}/report.md", incident_markdown)
    app.router.add_post("/admin/incidents/{id}/note", incident_note)
    app.router.add_get("/login/{token}", login_page)
    app.router.add_post("/login/{token}", login)


def signed_in_as(request: web.Request) -> str:
    """What the CSRF token is bound to: the proxy's user, else the admin session cookie (or nothing)."""
    user = web_user(request)
    return f"user:{user}" if user else f"session:{request.cookies.get(SESSION_COOKIE, '')}"


async def admin_user(request: web.Request) -> str:
    """The signed-in admin or responder; 403 for anyone else."""
    user = await signed_in_user(request)
    if user is None:  # say how to sign in, not only "no"
        raise refusal(request, page_lang(request), "admin_title", "sign_in_how")
    bot = request.app[BOT_KEY]
    if not bot.access.is_responder(IncomingMessage(user_id=user, conversation_id="web-admin", platform="web")):
        raise refusal(request, page_lang(request), "admin_title", "forbidden")
    return user


def _checkup_set(request: web.Request) -> Any:
    model = request.app[BOT_KEY].knowledge.current.components.get("checkup")
    if model is None:
        return None
    wanted = request.query.get("set") or ("supplier" if "supplier" in model.sets else None)
    return model.get(wanted)


async def _figures(request: web.Request, lang: str) -> dict[str, Any]:
    """Every figure counted by the store at this request (GROUP BY over summary rows): never stale."""
    bot = request.app[BOT_KEY]
    now = time.time()
    since = now - DAYS * DAY
    days = per_day(await bot.store.count_questions_by_day(since=since, utc_offset=JST_OFFSET), DAYS, now)
    texts = await bot.store.count_question_texts(since=since, bands=("unknown", "suggest"))
    votes = collect((), await bot.store.list_feedback(since=since), low_confidence=None)
    signals = [((text, band, None, last), n) for text, band, n, last in texts] + [(s, 1) for s in votes]
    figures: dict[str, Any] = {"days": days, "columns": stacked_columns(days), "gaps": group_counted(signals)[:20],
                               "report": None, "sets": []}
    checkup = _checkup_set(request)
    if checkup is not None:
        model = bot.knowledge.current.components["checkup"]
        counts = await bot.store.checkup_counts()
        figures["sets"] = [{"id": set_id, "title": model.sets[set_id].title.get(lang) if set_id in model.sets else set_id,
                            "count": n, "current": set_id == checkup.id} for set_id, n in sorted(counts.items())]
        summary = summary_from(checkup, await bot.store.checkup_figures(checkup.id), lang)
        spread = distribution(summary.overall_scores)
        figures["report"] = {"summary": summary, "set": checkup.id, "areas": [(a.title, a.average) for a in summary.areas],
                             "distribution": spread, "gaps": summary.gaps[:10],
                             "max_count": max(n for _, n in spread) or 1}
    return figures


async def dashboard(request: web.Request) -> web.Response:
    user = await admin_user(request)
    lang = page_lang(request)
    figures = await _figures(request, lang)
    incidents = await request.app[BOT_KEY].store.list_incidents(limit=50)
    model = request.app[BOT_KEY].knowledge.current.components.get("triage")
    return render(request, "admin.html", lang, user=user, as_of=when(time.time()), **figures,
                  incidents=[{"id": i.id, "status": incident_text("status_" + i.status, lang), "at": when(i.created_at),
                              "type": type_label(model, {"incident_type": i.incident_type}, lang) if i.incident_type else ""}
                             for i in incidents])


async def checkups_csv(request: web.Request) -> web.StreamResponse:
    """The report as CSV, streamed: the aggregates, then the organisations a page at a time."""
    await admin_user(request)
    lang = page_lang(request)
    checkup = _checkup_set(request)
    if checkup is None:
        raise web.HTTPNotFound()
    store = request.app[BOT_KEY].store
    # Read before the first byte goes out: a database error is then an error page, not a cut-off file.
    summary = summary_from(checkup, await store.checkup_figures(checkup.id), lang)
    page = await store.list_latest_checkups(checkup.id, limit=CSV_PAGE)
    response = web.StreamResponse(headers={"Content-Type": "text/csv; charset=utf-8",
                                           "Content-Disposition": f'attachment; filename="checkup-{checkup.id}.csv"'})
    decorate(request, response)  # the security headers, before the response is prepared
    await response.prepare(request)
    await response.write(to_csv(summary).encode("utf-8-sig"))
    offset = 0
    while page:
        await response.write(csv_rows(summary.set_id, organization_rows(checkup, page, lang)).encode("utf-8"))
        offset += len(page)
        page = await store.list_latest_checkups(checkup.id, offset=offset, limit=CSV_PAGE) if len(page) == CSV_PAGE else []
    await response.write_eof()
    return response


async def scaffold(request: web.Request) -> web.Response:
    """The existing `kb new-intent` scaffold for an unanswered question, as a YAML download."""
    from intents.scaffold import scaffold_intent

    await admin_user(request)
    question = request.query.get("q", "").strip()[:500]
    if not question:
        raise web.HTTPBadRequest(text="q (the question) is missing")
    intent_id = "new_" + hashlib.sha256(question.encode()).hexdigest()[:8]
    knowledge_dir = request.app[CONFIG_KEY].knowledge_dir
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "new.yaml"
        scaffold_intent(knowledge_dir or Path(folder) / "none", target, intent_id, question=question)
        text = target.read_text(encoding="utf-8")
    return web.Response(text=text, content_type="application/yaml", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{intent_id}.yaml"'})


async def _incident(request: web.Request, user: str) -> Any:
    bot = request.app[BOT_KEY]
    record = await bot.store.get_incident(request.match_info["id"])
    if record is None:
        raise web.HTTPNotFound()
    await bot.store.append_audit(f"web:{user}", "incident.viewed", record.id, {"platform": "web"})
    return record


async def incident_page(request: web.Request) -> web.Response:
    user = await admin_user(request)
    lang = page_lang(request)
    record = await _incident(request, user)
    model = request.app[BOT_KEY].knowledge.current.components.get("triage")
    # The words of `secbot incidents show`, not the stored keys (affected_systems, ransomware, open).
    timeline = [{"at": when(e.at), "actor": e.actor, "kind": kind_label(e.kind, lang), "text": e.text}
                for e in await request.app[BOT_KEY].store.list_timeline(record.id)]
    answers = [answer_label(model, field_id, value, lang) for field_id, value in ordered_answers(model, record.answers)]
    return render(request, "admin_incident.html", lang, user=user, record=record, created=when(record.created_at),
                  state=incident_text("status_" + record.status, lang), type=type_label(model, record.answers, lang),
                  timeline=timeline, answers=answers)


async def incident_markdown(request: web.Request) -> web.Response:
    user = await admin_user(request)
    record = await _incident(request, user)
    model = request.app[BOT_KEY].knowledge.current.components.get("triage")
    text = markdown_report(record, model, page_lang(request))
    return web.Response(text=text, content_type="text/markdown", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{record.id}.md"'})


async def incident_note(request: web.Request) -> web.Response:
    user = await admin_user(request)
    text = str((await request.post()).get("note", "")).strip()[:4000]
    if text and await request.app[BOT_KEY].store.add_note(request.match_info["id"], actor=f"web:{user}", text=text) is None:
        raise web.HTTPNotFound()
    raise web.HTTPSeeOther(f"/admin/incidents/{request.match_info['id']}")


async def login_page(request: web.Request) -> web.Response:
    """A button, not an automatic sign-in: link previews and scanners must not use up the link.
    A link that would not work says so here, not after the click."""
    user = await token_lookup(request, request.app[LOGIN_LIMIT_KEY], tokens(request).login_user,
                              heading="admin_title", unknown="login_used", unknown_status=403)
    if isinstance(user, web.Response):
        return user
    return render(request, "login.html", page_lang(request), token=request.match_info["token"])


async def login(request: web.Request) -> web.Response:
    user = await token_lookup(request, request.app[LOGIN_LIMIT_KEY], tokens(request).use_login,
                              heading="admin_title", unknown="login_used", unknown_status=403)
    if isinstance(user, web.Response):
        return user
    session = await tokens(request).create_login(user, kind="session", seconds=SESSION_SECONDS)
    response = web.HTTPSeeOther("/admin")
    set_cookie(request, response, SESSION_COOKIE, session, max_age=SESSION_SECONDS)
    raise response

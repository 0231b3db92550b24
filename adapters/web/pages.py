"""Rendering a page: the template, its language, its CSRF token and the language switch's cookie."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp_jinja2
import jinja2
from aiohttp import web

from adapters.web.security import RateLimiter, client_key, csrf_token, set_cookie
from adapters.web.texts import LANG_COOKIE, LANGS, other_lang, page_lang, tr

HERE = Path(__file__).parent
T = TypeVar("T")


def setup_templates(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"),
                         autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                         undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    app.router.add_static("/static", HERE / "static", append_version=False)


def render(request: web.Request, template: str, lang: str, *, status: int = 200, **context: Any) -> web.Response:
    context.update(lang=lang, other_lang=other_lang(lang), csrf=csrf_token(request),
                   t=lambda key, **kw: tr(key, lang, **kw))
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    if request.query.get("lang") in LANGS and request.cookies.get(LANG_COOKIE) != lang:
        set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


def message(request: web.Request, lang: str, heading_key: str, text_key: str, status: int) -> web.Response:
    return render(request, "message.html", lang, status=status, heading=tr(heading_key, lang), text=tr(text_key, lang))


def refusal(request: web.Request, lang: str, heading_key: str, text_key: str,
            status: type[web.HTTPException] = web.HTTPForbidden) -> web.HTTPException:
    """A refusal page to raise from deep inside a handler (403 by default)."""
    page = message(request, lang, heading_key, text_key, status.status_code)
    refused = status(text=page.text, content_type="text/html")
    for name, value in page.headers.items():
        if name.lower() == "set-cookie":
            refused.headers.add(name, value)
    return refused


async def token_lookup(request: web.Request, limiter: RateLimiter, lookup: Callable[[str], Awaitable[T | None]], *,
                       heading: str, unknown: str, unknown_status: int) -> T | web.Response:
    """What `lookup` finds for the URL's token, or a refusal page; failures count against the
    client's address and too many of them refuse even a right token for a while (429)."""
    key = client_key(request)
    lang = page_lang(request)
    if limiter.blocked(key):
        return message(request, lang, heading, "too_many", 429)
    found = await lookup(request.match_info["token"])
    if found is None:
        limiter.failed(key)
        return message(request, lang, heading, unknown, unknown_status)
    return found


@web.middleware
async def not_found_page(request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """A page in the site's language for an unknown address, not aiohttp's bare "404: Not Found"."""
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        if exc.text not in (None, "404: Not Found"):  # a handler's own message stays
            raise
        return message(request, page_lang(request), "not_found_title", "not_found", 404)

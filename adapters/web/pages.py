"""Rendering a page: the template, its language, its CSRF token and the language switch's cookie."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from adapters.web.security import csrf_token, set_cookie
from adapters.web.texts import LANG_COOKIE, LANGS, tr

HERE = Path(__file__).parent


def setup_templates(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"),
                         autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                         undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    app.router.add_static("/static", HERE / "static", append_version=False)


def render(request: web.Request, template: str, lang: str, *, status: int = 200, **context: Any) -> web.Response:
    context.update(lang=lang, csrf=csrf_token(request), t=lambda key, **kw: tr(key, lang, **kw))
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    if request.query.get("lang") in LANGS and request.cookies.get(LANG_COOKIE) != lang:
        set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


def message(request: web.Request, lang: str, heading_key: str, text_key: str, status: int) -> web.Response:
    return render(request, "message.html", lang, status=status, heading=tr(heading_key, lang), text=tr(text_key, lang))

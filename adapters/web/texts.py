"""The page language, and the web pages' own words from the one catalog (bot/texts/web.yaml)."""

from __future__ import annotations

from aiohttp import web

from bot.messages import localize, table

LANGS = ("ja", "en")
LANG_COOKIE = "secbot_lang"

def tr(key: str, lang: str, **params: object) -> str:
    return localize(table("web"), key, lang, **params)


def other_lang(lang: str) -> str:
    """The language the switch offers."""
    return next(other for other in LANGS if other != lang)


def page_lang(request: web.Request, default: str = "ja", *, accept_language: bool = True) -> str:
    """?lang= (the switch) wins, then the cookie it sets, then Accept-Language, then `default`."""
    chosen = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    for part in () if not accept_language else request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return default

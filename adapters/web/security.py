"""What every web page gets: security headers, CSRF on every form, cookie flags, rate limits.

CSRF is the double-submit pattern: a random `secbot_csrf` cookie (HttpOnly, SameSite=Lax) and
the same value in a hidden field of every form; a POST whose field differs is refused with 403.
The CSP allows no script at all: the pages work without JavaScript.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque

from aiohttp import web
from aiohttp.typedefs import Handler

CSRF_COOKIE = "secbot_csrf"
CSRF_FIELD = "csrf"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURE_KEY: web.AppKey[bool] = web.AppKey("secbot_web_secure", bool)
NEW_CSRF: web.RequestKey[str] = web.RequestKey("secbot_new_csrf", str)


def is_secure(request: web.Request) -> bool:
    """TLS here or at the proxy in front (X-Forwarded-Proto), or forced by the configuration."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https" or request.app.get(SECURE_KEY, False)


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, *,
               max_age: int | None = None, path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="Lax",
                        secure=is_secure(request))


def csrf_token(request: web.Request) -> str:
    """This browser's CSRF token (made on its first page; the middleware sets the cookie)."""
    token = request.cookies.get(CSRF_COOKIE) or request.get(NEW_CSRF)
    if not token:
        token = request[NEW_CSRF] = secrets.token_urlsafe(24)
    return token


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "POST":
        form = await request.post()
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = str(form.get(CSRF_FIELD, ""))
        if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
            raise web.HTTPForbidden(text="The form expired or came from another site (CSRF check). "
                                         "Reload the page and try again.")
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _decorate(request, exc)
        raise
    _decorate(request, response)
    return response


def _decorate(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")  # invitation tokens are in the URL
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cache-Control", "no-store")
    if request.get(NEW_CSRF) and not request.cookies.get(CSRF_COOKIE):
        set_cookie(request, response, CSRF_COOKIE, request[NEW_CSRF])


class RateLimiter:
    """At most `limit` failed token checks per client address in `window` seconds."""

    def __init__(self, limit: int = 10, window: float = 60.0):
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def blocked(self, key: str) -> bool:
        return len(self._recent(key, time.monotonic())) >= self.limit

    def failed(self, key: str) -> None:
        if len(self._hits) > 10_000:  # many addresses: forget the oldest rather than grow
            self._hits.clear()
        self._recent(key, time.monotonic()).append(time.monotonic())


def client_key(request: web.Request) -> str:
    return request.remote or "?"

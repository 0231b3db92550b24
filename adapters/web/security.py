"""What every web page gets: security headers, CSRF on every form, cookie flags, rate limits.

CSRF: a random `secbot_csrf` cookie (HttpOnly, SameSite=Lax) names the browser; every form's hidden
field carries HMAC(server secret, that cookie + the signed-in identity). A POST whose field is not
that HMAC is refused with 403, so a cookie planted by another site (or a token copied from the
attacker's own session) does not pass: the secret never leaves the server.
The CSP allows no script at all: the pages work without JavaScript.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler

CSRF_COOKIE = "secbot_csrf"
CSRF_FIELD = "csrf"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURE_KEY: web.AppKey[bool] = web.AppKey("secbot_web_secure", bool)
NEW_CSRF: web.RequestKey[str] = web.RequestKey("secbot_new_csrf", str)
CSRF_SECRET_KEY: web.AppKey[bytes] = web.AppKey("secbot_csrf_secret", bytes)
# Who the request is signed in as ("" for nobody): the auth proxy's user or the admin session.
IDENTITY_KEY: web.AppKey[Callable[[web.Request], str]] = web.AppKey("secbot_web_identity")


def is_secure(request: web.Request) -> bool:
    """TLS here or at the proxy in front (X-Forwarded-Proto), or forced by the configuration."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https" or request.app.get(SECURE_KEY, False)


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, *,
               max_age: int | None = None, path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="Lax",
                        secure=is_secure(request))


def browser_id(request: web.Request) -> str:
    """This browser's random id (made on its first page; the middleware sets the cookie)."""
    value = request.cookies.get(CSRF_COOKIE) or request.get(NEW_CSRF)
    if not value:
        value = request[NEW_CSRF] = secrets.token_urlsafe(24)
    return value


def _sign(request: web.Request, browser: str) -> str:
    identity = request.app[IDENTITY_KEY](request) if IDENTITY_KEY in request.app else ""
    message = f"{browser}\0{identity}".encode()
    return hmac.new(request.app[CSRF_SECRET_KEY], message, hashlib.sha256).hexdigest()


def csrf_token(request: web.Request) -> str:
    """The value every form of this page carries: the browser id signed with the server's secret."""
    return _sign(request, browser_id(request))


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "POST":
        form = await request.post()
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = str(form.get(CSRF_FIELD, ""))
        if not cookie or not hmac.compare_digest(_sign(request, cookie).encode(), sent.encode()):
            raise web.HTTPForbidden(text="The form expired or came from another site (CSRF check). "
                                         "Reload the page and try again.")
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        decorate(request, exc)
        raise
    decorate(request, response)
    return response


def decorate(request: web.Request, response: web.StreamResponse) -> None:
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

"""What the web handlers share through the aiohttp application."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.web.security import RateLimiter
from bot.engine import Bot
from bot.store.web_tokens import WebTokens


@dataclass(frozen=True)
class WebConfig:
    """Settings of `secbot serve web` (from the environment; see docs/web.md)."""

    user_header: str | None = None  # SECBOT_WEB_USER_HEADER: the auth proxy's user header
    base_url: str = "http://127.0.0.1:8080"  # SECBOT_WEB_BASE_URL: how people reach the pages (for links)
    secure_cookies: bool = False  # SECBOT_WEB_SECURE_COOKIES=1 when TLS ends at a proxy that sends no X-Forwarded-Proto
    knowledge_dir: Path | None = None  # for the intent scaffold download (checks the ids in use)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, knowledge_dir: Path | None = None) -> WebConfig:
        env = dict(os.environ) if env is None else env
        return cls(knowledge_dir=knowledge_dir, user_header=(env.get("SECBOT_WEB_USER_HEADER") or "").strip() or None,
                   base_url=(env.get("SECBOT_WEB_BASE_URL") or cls.base_url).rstrip("/"),
                   secure_cookies=env.get("SECBOT_WEB_SECURE_COOKIES", "").lower() in ("1", "true", "yes"))


BOT_KEY: web.AppKey[Bot] = web.AppKey("secbot_bot", Bot)
CONFIG_KEY: web.AppKey[WebConfig] = web.AppKey("secbot_web_config", WebConfig)
INVITE_LIMIT_KEY: web.AppKey[RateLimiter] = web.AppKey("secbot_invite_limit", RateLimiter)
LOGIN_LIMIT_KEY: web.AppKey[RateLimiter] = web.AppKey("secbot_login_limit", RateLimiter)
NOTIFY_KEY: web.AppKey[Any] = web.AppKey("secbot_web_notify", object)  # adapters.web.notify.Notify or None


def tokens(request: web.Request) -> WebTokens:
    return WebTokens(request.app[BOT_KEY].store)

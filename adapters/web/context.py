"""What the web handlers share through the aiohttp application."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.web.security import RateLimiter
from bot.engine import Bot
from bot.store.web_tokens import WebTokens

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class WebConfig:
    """Settings of `secbot serve web` (from the environment; see docs/web.md)."""

    user_header: str | None = None  # SECBOT_WEB_USER_HEADER: the auth proxy's user header
    base_url: str = "http://127.0.0.1:8080"  # SECBOT_WEB_BASE_URL: how people reach the pages (for links)
    secure_cookies: bool = False  # SECBOT_WEB_SECURE_COOKIES=1 when TLS ends at a proxy that sends no X-Forwarded-Proto
    knowledge_dir: Path | None = None  # for the intent scaffold download (checks the ids in use)
    # SECBOT_WEB_TRUST_HEADER_FROM: the proxies' addresses; the user header counts only from them
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # SECBOT_WEB_SECRET: signs the CSRF tokens; unset, a random one per start (forms open across a restart expire)
    secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, knowledge_dir: Path | None = None) -> WebConfig:
        env = dict(os.environ) if env is None else env
        return cls(knowledge_dir=knowledge_dir, user_header=(env.get("SECBOT_WEB_USER_HEADER") or "").strip() or None,
                   base_url=(env.get("SECBOT_WEB_BASE_URL") or cls.base_url).rstrip("/"),
                   secure_cookies=env.get("SECBOT_WEB_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
                   trusted_proxies=proxy_networks(env.get("SECBOT_WEB_TRUST_HEADER_FROM", "")),
                   secret=env.get("SECBOT_WEB_SECRET") or None)

    def header_trusted_from(self, remote: str | None) -> bool:
        """Whether the user header of a request from `remote` counts: from anywhere when no proxy
        list is set (the default loopback bind lets only local processes in), else only from the list."""
        if not self.trusted_proxies:
            return True
        try:
            address = ipaddress.ip_address(remote or "")
        except ValueError:
            return False
        return any(address in network for network in self.trusted_proxies)

    def bind_problem(self, host: str) -> str | None:
        """Why serving on `host` would be unsafe: a user header any client can send."""
        if self.user_header and not self.trusted_proxies and not is_loopback(host):
            return (f"refusing to listen on {host!r} with SECBOT_WEB_USER_HEADER set: anyone reaching the port could "
                    "send the header and sign in as anyone; set SECBOT_WEB_TRUST_HEADER_FROM to your auth proxy's "
                    "address(es) (see docs/web.md)")
        return None


def proxy_networks(text: str) -> tuple[IPNetwork, ...]:
    """"10.0.0.5, 10.1.0.0/16" as networks; ValueError names a bad entry."""
    networks = []
    for entry in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"SECBOT_WEB_TRUST_HEADER_FROM: {entry!r} is not an IP address or network") from None
    return tuple(networks)


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False  # a host name or "" (every interface)


SESSION_COOKIE = "secbot_session"  # a login-link session (`secbot web login-link USER`)
BOT_KEY: web.AppKey[Bot] = web.AppKey("secbot_bot", Bot)
CONFIG_KEY: web.AppKey[WebConfig] = web.AppKey("secbot_web_config", WebConfig)
INVITE_LIMIT_KEY: web.AppKey[RateLimiter] = web.AppKey("secbot_invite_limit", RateLimiter)
LOGIN_LIMIT_KEY: web.AppKey[RateLimiter] = web.AppKey("secbot_login_limit", RateLimiter)
NOTIFY_KEY: web.AppKey[Any] = web.AppKey("secbot_web_notify", object)  # adapters.web.notify.Notify or None


def tokens(request: web.Request) -> WebTokens:
    return WebTokens(request.app[BOT_KEY].store)

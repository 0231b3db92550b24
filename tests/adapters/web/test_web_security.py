"""Issue #15 tryout: the user header only from the trusted proxy, CSRF tokens bound to the browser's session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.web.app import create_app
from adapters.web.context import WebConfig, proxy_networks
from bot.http_limits import start_server
from bot.settings import Settings
from intents.assemble import create_bot
from knowledge import SHIPPED_DIR
from tests.adapters.web.conftest import ADMIN, USER_HEADER, form_csrf


async def _serve(tmp_path: Path, config: WebConfig) -> AsyncIterator[str]:
    settings = Settings.from_env({"SECBOT_ADMINS": ADMIN}, knowledge_dir=SHIPPED_DIR,
                                 database_url=f"sqlite:///{tmp_path / 'web.db'}")
    bot = await create_bot(settings)
    runner = await start_server(create_app(bot, config), "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
        await bot.store.close()


@pytest.mark.parametrize(("trusted", "status"), [("10.0.0.5", 403), ("10.0.0.5, 127.0.0.1", 200)])
async def test_the_user_header_counts_only_from_the_trusted_proxy(tmp_path: Path, trusted: str, status: int) -> None:
    config = WebConfig(user_header=USER_HEADER, trusted_proxies=proxy_networks(trusted), knowledge_dir=SHIPPED_DIR)
    async for url in _serve(tmp_path, config):
        async with aiohttp.ClientSession() as session, session.get(f"{url}/admin", headers={USER_HEADER: ADMIN}) as r:
            assert r.status == status


def test_serve_web_refuses_a_public_bind_with_a_user_header_and_no_trusted_proxy(capsys: pytest.CaptureFixture[str],
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.cli import main

    monkeypatch.setenv("SECBOT_WEB_USER_HEADER", USER_HEADER)
    monkeypatch.delenv("SECBOT_WEB_TRUST_HEADER_FROM", raising=False)
    assert main(["serve", "web", "--host", "0.0.0.0", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SECBOT_WEB_TRUST_HEADER_FROM" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("SECBOT_WEB_TRUST_HEADER_FROM", "proxy.example")
    assert main(["serve", "web", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "'proxy.example' is not an IP address" in capsys.readouterr().err


def test_a_loopback_bind_or_a_trusted_proxy_list_is_allowed() -> None:
    assert WebConfig(user_header=USER_HEADER).bind_problem("127.0.0.1") is None
    assert WebConfig(user_header=USER_HEADER).bind_problem("::1") is None
    assert WebConfig(user_header=USER_HEADER).bind_problem("0.0.0.0") is not None
    assert WebConfig(user_header=USER_HEADER, trusted_proxies=proxy_networks("10.0.0.5")).bind_problem("0.0.0.0") is None
    assert WebConfig().bind_problem("0.0.0.0") is None  # no header: nobody is signed in by one


async def test_a_planted_csrf_cookie_with_the_attackers_token_is_refused(tmp_path: Path) -> None:
    config = WebConfig(user_header=USER_HEADER, knowledge_dir=SHIPPED_DIR)
    async for url in _serve(tmp_path, config):
        # The attacker reads a valid cookie and token from their own session...
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                         headers={USER_HEADER: "mallory@example.co.jp"}) as attacker:
            async with attacker.get(f"{url}/chat") as response:
                cookie, token = response.cookies["secbot_csrf"].value, form_csrf(await response.text())
            async with attacker.post(f"{url}/chat", data={"csrf": token, "text": "VPN"}) as response:
                assert response.status == 200  # valid for the attacker's own session
        # ... and plants them in the victim's browser: refused, as is the cookie's own value as the token.
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), cookies={"secbot_csrf": cookie},
                                         headers={USER_HEADER: ADMIN}) as victim:
            for sent in (token, cookie):
                async with victim.post(f"{url}/chat", data={"csrf": sent, "text": "VPN"}) as response:
                    assert response.status == 403
            async with victim.get(f"{url}/chat") as response:  # the victim's own page works
                own = form_csrf(await response.text())
            async with victim.post(f"{url}/chat", data={"csrf": own, "text": "VPN"}) as response:
                assert response.status == 200


async def test_an_unknown_address_gets_a_friendly_page_with_the_security_headers(tmp_path: Path) -> None:
    async for url in _serve(tmp_path, WebConfig(knowledge_dir=SHIPPED_DIR)):
        async with aiohttp.ClientSession() as session, session.get(f"{url}/nowhere",
                                                                     headers={"Accept-Language": "ja"}) as response:
            page = await response.text()
            assert response.status == 404 and "ページが見つかりません" in page and "/chat" in page
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")

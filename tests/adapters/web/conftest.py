"""A real `secbot serve web` app on loopback (port 0) and headless Chromium driving it.

The browser is Debian's `chromium` (Playwright's own download cannot work offline). Without
one the browser tests skip with a message, except in CI (CI=true) where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.web.app import create_app
from adapters.web.context import WebConfig
from bot.engine import Bot
from bot.http_limits import start_server
from bot.settings import Settings
from intents.assemble import create_bot
from knowledge import SHIPPED_DIR

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "web"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
USER_HEADER = "X-Auth-Request-Email"
ADMIN = "admin@example.co.jp"
RESPONDER = "resp@example.co.jp"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def form_csrf(html: str) -> str:
    """The CSRF token a page's forms carry (the cookie alone is not enough)."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no form with a CSRF token on the page"
    return found.group(1)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("SECBOT_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@dataclass
class WebServer:
    url: str
    bot: Bot
    database_url: str


@pytest.fixture
async def web_server(tmp_path: Path) -> AsyncIterator[WebServer]:
    database_url = f"sqlite:///{tmp_path / 'web.db'}"
    settings = Settings.from_env({"SECBOT_ADMINS": ADMIN, "SECBOT_RESPONDERS": RESPONDER},
                                 knowledge_dir=SHIPPED_DIR, database_url=database_url)
    bot = await create_bot(settings)
    config = WebConfig(user_header=USER_HEADER, knowledge_dir=SHIPPED_DIR)
    runner = await start_server(create_app(bot, config), "127.0.0.1", 0)
    port = runner.addresses[0][1]
    try:
        yield WebServer(f"http://127.0.0.1:{port}", bot, database_url)
    finally:
        await runner.cleanup()
        await bot.store.close()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    path = chromium_path()
    if path is None:
        message = "no Chromium found (apt-get install chromium, or set SECBOT_CHROMIUM): browser tests skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " -- in CI they must run")
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


async def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def serious_accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page (injected from node_modules)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (package.json lists axe-core)")
    # Evaluated through the DevTools protocol: the page's CSP (no scripts at all) stays on.
    await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    results = await page.evaluate("async () => (await axe.run(document)).violations"
                                  ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.html)}))")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in results if v["impact"] in ("serious", "critical")]

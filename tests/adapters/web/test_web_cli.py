"""`secbot checkup invite|invites|revoke`, `secbot web login-link` and `secbot serve web`."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from adapters.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"SECBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "SECBOT_WEB_BASE_URL": "https://sec.example.jp/",
              "SECBOT_ADMINS": "admin@example.co.jp", "SECBOT_OPS_PORT": "0"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_invite_prints_a_link_once_and_invites_lists_its_state(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checkup", "invite", "--org", "ACME部品", "--expires", "30d"]) == 0
    out, err = capsys.readouterr()
    link = out.strip()
    assert re.fullmatch(r"https://sec\.example\.jp/checkup/i/[A-Za-z0-9_-]{40,}", link)
    assert "ACME部品" in err and "supplier" in err
    assert main(["checkup", "invites", "--lang", "en"]) == 0
    listed = capsys.readouterr().out
    assert "| 1 | ACME部品 | supplier | ja | not_opened |" in listed and "expires (JST)" in listed
    assert link.rsplit("/", 1)[1] not in listed  # the token is never shown again
    assert main(["checkup", "revoke", "1"]) == 0
    capsys.readouterr()
    assert main(["checkup", "invites"]) == 0 and "| revoked |" in capsys.readouterr().out
    assert main(["checkup", "revoke", "1"]) == 2


def test_bad_invite_options_exit_2_with_a_message(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["checkup", "invite", "--org", "A", "--expires", "soon"])
    assert exit_info.value.code == 2 and "not a duration" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:  # minutes or months? neither: weeks, days or hours only
        main(["checkup", "invite", "--org", "A", "--expires", "1m"])
    assert exit_info.value.code == 2 and "2w, 30d or 12h" in capsys.readouterr().err
    assert main(["checkup", "invite", "--org", "A", "--set", "nope"]) == 2
    assert "unknown checkup set" in capsys.readouterr().err


def test_login_links_only_for_admins_and_responders(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "login-link", "someone@example.co.jp"]) == 2
    assert "not in SECBOT_ADMINS" in capsys.readouterr().err
    assert main(["web", "login-link", "admin@example.co.jp"]) == 0
    assert re.fullmatch(r"https://sec\.example\.jp/login/[A-Za-z0-9_-]{40,}\n", capsys.readouterr().out)


async def test_serve_web_binds_loopback_by_default_and_stops_on_sigterm(env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "serve", "web", "--port", "0", env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    seen: list[str] = []
    try:
        while not (found := re.search(r"web pages on http://(127\.0\.0\.1):(\d+)/chat", "".join(seen))):
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
            assert line, "".join(seen)
            seen.append(line)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{found.group(2)}/healthz") as response:
                assert response.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0


def test_expires_in_weeks_days_or_hours(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    from adapters.cli.web_cli import duration

    assert duration("2w") == 14 * 86400 and duration("30d") == 30 * 86400 and duration("12H") == 12 * 3600


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_healthcheck_finds_the_web_server_at_its_configured_port(env: dict[str, str]) -> None:
    """The Docker HEALTHCHECK (`secbot healthcheck`, no options) of a container running `serve web`."""
    web_env = {**os.environ, **env, "SECBOT_WEB_PORT": str(_free_port())}
    web_env.pop("SECBOT_HEALTH_URL", None)

    async def healthcheck() -> tuple[int, str]:
        check = await asyncio.create_subprocess_exec(sys.executable, "-m", "adapters.cli", "healthcheck", "--timeout", "1",
                                                     env=web_env, stdout=asyncio.subprocess.PIPE)
        out, _ = await asyncio.wait_for(check.communicate(), 60)
        return check.returncode or 0, out.decode()

    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "adapters.cli", "serve", "web", env=web_env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    seen = ""
    try:
        while f":{web_env['SECBOT_WEB_PORT']}/chat" not in seen:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
            assert line, seen
            seen += line
        code, out = await healthcheck()
        assert code == 0 and f"ok: http://127.0.0.1:{web_env['SECBOT_WEB_PORT']}/healthz" in out
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0

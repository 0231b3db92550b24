"""`secbot serve slack` as a real process: configuration errors, /healthz, one signed event."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.adapters.slack.conftest import BOT_TOKEN, SECURITY_CHANNEL, SIGNING_SECRET, payload, sign
from tests.adapters.slack.fake_slack import FakeSlack

REPO = Path(__file__).resolve().parents[3]
SECBOT = [sys.executable, "-c", "import sys; from adapters.cli import main; sys.exit(main())"]


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECBOT_")) or k == "SECBOT_CACHE_DIR"}
    env["PYTHONPATH"] = str(REPO)
    env.update(values)
    return env


def test_missing_configuration_is_named_and_exits_2(tmp_path: Path) -> None:
    result = subprocess.run([*SECBOT, "serve", "slack", "--port", "0"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, env=clean_env(SLACK_BOT_TOKEN=BOT_TOKEN))
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr and "SECBOT_SECURITY_CHANNEL" in result.stderr
    assert "SLACK_BOT_TOKEN" not in result.stderr.split("missing", 1)[1]  # it was given
    assert "Traceback" not in result.stderr and BOT_TOKEN not in result.stderr


def test_socket_mode_needs_the_app_token(tmp_path: Path) -> None:
    result = subprocess.run([*SECBOT, "serve", "slack", "--socket"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, env=clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SECBOT_SECURITY_CHANNEL="C1"))
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" not in result.stderr


async def test_serve_slack_starts_answers_healthz_and_a_signed_event(tmp_path: Path, mini_knowledge: Path) -> None:
    fake = await FakeSlack().start()
    env = clean_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SECBOT_SECURITY_CHANNEL=SECURITY_CHANNEL, SECBOT_SLACK_API_URL=fake.api_url,
                    SECBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", SECBOT_KNOWLEDGE=str(mini_knowledge),
                    SECBOT_LOG_LEVEL="DEBUG")
    process = await asyncio.create_subprocess_exec(
        *SECBOT, "serve", "slack", "--host", "127.0.0.1", "--port", "0", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    log: list[str] = []
    try:
        port = None
        while port is None:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
            assert line, f"the server exited: {''.join(log)}"
            log.append(line)
            if found := re.search(r"http://127\.0\.0\.1:(\d+)/slack/events", line):
                port = int(found.group(1))
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/healthz") as response:
                assert response.status == 200 and (await response.json())["status"] == "ok"
            body = payload("event_message_im")
            raw = json.dumps(body, ensure_ascii=False)
            async with session.post(f"{base}/slack/events", data=raw.encode(),
                                    headers={"Content-Type": "application/json", **sign(raw)}) as response:
                assert response.status == 200
            async with session.post(f"{base}/slack/events", data=raw.encode(),
                                    headers={"Content-Type": "application/json"}) as response:
                assert response.status == 401
        [post] = await fake.wait_for("chat.postMessage", timeout=30)
        assert post["channel"] == "D0ALICE"
        assert "JC-STARはIPAが運営するIoT製品のラベリング制度です。" in post.rendered()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
        rest = (await process.stderr.read()).decode()
        await fake.stop()
    output = "".join(log) + rest
    assert process.returncode == 0, output
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output  # even at DEBUG
    assert "JC-STARとは" not in output  # nor what people wrote (bolt and aiosqlite log bodies at DEBUG)
    assert "Traceback" not in output

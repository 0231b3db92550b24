"""`secbot serve both`: one process, one database, both front ends, a graceful SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp


async def _wait_for(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> re.Match[str]:
    while True:
        line = (await asyncio.wait_for(stream.readline(), 60)).decode()
        assert line, "".join(seen)
        seen.append(line)
        if found := re.search(pattern, line):
            return found


def _free_ports(count: int) -> list[int]:
    """Distinct ports that nothing listens on right now (bound to 0, read, released)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


async def test_serve_both_runs_slack_and_teams_and_stops_cleanly(tmp_path: Path, mini_knowledge: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECBOT_", "Microsoft")) or k == "SECBOT_CACHE_DIR"}
    env.update(SLACK_BOT_TOKEN="xoxb-test-not-real", SLACK_SIGNING_SECRET="not-a-real-secret",
               SECBOT_SECURITY_CHANNEL="C0SECURITY", SECBOT_SLACK_API_URL="http://127.0.0.1:9/api/",
               SECBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'both.db'}", SECBOT_KNOWLEDGE=str(mini_knowledge),
               SECBOT_OPS_PORT="0")
    slack_port, teams_port = _free_ports(2)  # two explicit ports: each front end must take its own
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "serve", "both", "--host", "127.0.0.1", "--slack-port", str(slack_port),
        "--teams-port", str(teams_port), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    seen: list[str] = []
    try:
        ops = await _wait_for(process.stderr, r"operator endpoints .*http://127\.0\.0\.1:(\d+)", seen)
        slack = await _wait_for(process.stderr, r"http://127\.0\.0\.1:(\d+)/slack/events", seen)
        teams = await _wait_for(process.stdout, r"http://127\.0\.0\.1:(\d+)/api/messages", seen)
        assert (int(slack.group(1)), int(teams.group(1))) == (slack_port, teams_port)
        async with aiohttp.ClientSession() as session:
            for port, service in ((slack.group(1), "secbot-slack"), (teams.group(1), "secbot-teams")):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert (await response.json())["service"] == service
                for path in ("/readyz", "/metrics"):  # not on the public ports
                    async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                        assert response.status == 404
            # One operator port for the process, on loopback.
            async with session.get(f"http://127.0.0.1:{ops.group(1)}/readyz") as response:
                assert response.status == 200 and (await response.json())["status"] == "ok"
            async with session.get(f"http://127.0.0.1:{ops.group(1)}/metrics") as response:
                assert "secbot_questions_total" in await response.text()
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    rest = (await process.stderr.read()).decode()
    assert code == 0, "".join(seen) + rest
    assert "Traceback" not in rest


async def test_serve_without_configuration_names_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECBOT_", "Microsoft")) or k == "SECBOT_CACHE_DIR"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "serve", "both", env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    text = err.decode()
    assert "SLACK_BOT_TOKEN" in text and "SECBOT_SECURITY_CHANNEL" in text and "Traceback" not in text


async def test_a_taken_operator_port_is_named_in_the_error(tmp_path: Path, mini_knowledge: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SECBOT_", "Microsoft")) or k == "SECBOT_CACHE_DIR"}
        env.update(SECBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'ops.db'}", SECBOT_KNOWLEDGE=str(mini_knowledge),
                   SECBOT_OPS_PORT=str(taken.getsockname()[1]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "serve", "teams", "--port", "0", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode != 0
    assert "SECBOT_OPS_PORT" in err.decode() and "Traceback" not in err.decode()

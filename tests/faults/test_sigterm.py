"""SIGTERM while a real `secbot serve slack` has ~50 requests in flight: every acknowledged request's
work finishes (incidents saved, replies delivered), then the process exits 0."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from pathlib import Path

import aiohttp

from tests.adapters.slack.conftest import SECURITY_CHANNEL, sign
from tests.faults.conftest import FlakySlack
from tests.faults.payloads import (
    complete_answers,
    marker_in,
    slack_dm_event,
    slack_form_body,
    slack_view_submission,
    stored_incidents,
    triage_form,
)
from tests.faults.serve_process import serve_env, start_serve

QUESTIONS = 30
INCIDENTS = 20


async def test_sigterm_under_load_finishes_acknowledged_work_and_exits_0(tmp_path: Path,
                                                                        fake_slack: FlakySlack) -> None:
    fake_slack.delay = 0.3  # a slow Web API: replies are still on their way when the signal comes
    database_url = f"sqlite:///{tmp_path / 'sigterm.db'}"
    server = await start_serve("slack", serve_env("slack", database_url=database_url, api_url=fake_slack.api_url),
                               tmp_path)
    url = f"{server.url}/slack/events"
    form = triage_form("ja")
    requests: list[tuple[str, str, bytes, str]] = []  # (kind, destination or marker, body, content type)
    for n in range(QUESTIONS):
        event = slack_dm_event("JC-STARとは", user=f"U0Q{n:03d}", channel=f"D0Q{n:03d}", event_id=f"Ev0TERM{n:03d}",
                               ts=f"1700003000.{n:06d}")
        requests.append(("question", f"D0Q{n:03d}", json.dumps(event, ensure_ascii=False).encode(), "application/json"))
    for n in range(INCIDENTS):
        marker = f"term-{n:03d}"
        body = slack_view_submission(form, complete_answers(form, marker), user=f"U0I{n:03d}", view_id=f"VTERM{n:03d}")
        requests.append(("incident", marker, slack_form_body(body).encode(), "application/x-www-form-urlencoded"))
    requests.sort(key=lambda r: r[1][-2:])  # interleave questions and incidents

    acked: list[tuple[str, str]] = []
    enough = asyncio.Event()

    async def send(session: aiohttp.ClientSession, kind: str, key: str, body: bytes, content_type: str) -> None:
        headers = {"Content-Type": content_type, **sign(body.decode())}
        try:
            async with session.post(url, data=body, headers=headers) as response:
                text = await response.text()
                if response.status == 200:
                    assert kind != "incident" or text.strip() == "", text
                    acked.append((kind, key))
        except aiohttp.ClientError:
            return  # not acknowledged: Slack would retry it; nothing was promised
        if len(acked) >= 10:
            enough.set()

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        sending = [asyncio.create_task(send(session, *r)) for r in requests]
        await asyncio.wait_for(enough.wait(), 30)
        server.process.send_signal(signal.SIGTERM)
        posts_at_signal = len(fake_slack.called("chat.postMessage"))
        await asyncio.gather(*sending)
    code = await server.terminate(timeout=40)
    output = server.output()
    assert code == 0, output[-3000:]
    assert "Traceback" not in output

    expected: Counter[str] = Counter()
    markers = []
    for kind, key in acked:
        if kind == "question":
            expected[key] += 1
        else:
            markers.append(key)
            expected[f"U0I{key[-3:]}"] += 1
            expected[SECURITY_CHANNEL] += 1
    delivered = Counter(c.get("channel") for c in fake_slack.called("chat.postMessage"))
    assert len(acked) >= 10
    assert posts_at_signal < sum(expected.values()), "nothing was in flight when the signal came"
    assert all(delivered[dest] >= n for dest, n in expected.items()), (expected - delivered)
    assert all(delivered[dest] <= n for dest, n in expected.items() if dest != SECURITY_CHANNEL)

    records = await stored_incidents(database_url)
    for marker in markers:
        assert sum(marker_in(r.answers, marker) for r in records) == 1, marker

"""300 reporters press Submit at the same moment on a real `secbot serve slack`: every submission
is acknowledged within Slack's 3-second deadline (else Slack shows the reporter an error for an
incident that was in fact filed) and every incident is stored exactly once.

The 3 s is Slack's contract for an acknowledgement, not a speed target: the server has to answer
in time under a burst however slow the storage is, by acknowledging first and working after."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.adapters.slack.conftest import SECURITY_CHANNEL, sign
from tests.faults.conftest import FlakySlack
from tests.faults.payloads import (
    complete_answers,
    marker_in,
    slack_form_body,
    slack_view_submission,
    stored_incidents,
    triage_form,
)
from tests.faults.serve_process import serve_env, start_serve

REPORTERS = 300
SLACK_ACK_DEADLINE = 3.0


async def test_a_burst_of_modal_submissions_is_acknowledged_in_time_and_stored_once(
        tmp_path: Path, fake_slack: FlakySlack) -> None:
    database_url = f"sqlite:///{tmp_path / 'burst.db'}"
    server = await start_serve("slack", serve_env("slack", database_url=database_url, api_url=fake_slack.api_url),
                               tmp_path)
    url = f"{server.url}/slack/events"
    form = triage_form("ja")
    bodies = []
    for n in range(REPORTERS):
        body = slack_view_submission(form, complete_answers(form, f"burst-{n:03d}"), user=f"U0B{n:03d}",
                                     view_id=f"VBURST{n:03d}")
        encoded = slack_form_body(body)
        bodies.append((encoded, sign(encoded)))  # signed up front: the burst is only the sending

    try:
        answers = await burst(url, bodies)
        late = [(status, round(elapsed, 2)) for status, _, elapsed in answers
                if status != 200 or elapsed >= SLACK_ACK_DEADLINE]
        assert late == [], f"{len(late)} of {REPORTERS} not acknowledged in time: {late[:10]}"
        assert all(text.strip() == "" for _, text, _ in answers)  # each modal simply closes

        deadline = time.monotonic() + 120
        while len(fake_slack.called("chat.postMessage")) < 2 * REPORTERS and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
    finally:
        await server.terminate(timeout=60)
    assert "Traceback" not in server.output()

    records = await stored_incidents(database_url)
    assert len(records) == REPORTERS
    for n in range(REPORTERS):
        assert sum(marker_in(r.answers, f"burst-{n:03d}") for r in records) == 1, n
    posted = [c.get("channel") for c in fake_slack.called("chat.postMessage")]
    assert posted.count(SECURITY_CHANNEL) == REPORTERS
    assert {f"U0B{n:03d}" for n in range(REPORTERS)} <= set(posted)  # each reporter got the result


async def burst(url: str, bodies: list[tuple[str, dict[str, str]]]) -> list[tuple[int, str, float]]:
    """Connect, then send every request at once, timing each from its send to its whole answer
    (the server may close the connection later; Slack does not wait for that).

    Plain sockets rather than an HTTP client: the client shares the machine with the server, and
    its own work must not be counted as the server's delay."""
    parts = urlsplit(url)
    connections = await asyncio.gather(*(asyncio.open_connection(parts.hostname, parts.port) for _ in bodies))

    async def answer(reader: asyncio.StreamReader, sent: float) -> tuple[int, str, float]:
        """Until the whole answer is in (status, headers, Content-Length bytes): what Slack waits for."""
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        length = next((int(line.split(":", 1)[1]) for line in head.split("\r\n")
                       if line.lower().startswith("content-length:")), 0)
        text = (await reader.readexactly(length)).decode("utf-8", "replace")
        return int(head.split(" ", 2)[1]), text, time.monotonic() - sent

    waiting = []
    for (reader, writer), (body, signature) in zip(connections, bodies, strict=True):
        payload = body.encode()
        headers = {"Host": parts.netloc, "Content-Type": "application/x-www-form-urlencoded",
                   "Content-Length": str(len(payload)), **signature}
        request = f"POST {parts.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(request.encode() + payload)
        waiting.append(answer(reader, time.monotonic()))
    try:
        return await asyncio.wait_for(asyncio.gather(*waiting), 60)
    finally:
        for _, writer in connections:
            writer.close()

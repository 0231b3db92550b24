"""Past SECBOT_MAX_IN_FLIGHT questions in progress, Slack events get a 503 (Slack retries them),
slash commands a short "busy" answer, and incident submissions are still filed exactly once."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.models import IncomingMessage, Response
from tests.adapters.slack.conftest import SlackHarness
from tests.faults.payloads import (
    complete_answers,
    marker_in,
    slack_form_body,
    slack_view_submission,
    triage_form,
)

LIMIT = 3


def hold_questions(harness: SlackHarness) -> asyncio.Event:
    """Questions wait in the core until the returned event is set; form submissions go straight through."""
    gate = asyncio.Event()
    handle = harness.bot.handle

    async def held(message: IncomingMessage) -> Response:
        if not message.form_id:
            await gate.wait()
        return await handle(message)

    harness.bot.handle = held  # type: ignore[method-assign]
    return gate


async def test_a_burst_of_questions_past_the_limit_is_refused_with_503_and_answered_on_slacks_retry(
        make_harness: Callable[..., Any]) -> None:
    harness: SlackHarness = await make_harness(max_in_flight=LIMIT)
    gate = hold_questions(harness)
    bodies = [harness.event_body("dm", "JC-STARとは", channel=f"D0BUSY{n:02d}") for n in range(10)]

    answers = await asyncio.gather(*(harness.post_json(body) for body in bodies))
    statuses = [status for status, _, _ in answers]
    assert statuses.count(200) == LIMIT and statuses.count(503) == 10 - LIMIT
    assert harness.slack.limit.active == LIMIT and harness.slack.limit.peak == LIMIT
    assert len(harness.slack.tasks) == LIMIT  # no backlog of work behind the limit

    gate.set()
    await harness.settle()
    assert harness.slack.limit.active == 0
    # Slack delivers the refused events again (X-Slack-Retry-Num); now there is room.
    refused = [body for body, (status, _, _) in zip(bodies, answers, strict=True) if status == 503]
    for body in refused:
        status, _, _ = await harness.post_json(body, headers={"X-Slack-Retry-Num": "1",
                                                              "X-Slack-Retry-Reason": "http_error"})
        assert status == 200
        await harness.settle()
    replies = Counter(call.get("channel") for call in harness.fake.called("chat.postMessage"))
    assert replies == Counter({f"D0BUSY{n:02d}": 1 for n in range(10)})  # every question answered once


async def test_a_slash_command_past_the_limit_is_told_to_send_it_again(make_harness: Callable[..., Any]) -> None:
    harness: SlackHarness = await make_harness(max_in_flight=1)
    gate = hold_questions(harness)
    assert (await harness.dm("JC-STARとは"))[0] == 200
    status, text, _ = await harness.command("", command="/secbot")
    assert status == 200
    answer = json.loads(text)
    assert answer["response_type"] == "ephemeral" and "混み合っています" in answer["text"]
    gate.set()
    await harness.settle()


async def test_incidents_submitted_while_questions_saturate_the_server_are_all_filed_once(
        make_harness: Callable[..., Any], tmp_path: Any) -> None:
    harness: SlackHarness = await make_harness(max_in_flight=LIMIT)
    gate = hold_questions(harness)
    await asyncio.gather(*(harness.dm("JC-STARとは", channel=f"D0SAT{n:02d}") for n in range(LIMIT)))
    assert (await harness.dm("まだ空いていますか"))[0] == 503  # saturated

    form = triage_form("ja")
    bodies = [slack_form_body(slack_view_submission(form, complete_answers(form, f"sat-{n:02d}"), user=f"U0SAT{n:02d}",
                                                    view_id=f"VSAT{n:02d}")) for n in range(12)]
    answers = await asyncio.gather(*(harness.post(body, "application/x-www-form-urlencoded") for body in bodies))
    assert [(status, text.strip()) for status, text, _ in answers] == [(200, "")] * 12  # each modal closes
    gate.set()
    await harness.settle()

    records = await harness.bot.store.list_incidents(limit=100)
    assert [sum(marker_in(r.answers, f"sat-{n:02d}") for r in records) for n in range(12)] == [1] * 12

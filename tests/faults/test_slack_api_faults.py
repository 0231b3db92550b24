"""The Slack Web API timing out or failing with 5xx while a real /incident is submitted: the incident is
saved once, the posts are retried with backoff and arrive once, the failure is logged, the modal
closes. (429 with Retry-After is covered in tests/adapters/slack.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.slack.conftest import SECURITY_CHANNEL, SlackHarness
from tests.faults.conftest import FlakySlack
from tests.faults.payloads import complete_answers, marker_in, slack_view_submission, triage_form

CLIENT_TIMEOUT = 1  # seconds; slack_sdk's default is 30


@pytest.fixture
async def slack(make_harness: Any) -> SlackHarness:
    harness = await make_harness()  # the shipped knowledge and the real incident flow
    harness.slack.client.timeout = CLIENT_TIMEOUT
    return harness


async def submit_incident(slack: SlackHarness, marker: str, user: str = "U0ALICE") -> tuple[int, str]:
    body = slack_view_submission(triage_form("ja"), complete_answers(triage_form("ja"), marker), user=user,
                                 view_id=f"V{marker}")
    status, text, elapsed = await slack.post_payload(body)
    assert elapsed < 3, "the modal must be acknowledged within Slack's 3 seconds"
    return status, text


async def incidents_with(slack: SlackHarness, marker: str) -> int:
    return sum(marker_in(r.answers, marker) for r in await slack.bot.store.list_incidents(limit=1000))


def posts_to(fake: FlakySlack, channel: str) -> list[Any]:
    return [c for c in fake.called("chat.postMessage") if c.get("channel") == channel]


async def test_a_timed_out_post_is_retried_and_the_answer_arrives_once(slack: SlackHarness) -> None:
    slack.fake.stall("chat.postMessage", CLIENT_TIMEOUT + 2)
    status, _, _ = await slack.dm("JC-STARとは")
    assert status == 200
    await slack.fake.wait_for("chat.postMessage", timeout=15)
    await slack.settle()
    assert len(slack.fake.called("chat.postMessage")) == 1
    assert len(slack.fake.attempts["chat.postMessage"]) == 2


@pytest.mark.parametrize("fault", ["timeout", 500, 502, 503, 504])
async def test_incident_is_saved_and_each_post_arrives_once_when_the_api_fails_then_recovers(
        slack: SlackHarness, fault: str | int) -> None:
    if fault == "timeout":
        slack.fake.stall("chat.postMessage", CLIENT_TIMEOUT + 2)
    else:
        slack.fake.fail("chat.postMessage", status=int(fault), body={"ok": False, "error": "internal_error"})
    status, text = await submit_incident(slack, "fault1")
    assert (status, text.strip()) == (200, "")  # the modal closes at once
    assert await incidents_with(slack, "fault1") == 1  # saved before the acknowledgement
    await slack.fake.wait_for("chat.postMessage", 2, timeout=20)
    await slack.settle()
    assert len(posts_to(slack.fake, "U0ALICE")) == 1  # the result, in the reporter's DM, once
    assert len(posts_to(slack.fake, SECURITY_CHANNEL)) == 1  # the summary, once
    first, second = slack.fake.attempts["chat.postMessage"][:2]
    assert second - first >= 0.2  # a backoff, not a tight loop
    assert await incidents_with(slack, "fault1") == 1


async def test_a_post_that_keeps_failing_loses_no_incident_nor_the_other_post(
        slack: SlackHarness, caplog: pytest.LogCaptureFixture) -> None:
    # 1 try + 3 retries of the security channel's post all fail (it goes first); the reporter's result
    # then goes through, and says truly that the team was not notified.
    slack.fake.fail("chat.postMessage", status=503, body={"ok": False, "error": "service_unavailable"}, times=4)
    status, text = await submit_incident(slack, "fault2")
    assert (status, text.strip()) == (200, "")
    await slack.settle()
    assert await incidents_with(slack, "fault2") == 1
    assert posts_to(slack.fake, SECURITY_CHANNEL) == []
    [result] = posts_to(slack.fake, "U0ALICE")
    assert "送信されていません" in result.rendered() or "NOT been notified" in result.rendered()
    assert "service_unavailable" in caplog.text  # the failed post is logged...
    assert "fault2" not in caplog.text and "xoxb-" not in caplog.text  # ...without the report or the token


async def test_a_retried_submission_during_an_outage_is_one_incident(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", status=500, times=2)
    body = slack_view_submission(triage_form("ja"), complete_answers(triage_form("ja"), "fault3"), user="U0BOB",
                                 view_id="Vfault3")
    for _ in range(3):  # Slack retries when it thinks we were too slow
        status, _, _ = await slack.post_payload(body, headers={"X-Slack-Retry-Num": "1"})
        assert status == 200
    await slack.fake.wait_for("chat.postMessage", 2, timeout=20)
    await slack.settle()
    assert await incidents_with(slack, "fault3") == 1
    assert len(posts_to(slack.fake, "U0BOB")) == 1 and len(posts_to(slack.fake, SECURITY_CHANNEL)) == 1

"""A modal submission is only settled once the incident is written: after a validation error or
a storage failure the reporter's identical retry files the incident (it is not swallowed as a
duplicate), and a storage failure is a polite message in the modal, never an HTTP 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.messages import say
from tests.adapters.slack.conftest import SECURITY_CHANNEL
from tests.adapters.slack.stub_flow import StubIncidentFlow
from tests.adapters.slack.test_slack_incident import GOOD, open_modal
from tests.adapters.slack.test_slack_incident_e2e import answers_for

FAIL_INCIDENT_WRITES = ("CREATE TRIGGER secbot_test_fail BEFORE INSERT ON incidents "
                        "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")


async def test_an_identical_resubmission_after_errors_gets_the_errors_again(make_harness, mini_knowledge: Path) -> None:
    slack = await make_harness(mini_knowledge, flows=[StubIncidentFlow()])
    view = await open_modal(slack)
    incomplete = {"incident_type": "ransomware", "detected_at": "now"}
    for _ in range(2):  # the reporter presses Submit again without changing anything
        status, body, _ = await slack.submit(view, incomplete)
        assert status == 200 and body["response_action"] == "errors"
        assert body["errors"] == {"description": "This is required."}
    _, body, _ = await slack.submit(view, GOOD)
    assert body == {}


@pytest.fixture
async def real_slack(make_harness):
    slack = await make_harness()  # the shipped knowledge and the real incident flow
    view = await open_modal(slack)
    return slack, view, answers_for(view, {"incident_type": "ransomware"})


async def filed_after_retry(slack, view, values) -> None:
    status, body, _ = await slack.submit(view, values)  # the identical retry
    assert (status, body) == (200, {})
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    assert sorted(p["channel"] for p in posts) == sorted(["U0ALICE", SECURITY_CHANNEL])
    [incident] = await slack.bot.store.list_incidents()
    assert incident.id in next(p for p in posts if p["channel"] == "U0ALICE").rendered()


async def test_a_failed_incident_write_asks_to_try_again_and_the_retry_files_it(real_slack) -> None:
    slack, view, values = real_slack
    await slack.bot.store.execute(FAIL_INCIDENT_WRITES)
    status, body, _ = await slack.submit(view, values)
    assert status == 200 and body["response_action"] == "errors"
    assert list(body["errors"].values()) == [say("store_error", "ja")]
    await slack.settle()
    assert await slack.bot.store.list_incidents() == [] and slack.fake.called("chat.postMessage") == []

    await slack.bot.store.execute("DROP TRIGGER secbot_test_fail")
    await filed_after_retry(slack, view, values)


async def test_a_database_that_cannot_write_at_all_is_a_polite_reply_not_a_500(real_slack) -> None:
    slack, view, values = real_slack
    await slack.bot.store.fetchall("PRAGMA query_only = ON")  # even the delivery claim fails
    status, body, _ = await slack.submit(view, values)
    assert status == 200 and body["response_action"] == "errors"
    assert list(body["errors"].values()) == [say("store_error", "ja")]

    await slack.bot.store.fetchall("PRAGMA query_only = OFF")
    await filed_after_retry(slack, view, values)

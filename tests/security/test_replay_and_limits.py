"""Replayed Slack requests and oversized bodies: a signature older (or newer) than 5 minutes is refused,
a replay inside the window does no work twice, and both servers cap request bodies
(Slack 1 MiB, Teams 256 KiB), with or without a Content-Length."""

from __future__ import annotations

import json
import time

import pytest

from adapters.slack.server import MAX_BODY
from adapters.teams.server import MAX_BODY_BYTES
from tests.adapters.slack.conftest import payload
from tests.faults.payloads import slack_dm_event, teams_activity

from .conftest import ServerThread
from .test_http_fuzz import check_answer, post_slack

WINDOW = 5 * 60


def event_body(event_id: str) -> bytes:
    body = slack_dm_event("JC-STARとは", user="U0REPLAY", channel=f"D{event_id}", event_id=event_id,
                          ts=f"1700004000.{time.time_ns() % 1_000_000:06d}")
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.mark.parametrize("age", [WINDOW + 1, WINDOW + 3600, -(WINDOW + 60), 10 * 365 * 86400])
def test_a_signature_outside_the_five_minute_window_is_refused(slack_server: ServerThread, age: int) -> None:
    body = event_body(f"Ev0OLD{abs(age)}")
    status, answer = post_slack(slack_server, body, "application/json", signed=True, timestamp=int(time.time()) - age)
    assert status == 401
    check_answer(status, answer)
    slack_server.settle()
    assert [c for c in slack_server.fake.calls if c.get("channel") == f"DEv0OLD{abs(age)}"] == []


def test_a_signature_inside_the_window_is_accepted(slack_server: ServerThread) -> None:
    body = event_body("Ev0FRESH")
    status, _ = post_slack(slack_server, body, "application/json", signed=True, timestamp=int(time.time()) - 240)
    assert status == 200


def test_a_replay_inside_the_window_does_the_work_once(slack_server: ServerThread) -> None:
    body = event_body("Ev0REPLAY")
    stamp = int(time.time())
    for _ in range(3):  # the same signed bytes, captured and sent again
        status, _ = post_slack(slack_server, body, "application/json", signed=True, timestamp=stamp)
        assert status == 200
    slack_server.settle()
    assert len([c for c in slack_server.fake.calls if c.get("channel") == "DEv0REPLAY"]) == 1


def test_a_signature_for_other_bytes_is_refused(slack_server: ServerThread) -> None:
    body = event_body("Ev0TAMPER")
    from .test_http_fuzz import sign

    headers = {"Content-Type": "application/json", **sign(body)}
    status, answer = slack_server.request("POST", "/slack/events", body.replace(b"JC-STAR", b"JC-STAX"), headers)
    assert status == 401
    check_answer(status, answer)


@pytest.mark.parametrize("chunked", [False, True])
def test_slack_bodies_over_1_mib_are_refused_with_413(slack_server: ServerThread, chunked: bool) -> None:
    assert MAX_BODY == 1024 * 1024
    body = json.dumps({**payload("event_message_im"), "padding": "x" * MAX_BODY}).encode()
    status, answer = slack_server.request("POST", "/slack/events", body, {"Content-Type": "application/json"},
                                          chunked=chunked)
    assert status == 413
    check_answer(status, answer)


def test_slack_bodies_just_under_1_mib_are_read(slack_server: ServerThread) -> None:
    body = json.dumps({**payload("event_message_im"), "padding": "x" * (MAX_BODY - 2000)}).encode()
    assert len(body) < MAX_BODY
    status, _ = post_slack(slack_server, body, "application/json", signed=False)
    assert status == 401  # read in full, then refused for its (missing) signature


@pytest.mark.parametrize("chunked", [False, True])
def test_teams_bodies_over_256_kib_are_refused_with_413(teams_server: ServerThread, chunked: bool) -> None:
    assert MAX_BODY_BYTES == 256 * 1024
    activity = teams_activity(teams_server.fake.url, "huge-1", user="u", text="x" * MAX_BODY_BYTES)
    status, answer = teams_server.request("POST", "/api/messages", json.dumps(activity).encode(),
                                          {"Content-Type": "application/json"}, chunked=chunked)
    assert status == 413
    check_answer(status, answer)
    assert [c for c in teams_server.fake.calls if c.conversation_id == "a:u"] == []


def test_teams_bodies_just_under_256_kib_are_answered(teams_server: ServerThread) -> None:
    activity = teams_activity(teams_server.fake.url, "big-1", user="big-user", text="JC-STARとは " + "x" * 200_000)
    body = json.dumps(activity).encode()
    assert len(body) < MAX_BODY_BYTES
    status, answer = teams_server.request("POST", "/api/messages", body, {"Content-Type": "application/json"})
    assert status == 200
    check_answer(status, answer)

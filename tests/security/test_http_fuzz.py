"""Hostile HTTP at /slack/events and /api/messages: malformed, oversized, deeply nested, wrongly typed,
signed and unsigned. Every answer is a 2xx/4xx with a short body and no traceback; the work after
the acknowledgement fails nowhere; the server stays up.

Outbound calls can only reach loopback: response_url and serviceUrl are drawn from the fakes (or a
closed loopback port), never from random text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adapters.slack.conftest import SIGNING_SECRET
from tests.faults.payloads import teams_activity

from .conftest import ServerThread, Tracebacks

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEAMS_FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAX_ERROR_BODY = 300
CLOSED_PORT_URL = "http://127.0.0.1:9/"  # discard port: nothing listens, the connection is refused

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)), max_leaves=15)
content_types = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain",
                                 "multipart/form-data; boundary=x", "application/json; charset=latin-1", ""])


def nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


def check_answer(status: int, body: bytes, *, allowed: frozenset[int] = frozenset(range(200, 500))) -> None:
    text = body.decode("utf-8", "replace")
    assert status in allowed, (status, text[:500])
    assert "Traceback" not in text and 'File "' not in text, text[:500]
    if status >= 400:
        assert len(body) <= MAX_ERROR_BODY, text[:500]


def sign(body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature over the raw bytes (tests/adapters/slack's `sign` takes text: junk may not be UTF-8)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp).encode()
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + stamp + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp.decode(), "X-Slack-Signature": f"v0={digest}"}


def post_slack(server: ServerThread, body: bytes, content_type: str, *, signed: bool,
               timestamp: int | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": content_type} if content_type else {}
    if signed:
        headers |= sign(body, timestamp=timestamp)
    return server.request("POST", "/slack/events", body, headers)


# -- Slack ---------------------------------------------------------------------------------------
@FUZZ
@given(body=st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode), content_type=content_types)
def test_slack_refuses_unsigned_junk_with_401(slack_server: ServerThread, body: bytes, content_type: str) -> None:
    status, answer = post_slack(slack_server, body, content_type, signed=False)
    check_answer(status, answer, allowed=frozenset({400, 401, 413, 415}))


@FUZZ
@given(body=st.text(max_size=3000).map(str.encode) | st.sampled_from([
    nested(50_000).encode(), nested(50_000, "{\"a\":", "}").encode(), b"payload=" + nested(50_000).encode(),
    b"{", b"[]", b"null", b"payload=", b"payload=null", b"payload=%7B", b"\xff\xfe\x00", b"%" * 2000]),
       content_type=content_types)
def test_slack_answers_signed_junk_cleanly(slack_server: ServerThread, tracebacks: Tracebacks, body: bytes,
                                           content_type: str) -> None:
    status, answer = post_slack(slack_server, body, content_type, signed=True)
    check_answer(status, answer)
    slack_server.settle()
    assert tracebacks.take() == []


def response_urls(server: ServerThread) -> st.SearchStrategy[Any]:
    return st.sampled_from([None, "", "not a url", CLOSED_PORT_URL + "response", server.fake.response_url("fuzz"), 42])


@st.composite
def slack_events(draw: st.DrawFn) -> dict[str, Any]:
    event = draw(st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["message", "app_mention", "reaction_added", "", None, 7]),
        "user": st.sampled_from(["U0FUZZ", "", None, 12, ["U0"]]) | st.text(max_size=12),
        "channel": st.sampled_from(["D0FUZZ", "C0FUZZ", "", None, {"id": "C1"}]),
        "channel_type": st.sampled_from(["im", "channel", None, 3]),
        "text": json_values,
        "subtype": st.sampled_from([None, "bot_message", "message_changed", "file_share", 0]),
        "thread_ts": json_values, "ts": json_values, "bot_id": st.sampled_from([None, "B1", ""]),
    }))
    body = draw(st.fixed_dictionaries({"type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited",
                                                                 "", None, 1])},
                                      optional={"event": st.just(event) | json_values, "event_id": json_values,
                                                "challenge": json_values, "team_id": json_values,
                                                "authorizations": json_values}))
    return body


@FUZZ
@given(data=st.data())
def test_slack_events_with_wrong_types_are_answered_cleanly(slack_server: ServerThread, tracebacks: Tracebacks,
                                                            data: st.DataObject) -> None:
    body = json.dumps(data.draw(slack_events())).encode()
    status, answer = post_slack(slack_server, body, "application/json", signed=True)
    check_answer(status, answer)
    slack_server.settle()
    assert tracebacks.take() == []


@st.composite
def slack_interactions(draw: st.DrawFn, server: ServerThread) -> dict[str, Any]:
    values = draw(st.dictionaries(st.sampled_from(["incident_type", "description", "detected_at", "ongoing", "x"]),
                                  st.dictionaries(st.text(max_size=8), st.fixed_dictionaries(
                                      {"type": st.sampled_from(["static_select", "plain_text_input", "datepicker",
                                                                "datetimepicker", "checkboxes", 3])},
                                      optional={"value": json_values, "selected_option": json_values,
                                                "selected_date_time": json_values,
                                                "selected_options": json_values}) | json_values,
                                      max_size=2) | json_values, max_size=5))
    view = draw(st.fixed_dictionaries({}, optional={
        "id": json_values, "callback_id": st.sampled_from(["incident_form", "other", "", None, 5]),
        "private_metadata": st.sampled_from(["", "{", "[]", "null", '{"channel_id": 5}', '{"lang": ["x"]}']) | json_values,
        "state": st.just({"values": values}) | json_values, "blocks": json_values, "hash": json_values}))
    action = st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["button", "static_select", None]), "value": json_values,
        "action_id": st.sampled_from(["secbot_button_0", "secbot_open_form", "incident_type", ""]) | json_values,
        "action_ts": json_values, "block_id": json_values, "selected_option": json_values})
    return draw(st.fixed_dictionaries(
        {"type": st.sampled_from(["block_actions", "view_submission", "view_closed", "shortcut", "message_action",
                                  "", None])},
        optional={"user": st.fixed_dictionaries({}, optional={"id": st.sampled_from(["U0FUZZ", "", None, 3]),
                                                              "locale": json_values, "name": json_values})
                  | json_values,
                  "view": st.just(view) | json_values, "actions": st.lists(action, max_size=2) | json_values,
                  "container": json_values, "channel": json_values, "message": json_values,
                  "trigger_id": json_values, "response_url": response_urls(server),
                  "team": json_values, "api_app_id": json_values}))


@FUZZ
@given(data=st.data())
def test_slack_interactivity_with_wrong_types_is_answered_cleanly(slack_server: ServerThread, tracebacks: Tracebacks,
                                                                  data: st.DataObject) -> None:
    payload = data.draw(slack_interactions(slack_server))
    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, answer = post_slack(slack_server, body, "application/x-www-form-urlencoded", signed=True)
    check_answer(status, answer)
    slack_server.settle()
    assert tracebacks.take() == []


@pytest.mark.parametrize("payload", [
    {"type": "block_actions", "actions": [], "user": {"id": "U0FUZZ"}},
    {"type": "block_actions", "user": {"id": "U0FUZZ"}},
    {"type": "block_actions"},
])
def test_slack_block_actions_without_an_action_are_refused_cleanly(slack_server: ServerThread, tracebacks: Tracebacks,
                                                                   payload: dict) -> None:
    """Found by the fuzzer: bolt reads actions[0] in its middleware, before any listener runs."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, answer = post_slack(slack_server, body, "application/x-www-form-urlencoded", signed=True)
    assert status == 400, (status, answer)
    slack_server.settle()
    assert tracebacks.take() == []


@FUZZ
@given(data=st.data())
def test_slack_commands_with_odd_fields_are_answered_cleanly(slack_server: ServerThread, tracebacks: Tracebacks,
                                                             data: st.DataObject) -> None:
    fields = data.draw(st.fixed_dictionaries({}, optional={
        "command": st.sampled_from(["/incident", "/secbot", "", "incident", "/"]) | st.text(max_size=20),
        "text": st.text(max_size=300), "user_id": st.sampled_from(["U0FUZZ", ""]) | st.text(max_size=10),
        "channel_id": st.sampled_from(["C0FUZZ", "D0FUZZ", ""]), "trigger_id": st.text(max_size=20),
        "response_url": response_urls(slack_server).map(lambda u: "" if u is None else str(u)),
        "user_name": st.text(max_size=20)}))
    body = urlencode(fields).encode()
    status, answer = post_slack(slack_server, body, "application/x-www-form-urlencoded", signed=True)
    check_answer(status, answer)
    slack_server.settle()
    assert tracebacks.take() == []


# -- Teams ---------------------------------------------------------------------------------------
@FUZZ
@given(body=st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode) | st.sampled_from([
    nested(100_000).encode(), nested(60_000, '{"a":', "}").encode(), b"", b"null", b"1e999999", b'"\\ud800"',
    json.dumps({"type": "message", "serviceUrl": "ftp://x", "conversation": {"id": "x"}, "text": "x" * 200_000}
               ).encode()]), content_type=content_types)
def test_teams_answers_malformed_bodies_cleanly(teams_server: ServerThread, tracebacks: Tracebacks, body: bytes,
                                                content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    status, answer = teams_server.request("POST", "/api/messages", body, headers)
    check_answer(status, answer)
    assert tracebacks.take() == []


@st.composite
def teams_activities(draw: st.DrawFn, server: ServerThread) -> dict[str, Any]:
    activity = teams_activity(server.fake.url, f"fuzz-{time.time_ns()}", user="fuzz-user", text="JC-STARとは")
    for key in draw(st.lists(st.sampled_from(["type", "text", "from", "recipient", "conversation", "value",
                                              "channelData", "entities", "locale", "id", "membersAdded", "name",
                                              "attachments", "replyToId", "timestamp"]), max_size=4, unique=True)):
        activity[key] = draw(json_values | st.sampled_from(
            ["message", "invoke", "conversationUpdate", {"secbot_action": "incident_submit"},
             {"secbot_action": "answer:x" * 50}, [{"id": "x"}], {"id": ["x"]}, {"tenant": 5}]))
    if draw(st.booleans()):
        # (not a closed port here: botbuilder retries a refused connection with backoff, seconds per example)
        activity["serviceUrl"] = draw(st.sampled_from([server.fake.url, "ftp://x", 3, None, ""]))
    return activity


@TEAMS_FUZZ
@given(data=st.data())
def test_teams_activities_with_wrong_types_are_answered_cleanly(teams_server: ServerThread, tracebacks: Tracebacks,
                                                                data: st.DataObject) -> None:
    body = json.dumps(data.draw(teams_activities(teams_server))).encode()
    status, answer = teams_server.request("POST", "/api/messages", body, {"Content-Type": "application/json"})
    check_answer(status, answer, allowed=frozenset(range(200, 500)) - {404})
    assert tracebacks.take() == []


@FEW
@given(size=st.integers(1, 5) | st.integers(200_000, 400_000), text=st.characters(codec="utf-8"))
def test_teams_handles_huge_strings(teams_server: ServerThread, tracebacks: Tracebacks, size: int, text: str) -> None:
    activity = teams_activity(teams_server.fake.url, f"huge-{time.time_ns()}", user="fuzz-user", text=text * size)
    body = json.dumps(activity).encode()
    status, answer = teams_server.request("POST", "/api/messages", body, {"Content-Type": "application/json"})
    check_answer(status, answer)
    if len(body) > 256 * 1024:
        assert status == 413
    assert tracebacks.take() == []

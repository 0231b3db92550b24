"""Slack's own date formats are converted by the adapter: the core reads ISO 8601 only."""

from __future__ import annotations

from adapters.slack.convert import view_state_values
from intents.assemble import build_snapshot
from intents.incident.validation import check_value
from knowledge import SHIPPED_DIR


def picked(kind: str, **state: object) -> dict[str, str]:
    return view_state_values({"state": {"values": {"detected_at": {"detected_at": {"type": kind, **state}}}}})


def test_a_picked_date_and_time_is_the_moment_the_user_picked_in_japan_time() -> None:
    field = build_snapshot(SHIPPED_DIR).components["triage"].field("detected_at")
    # 2025-11-27 00:00 UTC, as Slack's datetimepicker sends it (Unix seconds).
    assert check_value(field, picked("datetimepicker", selected_date_time=1764201600)["detected_at"]) == (
        "2025-11-27T09:00+09:00", None)
    assert check_value(field, picked("datepicker", selected_date="2025-11-27")["detected_at"]) == (
        "2025-11-27T00:00+09:00", None)
    value, error = check_value(field, picked("datetimepicker", selected_date_time="soon")["detected_at"])
    assert value is None and error is not None and error.code == "datetime"
    assert picked("datetimepicker") == {}

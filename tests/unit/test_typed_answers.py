"""What a reporter types into the terminal walk: choices in their own words, times as people say them."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.knowledge_base import load_knowledge
from intents.forms import choice_from_text, choice_matches
from intents.incident.model import Field, build_triage
from intents.incident.validation import JST, FieldError, check_value, parse_datetime
from knowledge import SHIPPED_DIR

NOW = datetime(2026, 11, 30, 14, 20, tzinfo=JST)


@pytest.fixture(scope="module")
def incident_type() -> Field:
    model = build_triage(load_knowledge(SHIPPED_DIR))
    assert model is not None
    item = model.field("incident_type")
    assert item is not None
    return item


@pytest.mark.parametrize(("typed", "value"), [
    ("we got hit by ransomware", "ransomware"), ("ランサム", "ransomware"), ("ﾗﾝｻﾑ", "ransomware"),
    ("らんさむ", "ransomware"), ("Ransom note on every PC", "ransomware"),
    ("不正アクセスされた", "unauthorized_access"), ("our server was hacked", "unauthorized_access"),
    ("DDoS", "ddos"), ("アクセス集中でサイトが落ちた", "ddos"),
    ("フィッシング", "phishing_bec"), ("偽サイトを見つけた", "phishing_bec"), ("a phishing mail", "phishing_bec"),
    ("情報漏えい", "data_leak"), ("customer data leak", "data_leak"), ("メールの誤送信", "data_leak"),
    ("ウイルスに感染", "malware"), ("標的型", "targeted_attack"),
    ("6", "phishing_bec"), ("ransomware", "ransomware"), ("Malware infection", "malware"),
])
def test_a_choice_is_found_from_the_words_people_use(incident_type: Field, typed: str, value: str):
    assert choice_from_text(incident_type, typed) == value


def test_words_that_fit_several_choices_or_none_are_not_guessed(incident_type: Field):
    assert sorted(choice_matches(incident_type, "ransomware and a data leak")) == ["data_leak", "ransomware"]
    assert choice_from_text(incident_type, "ransomware and a data leak") is None
    assert choice_matches(incident_type, "because the printer jammed") == []  # "bec" is not a word here


@pytest.mark.parametrize(("typed", "expected"), [
    ("今朝9時", "2026-11-30T09:00"), ("今日 9:00", "2026-11-30T09:00"), ("today 9am", "2026-11-30T09:00"),
    ("昨日", "2026-11-29T00:00"), ("yesterday", "2026-11-29T00:00"), ("yesterday 6pm", "2026-11-29T18:00"),
    ("昨日 18時", "2026-11-29T18:00"), ("2 hours ago", "2026-11-30T12:20"), ("30分前", "2026-11-30T13:50"),
    ("午後1時半", "2026-11-30T13:30"), ("今日９時", "2026-11-30T09:00"), ("now", "2026-11-30T14:20"),
    ("今", "2026-11-30T14:20"), ("2026-11-27 09:30", "2026-11-27T09:30"),
])
def test_detection_times_as_people_say_them(typed: str, expected: str):
    parsed = parse_datetime(typed, NOW)
    assert parsed is not None and parsed.isoformat(timespec="minutes") == f"{expected}+09:00"


@pytest.mark.parametrize("typed", ["last tuesday-ish", "今朝", "today 13pm", "25時", "9"])
def test_an_unreadable_time_gets_examples_of_what_works(typed: str):
    item = Field(id="detected_at", kind="datetime", label=None)  # type: ignore[arg-type]
    value, error = check_value(item, typed, NOW)
    assert value is None and isinstance(error, FieldError) and error.code == "datetime"
    assert "today 9am" in error.text("en") and "2 hours ago" in error.text("en")
    assert "今朝9時" in error.text("ja")

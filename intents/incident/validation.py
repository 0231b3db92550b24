"""Check a whole set of answers (a submitted modal, an answers file, one console step).

The same checks serve every front end, so a form in a chat, on the web, the terminal and
`secbot triage` accept and refuse exactly the same input. The adapters hand over a date
picker's value as ISO 8601 (they convert their own formats first)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.models import JST
from intents.forms import error_params
from intents.incident.model import TYPE_FIELD, Field, TriageModel
from intents.incident.texts import t

NOW_WORDS = {"now", "just now", "today", "今", "いま", "たった今", "さっき", "現在"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str  # unknown_field | unknown_value | required | too_long | datetime | future | not_text
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def text(self, lang: str, *, ids: bool = False) -> str:
        """`ids`: name the choices by id (an answers file), not by their labels in `lang`."""
        return t(f"err_{self.code}", lang, **error_params(self.params, lang, ids=ids))


@dataclass(frozen=True)
class Checked:
    answers: dict[str, str]  # clean values of the fields that are asked, in form order
    errors: tuple[FieldError, ...] = ()
    ignored: tuple[str, ...] = ()  # answers to fields not asked (their show_if is not met)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, lang: str) -> dict[str, str]:
        return {e.field: e.text(lang) for e in self.errors}


_DAYS = {"今日": 0, "本日": 0, "今朝": 0, "today": 0, "this morning": 0, "昨日": 1, "きのう": 1, "yesterday": 1,
         "一昨日": 2, "おととい": 2}
_RELATIVE_DAY = re.compile(r"^(?P<day>" + "|".join(sorted(map(re.escape, _DAYS), key=len, reverse=True))
                           + r")(?:\s*(?:at\s*)?(?P<time>.+))?$")
_CLOCK = re.compile(r"^(?P<ampm>午前|午後)?\s*(?P<hour>\d{1,2})\s*(?:時|:|h)?\s*(?P<minute>\d{1,2}|半)?\s*分?"
                    r"\s*(?P<suffix>am|pm|a\.m\.|p\.m\.)?(?:ごろ|頃|くらい)?$")
_AGO = re.compile(r"^(?P<n>\d{1,3})\s*(?P<unit>分|時間|日|minutes?|mins?|hours?|hrs?|days?)\s*(?:前|ago)$")
_AGO_UNITS = {"分": "minutes", "min": "minutes", "minute": "minutes", "時間": "hours", "hour": "hours",
              "hr": "hours", "日": "days", "day": "days"}


def _clock(text: str) -> tuple[int, int] | None:
    """"9時", "9:30", "午後3時半", "9am", "9:30 pm" -> (hour, minute)."""
    found = _CLOCK.match(text.strip())
    if found is None:
        return None
    hour = int(found["hour"])
    if (found["ampm"] or found["suffix"]) and not 1 <= hour <= 12:
        return None
    minute = 30 if found["minute"] == "半" else int(found["minute"] or 0)
    pm = found["ampm"] == "午後" or (found["suffix"] or "").startswith("p")
    if pm and hour < 12:
        hour += 12
    if (found["ampm"] == "午前" or (found["suffix"] or "").startswith("a")) and hour == 12:
        hour = 0
    return (hour, minute) if hour < 24 and minute < 60 else None


def _relative(value: str, now: datetime) -> datetime | None:
    """"今朝9時", "昨日", "今日 9:00", "today 9am", "yesterday", "2 hours ago", "30分前"."""
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    ago = _AGO.match(text)
    if ago is not None:
        unit = _AGO_UNITS.get(ago["unit"].rstrip("s"), _AGO_UNITS.get(ago["unit"]))
        return (now - timedelta(**{unit or "hours": int(ago["n"])})).replace(second=0)
    day = _RELATIVE_DAY.match(text)
    if day is None:  # a time alone ("9時", "午後3時半", "9:30am") is today
        clock = _clock(text) if re.search(r"時|:|am|pm|午", text) else None
        return now.replace(hour=clock[0], minute=clock[1], second=0) if clock else None
    date = now - timedelta(days=_DAYS[day["day"]])
    if not day["time"]:  # a day alone: that day's start ("today" alone is "now", above); "this morning" needs a time
        return None if day["day"] in ("今朝", "this morning") else date.replace(hour=0, minute=0, second=0)
    clock = _clock(day["time"])
    return date.replace(hour=clock[0], minute=clock[1], second=0) if clock else None


def parse_datetime(text: str, now: datetime | None = None) -> datetime | None:
    """ISO-like date/time (naive = Japan time), "now", or a relative time ("今朝9時", "昨日",
    "today 9am", "2 hours ago")."""
    now = (now or datetime.now(JST)).astimezone(JST).replace(microsecond=0)
    value = text.strip()
    if value.lower() in NOW_WORDS:
        return now
    relative = _relative(value, now)
    if relative is not None:
        return relative
    value = value.replace("/", "-").replace("Z", "+00:00")
    value = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})\s+", r"\1T", value)
    value = re.sub(r"^(\d{4})-(\d)-", r"\1-0\2-", value)
    value = re.sub(r"^(\d{4}-\d{2})-(\d)(\D|$)", r"\1-0\2\3", value)
    value = re.sub(r"T(\d):", r"T0\1:", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=JST) if parsed.tzinfo is None else parsed.astimezone(JST)


def check_value(item: Field, raw: Any, now: datetime | None = None) -> tuple[str | None, FieldError | None]:
    """(clean value or None when empty, error)."""
    if raw is None:
        return None, None
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        return None, FieldError(item.id, "not_text")
    value = _CONTROL.sub("", str(raw)).strip()
    if not value:
        return None, None
    if len(value) > item.max_length:
        return None, FieldError(item.id, "too_long", {"length": len(value), "limit": item.max_length})
    if item.kind == "choice":
        if value not in item.values:
            return None, FieldError(item.id, "unknown_value", {"value": value, "choices": item.choices})
        return value, None
    if item.kind == "datetime":
        moment = parse_datetime(value, now)
        if moment is None:
            return None, FieldError(item.id, "datetime")
        if moment > (now or datetime.now(JST)) + timedelta(minutes=10):
            return None, FieldError(item.id, "future")
        return moment.isoformat(timespec="minutes"), None
    return value, None


def check_answers(model: TriageModel, values: Mapping[str, Any], *, partial: bool = False,
                  now: datetime | None = None) -> Checked:
    """Validate a whole form: unknown fields and values, length, required unconditional fields.

    `partial` (the triage CLI) only insists on the incident type."""
    errors: list[FieldError] = []
    known = {f.id for f in model.fields}
    for name in values:
        if name not in known:
            errors.append(FieldError(str(name), "unknown_field"))
    answers: dict[str, str] = {}
    ignored: list[str] = []
    for item in model.fields:
        raw = values.get(item.id)
        if not item.shown(answers):
            if raw not in (None, ""):
                ignored.append(item.id)
            continue
        implied = item.implied_value(answers)
        if implied is not None:  # not asked: an earlier answer gives it (a modal shows it anyway)
            answers[item.id] = implied
            continue
        value, error = check_value(item, raw, now)
        if error:
            errors.append(error)
        elif value is not None:
            answers[item.id] = value
        elif item.required and not item.show_if and (not partial or item.id == TYPE_FIELD):
            # A conditional field may be missing from a modal that was not updated after the
            # answer that reveals it; the rules work without it, so only the walk insists on it.
            errors.append(FieldError(item.id, "required"))
    return Checked(answers=answers, errors=tuple(errors), ignored=tuple(ignored))

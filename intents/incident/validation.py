"""Check a whole set of answers (a submitted modal, an answers file, one console step).

The same checks serve every front end, so a Slack modal, a Teams card, the terminal and
`secbot triage` accept and refuse exactly the same input."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from intents.incident.model import TYPE_FIELD, Field, TriageModel
from intents.incident.texts import t

JST = timezone(timedelta(hours=9), "JST")
NOW_WORDS = {"now", "just now", "today", "今", "いま", "たった今", "さっき", "現在"}
_EPOCH = re.compile(r"^\d{9,11}(\.\d+)?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str  # unknown_field | unknown_value | required | too_long | datetime | future | not_text
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return t(f"err_{self.code}", lang, **self.params)


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


def parse_datetime(text: str, now: datetime | None = None) -> datetime | None:
    """ISO-like date/time (naive = Japan time), a Unix timestamp (Slack's datetimepicker), or "now"."""
    now = now or datetime.now(JST)
    value = text.strip()
    if value.lower() in NOW_WORDS:
        return now.astimezone(JST).replace(microsecond=0)
    if _EPOCH.match(value):
        return datetime.fromtimestamp(float(value), JST)
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
            return None, FieldError(item.id, "unknown_value", {"value": value, "choices": ", ".join(item.values)})
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

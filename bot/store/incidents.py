"""Incident records as every store returns them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.models import JST

ID_PREFIX = "INC"


def incident_day(at: float) -> str:
    """The Japan date of a timestamp, as used in incident ids (YYYYMMDD)."""
    return datetime.fromtimestamp(at, JST).strftime("%Y%m%d")


def format_incident_id(day: str, number: int) -> str:
    return f"{ID_PREFIX}-{day}-{number:04d}"


def normalize_incident_id(text: str) -> str:
    """Accept 'inc-20261127-0001' or '２０２６…' typed by hand."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).strip().upper()


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    incident_id: str
    at: float
    actor: str
    kind: str  # created | note | closed
    text: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str  # e.g. incident.created, incident.viewed, incident.note, incident.closed
    target: str | None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentRecord:
    id: str
    created_at: float
    updated_at: float
    status: str  # open | closed
    reporter: str
    platform: str
    lang: str
    answers: Mapping[str, str]
    result: Mapping[str, Any]  # contacts given, steps, guidance (as shown to the reporter)
    reporter_name: str | None = None
    channel: str | None = None
    incident_type: str | None = None
    closed_at: float | None = None
    timeline: tuple[TimelineEntry, ...] = ()

    @property
    def contacts(self) -> list[Mapping[str, Any]]:
        return list(self.result.get("contacts", []))


def record_from_row(row: Sequence[Any], timeline: tuple[TimelineEntry, ...]) -> IncidentRecord:
    """An incident from a row of the incidents table (the same columns in every backend)."""
    (incident_id, created_at, updated_at, closed_at, status, reporter, reporter_name, platform, channel, lang,
     incident_type, answers, result) = row
    return IncidentRecord(id=incident_id, created_at=created_at, updated_at=updated_at, closed_at=closed_at,
                          status=status, reporter=reporter, reporter_name=reporter_name, platform=platform,
                          channel=channel, lang=lang, incident_type=incident_type, answers=json.loads(answers),
                          result=json.loads(result), timeline=timeline)

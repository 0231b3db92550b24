"""Checkup results as every store returns them (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckupRecord:
    id: int
    created_at: float
    respondent: str  # platform user id (or the login name for the CLI)
    platform: str
    organization: str  # as entered
    set_id: str
    lang: str
    answers: Mapping[str, str]
    scores: Mapping[str, Any]  # {"overall", "areas": [{id, score, answered}], "gaps": [...]}
    respondent_name: str | None = None

    @property
    def overall(self) -> int | None:
        return self.scores.get("overall")
